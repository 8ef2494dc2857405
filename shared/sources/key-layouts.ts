import type { KeyLayout } from './types.js';

/**
 * Pieces that key-layout patterns are assembled from. Portable across JavaScript, RE2, Java and
 * Python: positional groups only, no lookaround, no named groups.
 */
export const KEY_PIECES = {
  anyPrefix: '(?:[^/]+/)*',
  orgLevel: '(?:o-[a-z0-9]{10,32}/)?',
  account: '([0-9]{12})',
  region: '([a-z]{2}(?:-[a-z]+)+-[0-9]+)',
  year: '([0-9]{4})',
  month: '(0[1-9]|1[0-2])',
  day: '(0[1-9]|[12][0-9]|3[01])',
  fileName: '[^/]+',
} as const;

/** Joins pieces into one anchored pattern. */
export function keyPattern(...pieces: string[]): RegExp {
  return new RegExp(`^${pieces.join('')}$`);
}

/**
 * `AWSLogs/[o-org/]<account>/<service>/<region>/YYYY/MM/DD/<file>` — the plain AWS layout; `fileName`
 * tells apart sources that share a service prefix (ALB `…_app.…` and classic ELB files).
 */
export function plainAwsLogsLayout(service: string, fileName: string = KEY_PIECES.fileName): KeyLayout {
  const p = KEY_PIECES;
  return {
    name: 'plain',
    pattern: keyPattern(
      p.anyPrefix,
      'AWSLogs/',
      p.orgLevel,
      p.account,
      `/${service}/`,
      p.region,
      '/',
      p.year,
      '/',
      p.month,
      '/',
      p.day,
      '/',
      fileName,
    ),
    groups: { account: 1, region: 2, year: 3, month: 4, day: 5 },
  };
}

/**
 * The Hive-compatible S3 prefix AWS offers for flow logs:
 * `AWSLogs/[o-org/]aws-account-id=<a>/aws-service=<s>/aws-region=<r>/year=YYYY/month=MM/day=DD/[hour=HH/]<file>`.
 */
export function hiveAwsLogsLayout(service: string): KeyLayout {
  const p = KEY_PIECES;
  return {
    name: 'hive',
    pattern: keyPattern(
      p.anyPrefix,
      'AWSLogs/',
      p.orgLevel,
      'aws-account-id=',
      p.account,
      `/aws-service=${service}/aws-region=`,
      p.region,
      '/year=',
      p.year,
      '/month=',
      p.month,
      '/day=',
      p.day,
      '/(?:hour=[0-9]{2}/)?',
      p.fileName,
    ),
    groups: { account: 1, region: 2, year: 3, month: 4, day: 5 },
  };
}

/**
 * The file name of an Elastic Load Balancing log object,
 * `<account>_elasticloadbalancing_<region>_<load-balancer>_<end-time>_<node-ip>_<random>.log[.gz]`;
 * `loadBalancer` tells the kinds apart (ALB `app.<name>.<id>`, NLB `net.…`, classic `<name>`).
 * The name starts with the account, so ALB connection and health check logs (`conn_log.…`,
 * `health_check_log_…`) sharing the prefix match no access-log layout.
 */
export function elbLogFileName(loadBalancer: string): string {
  return `[0-9]{12}_elasticloadbalancing_[a-z]{2}(?:-[a-z]+)+-[0-9]+_${loadBalancer}_[0-9]{8}T[0-9]{4}Z_[^/_]+_[^/]+`;
}
