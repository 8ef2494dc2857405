import type { NamedQuery } from './types.js';

/*
 * The questions of the Athena user guide's CloudFront examples ("Querying Amazon CloudFront
 * logs": bytes served over a date range) and of the AWS Big Data blog posts it links (requests
 * and bytes per distribution and edge location, top objects, top viewers, error rates, cache
 * results). Column names are those of Athena's `cloudfront_logs` table, so users' own queries
 * keep working. Each text is plain SQL that Trino (Athena) and DuckDB read alike; ties are
 * broken on a name so that both engines list the same rows in the same order.
 */

const totalBytes = `SELECT COUNT(*) AS requests, SUM(bytes) AS total_bytes
FROM cloudfront
WHERE {{partition_filter}}`;

/** Requests and bytes per value of one column, most requests first (the first `limit`, if given). */
function requestsAndBytesBy(column: string, limit?: number): string {
  return `SELECT ${column}, COUNT(*) AS requests, SUM(bytes) AS total_bytes
FROM cloudfront
WHERE {{partition_filter}}
GROUP BY ${column}
ORDER BY requests DESC, ${column}${limit === undefined ? '' : `\nLIMIT ${limit}`}`;
}

const requestsByDistribution = requestsAndBytesBy('host');

const requestsByLocation = requestsAndBytesBy('location', 50);

const topUris = `SELECT host_header, uri, COUNT(*) AS requests, SUM(bytes) AS total_bytes
FROM cloudfront
WHERE {{partition_filter}}
GROUP BY host_header, uri
ORDER BY requests DESC, total_bytes DESC, host_header, uri
LIMIT 50`;

const topClientIps = requestsAndBytesBy('request_ip', 50);

// 000 (the viewer left before a response) is neither a client nor a server error. Shares are
// computed in DOUBLE: Trino's DECIMAL division would round them to the literal's one decimal.
const errorRates = `SELECT host_header,
       COUNT(*) AS requests,
       SUM(CASE WHEN status BETWEEN 400 AND 499 THEN 1 ELSE 0 END) AS client_errors,
       SUM(CASE WHEN status BETWEEN 500 AND 599 THEN 1 ELSE 0 END) AS server_errors,
       ROUND(100 * CAST(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*), 2) AS error_percent
FROM cloudfront
WHERE {{partition_filter}}
GROUP BY host_header
ORDER BY error_percent DESC, host_header`;

const cacheResults = `SELECT result_type,
       COUNT(*) AS requests,
       SUM(bytes) AS total_bytes,
       ROUND(100 * CAST(COUNT(*) AS DOUBLE) / SUM(COUNT(*)) OVER (), 2) AS request_percent
FROM cloudfront
WHERE {{partition_filter}}
GROUP BY result_type
ORDER BY requests DESC, result_type`;

/** Both dialects read one text. */
function query(name: string, description: string, text: string): NamedQuery {
  return { name, source: 'cloudfront', description, athena: text, duckdb: text };
}

/** The questions users ask of CloudFront standard logs (QUERIES.md; the Athena user guide's examples). */
export const CLOUDFRONT_QUERIES: readonly NamedQuery[] = [
  query(
    'cloudfront-total-bytes',
    'Requests and bytes served over the days (the Athena user guide example).',
    totalBytes,
  ),
  query(
    'cloudfront-requests-by-distribution',
    'Requests and bytes per distribution domain (cs(Host)).',
    requestsByDistribution,
  ),
  query(
    'cloudfront-requests-by-location',
    'The 50 edge locations that served the most requests, with their bytes.',
    requestsByLocation,
  ),
  query(
    'cloudfront-top-uris',
    'The 50 most requested objects (host header and URI), with the bytes they sent.',
    topUris,
  ),
  query(
    'cloudfront-top-client-ips',
    'The 50 viewer addresses that made the most requests, with the bytes they received.',
    topClientIps,
  ),
  query(
    'cloudfront-error-rates',
    'Requests, 4xx and 5xx responses and the error percentage per host header, highest first.',
    errorRates,
  ),
  query(
    'cloudfront-cache-results',
    'Requests and bytes per result type (Hit, RefreshHit, Miss, Error, …) with each share of the requests.',
    cacheResults,
  ),
];
