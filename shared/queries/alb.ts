import type { SourceName } from '../sources/types.js';
import type { NamedQuery } from './types.js';

/**
 * A query of a load balancer's logs (alb, elb) whose text Athena (Trino) and DuckDB read alike:
 * these use only standard SQL on typed columns (the record time is a real TIMESTAMP, so no
 * dialect-specific date parsing is needed).
 */
export function portableQuery(
  source: SourceName,
  query: Omit<NamedQuery, 'athena' | 'duckdb' | 'source'> & { sql: string },
): NamedQuery {
  const { sql, ...rest } = query;
  return { ...rest, source, athena: sql, duckdb: sql };
}

const portable = (query: Parameters<typeof portableQuery>[1]) => portableQuery('alb', query);

/**
 * `<source>-slowest-requests`: the 50 slowest requests of a load balancer's table by the sum of
 * its three processing times (`times`, the middle one the backend's, shown apart); a -1 time
 * (never dispatched) leaves the request out.
 */
export function slowestRequestsQuery(
  source: 'alb' | 'elb',
  columns: string,
  times: readonly [string, string, string],
): NamedQuery {
  const [request, backend, response] = times;
  return portableQuery(source, {
    name: `${source}-slowest-requests`,
    description:
      'The 50 slowest requests by total processing time (requests with a -1 time, never dispatched, are left out).',
    sql: `SELECT record_time, ${columns},
       ROUND(${request} + ${backend} + ${response}, 6) AS total_seconds,
       ${backend}
FROM ${source}
WHERE {{partition_filter}}
  AND ${request} >= 0 AND ${backend} >= 0 AND ${response} >= 0
ORDER BY total_seconds DESC, record_time
LIMIT 50`,
  });
}

/**
 * The Athena user guide's example questions for ALB access logs
 * (https://docs.aws.amazon.com/athena/latest/ug/application-load-balancer-logs.html), plus the
 * usual incident questions (5xx by target, slowest requests, top URLs by bytes). Each is ordered,
 * so a LIMIT returns the same rows on every engine.
 */
export const ALB_QUERIES: readonly NamedQuery[] = [
  portable({
    name: 'alb-requests-per-client',
    description: 'Requests per client IP and HTTP verb, most first (the first 100).',
    sql: `SELECT COUNT(request_verb) AS count, request_verb, client_ip
FROM alb
WHERE {{partition_filter}}
GROUP BY request_verb, client_ip
ORDER BY count DESC, client_ip, request_verb
LIMIT 100`,
  }),
  portable({
    name: 'alb-safari-urls',
    description: 'URLs requested by Safari browsers (user agent containing Safari), the first 10.',
    sql: `SELECT request_url
FROM alb
WHERE {{partition_filter}} AND user_agent LIKE '%Safari%'
ORDER BY record_time, request_url
LIMIT 10`,
  }),
  portable({
    name: 'alb-server-errors',
    description:
      'Requests the load balancer answered with a 5xx status, oldest first, with target and reasons (the first 1000).',
    sql: `SELECT record_time, client_ip, target_ip, target_port, elb_status_code, target_status_code,
       request_verb, request_url, actions_executed, lambda_error_reason, classification_reason
FROM alb
WHERE {{partition_filter}} AND elb_status_code >= 500
ORDER BY record_time, client_ip
LIMIT 1000`,
  }),
  portable({
    name: 'alb-5xx-by-target',
    description:
      '5xx responses per target and status code, most first (target NULL: the load balancer found none to send to).',
    sql: `SELECT target_ip, target_port, elb_status_code, COUNT(*) AS requests
FROM alb
WHERE {{partition_filter}} AND elb_status_code >= 500
GROUP BY target_ip, target_port, elb_status_code
ORDER BY requests DESC, target_ip, target_port, elb_status_code
LIMIT 100`,
  }),
  portable({
    name: 'alb-bytes-per-client',
    description: 'Bytes received from each client IP, most first (the first 100).',
    sql: `SELECT client_ip, SUM(received_bytes) AS received_bytes_total
FROM alb
WHERE {{partition_filter}}
GROUP BY client_ip
ORDER BY received_bytes_total DESC, client_ip
LIMIT 100`,
  }),
  slowestRequestsQuery('alb', 'client_ip, target_ip, elb_status_code, request_verb, request_url', [
    'request_processing_time',
    'target_processing_time',
    'response_processing_time',
  ]),
  portable({
    name: 'alb-top-urls-by-bytes',
    description: 'The 50 URLs that sent the most bytes to clients, with their request counts.',
    sql: `SELECT request_url, COUNT(*) AS requests, SUM(sent_bytes) AS sent_bytes_total
FROM alb
WHERE {{partition_filter}}
GROUP BY request_url
ORDER BY sent_bytes_total DESC, request_url
LIMIT 50`,
  }),
];
