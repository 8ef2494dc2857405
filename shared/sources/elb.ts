import { linePattern } from './alb-fields.js';
import { ELB_FIELDS, ELB_RECORD_TIME } from './elb-fields.js';
import { elbLogFileName, plainAwsLogsLayout } from './key-layouts.js';
import type { LogSource } from './types.js';

/**
 * The classic part of an Elastic Load Balancing file name: the load balancer's name, letters,
 * digits and hyphens only. ALB (`app.<name>.<id>`) and NLB (`net.…`) names hold dots, so they
 * cannot match it.
 */
const CLASSIC_FILE_NAME = elbLogFileName('[A-Za-z0-9-]+');

/**
 * Classic Load Balancer access logs: one space-separated entry per request (per connection for
 * TCP/SSL listeners), uncompressed objects under
 * `AWSLogs/<account>/elasticloadbalancing/<region>/YYYY/MM/DD/`. Columns keep the Athena user
 * guide's names. `-` is NULL (no backend, TCP status codes, the `"- - - "` request of TCP/SSL
 * listeners, no TLS); processing times of -1 are kept as AWS writes them. Lines of the first
 * format end after the request; fields AWS might append after `ssl_protocol` are ignored.
 */
export const elb = {
  name: 'elb',
  title: 'Classic Load Balancer access logs',
  reference:
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html#access-log-entry-syntax',
  columns: [...ELB_FIELDS.flatMap((field) => field.columns), ELB_RECORD_TIME],
  format: {
    kind: 'regex',
    pattern: linePattern(ELB_FIELDS),
    groups: ELB_FIELDS.flatMap((field) => field.columns.map((column) => ({ column: column.name }))),
    nullToken: '-',
  },
  layouts: [plainAwsLogsLayout('elasticloadbalancing', CLASSIC_FILE_NAME)],
  // Both of the guide's example questions are about backends (their 4xx/5xx responses, their
  // processing time): sorting on (backend_ip, backend_response_code) keeps each backend's
  // requests together, so its address, port and codes compress to runs.
  clusterBy: ['backend_ip', 'backend_response_code'],
} as const satisfies LogSource;
