import type { NamedQuery } from './types.js';

/** True for a time zone name the platform knows (DuckDB's ICU and Node's ICU share the IANA list). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const topTalkers = `SELECT srcaddr, dstaddr, SUM(bytes) AS total_bytes
FROM vpc_flow
WHERE {{partition_filter}}
GROUP BY srcaddr, dstaddr
ORDER BY total_bytes DESC
LIMIT 50`;

/** The questions users ask of VPC flow logs (QUERIES.md). */
export const VPC_FLOW_QUERIES: readonly NamedQuery[] = [
  {
    name: 'top-talkers',
    source: 'vpc_flow',
    description: 'The 50 source/destination address pairs with the most bytes.',
    athena: topTalkers,
    duckdb: topTalkers,
  },
  {
    name: 'flows-for-account',
    source: 'vpc_flow',
    description:
      "Flows of one account (--account) with log_status 'OK', start and end in a time zone (default JST); the first 1000 by start time.",
    requiresAccount: true,
    athena: `SELECT format_datetime(from_unixtime(start) AT TIME ZONE {{zone}}, 'yyyy-MM-dd HH:mm:ss') AS start_local,
       format_datetime(from_unixtime("end") AT TIME ZONE {{zone}}, 'yyyy-MM-dd HH:mm:ss') AS end_local,
       srcaddr, dstaddr, dstport, packets, bytes
FROM vpc_flow
WHERE {{partition_filter}} AND log_status = 'OK'
ORDER BY start
LIMIT 1000`,
    duckdb: `SELECT strftime(timezone({{zone}}, to_timestamp(start)), '%Y-%m-%d %H:%M:%S') AS start_local,
       strftime(timezone({{zone}}, to_timestamp("end")), '%Y-%m-%d %H:%M:%S') AS end_local,
       srcaddr, dstaddr, dstport, packets, bytes
FROM vpc_flow
WHERE {{partition_filter}} AND log_status = 'OK'
ORDER BY start
LIMIT 1000`,
    parameters: {
      zone: {
        description: 'IANA time zone of the readable times (e.g. Asia/Tokyo, UTC)',
        pattern: /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/,
        default: 'Asia/Tokyo',
        isValid: isTimeZone,
      },
    },
  },
];
