import { ALB_FIELDS, ALB_RECORD_TIME, linePattern } from './alb-fields.js';
import { elbLogFileName, plainAwsLogsLayout } from './key-layouts.js';
import type { LogSource } from './types.js';

/**
 * The ALB part of an Elastic Load Balancing file name: `app.<name>.<id>` (the resource ID
 * `app/<name>/<id>` with its slashes turned into dots). Network Load Balancers write `net.…`
 * and classic ones a bare name: neither matches.
 */
const ALB_FILE_NAME = elbLogFileName('app\\.[A-Za-z0-9-]+\\.[0-9a-f]+');

/**
 * Application Load Balancer access logs: one space-separated entry per request (per connection
 * for WebSockets), gzip objects under `AWSLogs/<account>/elasticloadbalancing/<region>/YYYY/MM/DD/`.
 * Columns keep the Athena user guide's names. `-` is NULL (no target, no TLS, no redirect …);
 * processing times of -1 (not dispatched, timed out) are kept as AWS writes them. Lines written
 * before AWS appended a field end earlier and parse with the later fields NULL; fields appended
 * after `request_transform_status` are ignored, as the ALB reference asks readers to do.
 */
export const alb = {
  name: 'alb',
  title: 'Application Load Balancer access logs',
  reference:
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html#access-log-entry-syntax',
  columns: [...ALB_FIELDS.flatMap((field) => field.columns), ALB_RECORD_TIME],
  format: {
    kind: 'regex',
    pattern: linePattern(ALB_FIELDS),
    groups: ALB_FIELDS.flatMap((field) => field.columns.map((column) => ({ column: column.name }))),
    nullToken: '-',
  },
  layouts: [plainAwsLogsLayout('elasticloadbalancing', ALB_FILE_NAME)],
  // The guide's questions count requests per client IP and look for 5xx responses: sorting on
  // (client_ip, elb_status_code) puts each client's requests together, so the address and the
  // fields that repeat per client (user agent, TLS, status) compress to runs.
  clusterBy: ['client_ip', 'elb_status_code'],
} as const satisfies LogSource;
