import { portableQuery, slowestRequestsQuery } from './alb.js';
import type { NamedQuery } from './types.js';

/** A query whose text Athena (Trino) and DuckDB read alike (standard SQL on typed columns). */
const portable = (query: Parameters<typeof portableQuery>[1]) => portableQuery('elb', query);

/**
 * The Athena user guide's example questions for Classic Load Balancer logs
 * (https://docs.aws.amazon.com/athena/latest/ug/elasticloadbalancer-classic-logs.html), plus
 * requests per client, slowest requests and top URLs by bytes. Each is ordered, so a LIMIT
 * returns the same rows on every engine.
 */
export const ELB_QUERIES: readonly NamedQuery[] = [
  portable({
    name: 'elb-backend-errors',
    description: 'Requests a backend answered with a 4xx or 5xx code, oldest first (the first 100).',
    sql: `SELECT request_timestamp, elb_name, backend_ip, backend_response_code
FROM elb
WHERE {{partition_filter}}
  AND (backend_response_code LIKE '4%' OR backend_response_code LIKE '5%')
ORDER BY record_time, backend_ip
LIMIT 100`,
  }),
  portable({
    // The guide names the sum total_ms; the times are seconds, so the column says so.
    name: 'elb-backend-processing-time',
    description: 'Total backend processing seconds per backend and load balancer, most first.',
    sql: `SELECT ROUND(sum(backend_processing_time), 6) AS total_seconds, elb_name, backend_ip
FROM elb
WHERE {{partition_filter}} AND backend_ip <> ''
GROUP BY backend_ip, elb_name
ORDER BY total_seconds DESC, backend_ip, elb_name
LIMIT 100`,
  }),
  portable({
    name: 'elb-requests-per-client',
    description: 'Requests per client IP, most first (the first 100).',
    sql: `SELECT request_ip, COUNT(*) AS requests, SUM(received_bytes) AS received_bytes_total
FROM elb
WHERE {{partition_filter}}
GROUP BY request_ip
ORDER BY requests DESC, request_ip
LIMIT 100`,
  }),
  slowestRequestsQuery('elb', 'request_ip, backend_ip, elb_response_code, request_verb, url', [
    'request_processing_time',
    'backend_processing_time',
    'client_response_time',
  ]),
  portable({
    name: 'elb-top-urls-by-bytes',
    description:
      'The 50 URLs that sent the most bytes to clients, with their request counts (HTTP listeners).',
    sql: `SELECT url, COUNT(*) AS requests, SUM(sent_bytes) AS sent_bytes_total
FROM elb
WHERE {{partition_filter}} AND url IS NOT NULL
GROUP BY url
ORDER BY sent_bytes_total DESC, url
LIMIT 50`,
  }),
];
