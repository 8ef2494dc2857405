import type { NamedQuery } from './types.js';

/**
 * The 50 remote IPs with the most `objectsize` for one operation over the days of the partition
 * filter. The same text serves Athena (Trino) and DuckDB: NULLS LAST and the remoteip tie-break
 * are spelled out so both engines order ties and all-NULL sums alike.
 */
function topRemoteIpsBy(operation: string): string {
  return `SELECT remoteip, COUNT(*) AS requests, SUM(objectsize) AS total_bytes
FROM s3_access
WHERE {{partition_filter}} AND operation = '${operation}'
GROUP BY remoteip
ORDER BY total_bytes DESC NULLS LAST, remoteip
LIMIT 50`;
}

const topDownloaders = topRemoteIpsBy('REST.GET.OBJECT');
const topCopiers = topRemoteIpsBy('REST.COPY.OBJECT_GET');

/** The questions users ask of S3 server access logs (QUERIES.md). */
export const S3_ACCESS_QUERIES: readonly NamedQuery[] = [
  {
    name: 'top-downloaders',
    source: 's3_access',
    description: 'The 50 remote IPs that downloaded the most bytes (objectsize of REST.GET.OBJECT).',
    athena: topDownloaders,
    duckdb: topDownloaders,
  },
  {
    name: 'top-copiers',
    source: 's3_access',
    description: 'The 50 remote IPs that copied the most bytes (objectsize of REST.COPY.OBJECT_GET).',
    athena: topCopiers,
    duckdb: topCopiers,
  },
];
