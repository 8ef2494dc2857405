import type { Column } from './types.js';

/**
 * One space-separated field of a load balancer access log line, as the AWS reference lists it:
 * the portable regex piece that reads it and the columns its capturing groups fill, in order
 * (`client:port` fills `client_ip` and `client_port`; `"request"` fills three columns).
 */
export interface LineField {
  /** The field as the AWS reference names it (quoted fields keep their quotes). */
  field: string;
  /** Portable regex piece (positional groups only); group i fills `columns[i]`. */
  pattern: string;
  columns: readonly Column[];
  /**
   * Set on the first field AWS appended after the format was first published: lines written
   * before then end just before it, so it and every field after it are optional, each nested
   * in the one before (a line ends after some field; it never skips one).
   */
  addedLater?: true;
}

/**
 * Regex pieces shared by the ALB and Classic Load Balancer formats. Portable across RE2, Java,
 * Python and JavaScript: explicit character classes, no `\d`/`\s`, no lookaround, no named groups.
 */
export const LINE_PIECES = {
  /** A field without spaces (`-` for none: the format's null token). */
  token: '([^ ]*)',
  /** A non-empty field without spaces. */
  word: '([^ ]+)',
  /** A decimal number of seconds, `-1` when AWS could not measure it. */
  seconds: '([-.0-9]*)',
  /** An integer, or `-`. */
  integer: '([-0-9]*)',
  /**
   * `address:port`, split at the LAST colon so an IPv6 address (written without brackets,
   * e.g. `2001:db8::7:443`) keeps its own colons.
   */
  addressPort: '([^ ]*):([0-9]*)',
  /** `address:port`, or `-` when there was none (no target, a Lambda target, a WAF block). */
  addressPortOrDash: '(?:([^ ]*):([0-9]*)|-)',
  /**
   * A field in double quotes. Quotes inside it arrive escaped (ALB writes `\x22`; a `\"` is read
   * as one escaped character, so it does not end the field); a lone backslash just before the
   * closing quote is kept as text. The value is stored as delivered, escapes included.
   */
  quoted: String.raw`"((?:[^"\\]|\\.)*\\?)"`,
  /** A single value that AWS has written both with and without double quotes. */
  maybeQuotedToken: '"?([^ "]*)"?',
  /**
   * The request line in double quotes, `"<verb> <url> <protocol>"`: three groups. The URL is the
   * shortest text that leaves a well-formed protocol before the closing quote (it may hold spaces in
   * malformed requests; the protocol may be empty: `"- http://host:80-/ "`); TCP and
   * SSL listeners of classic load balancers write `"- - - "` (three dashes and a trailing space),
   * and malformed requests to an ALB `"- http://host:80- -"`, whose dashes are the null token.
   */
  request: String.raw`"([^ "]*) ((?:[^"\\]|\\.)*?) ([^ "]*) ?"`,
  /**
   * Fields AWS may append in future: "ignore any fields at the end of the log entry that you were
   * not expecting" (the ALB reference). Accepted only after every known field, so a line with a
   * malformed known field is still rejected rather than cut short.
   */
  unknownTrailingFields: '(?: .*)?',
} as const;

/** Builds the anchored line pattern of a format from its fields, in delivery order. */
export function linePattern(fields: readonly LineField[]): string {
  const firstLater = fields.findIndex((field) => field.addedLater === true);
  const always = firstLater === -1 ? fields : fields.slice(0, firstLater);
  const later = firstLater === -1 ? [] : fields.slice(firstLater);
  // Innermost first: the unknown fields may follow only the last known one.
  let rest: string = LINE_PIECES.unknownTrailingFields;
  for (const field of [...later].reverse()) rest = `(?: ${field.pattern}${rest})?`;
  return `^${always.map((field) => field.pattern).join(' ')}${rest}$`;
}

/**
 * Every field of the Application Load Balancer access log entry, in the order of the ELB
 * reference (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html#access-log-entry-syntax).
 * Column names and types follow the Athena user guide's `CREATE TABLE alb_access_logs`
 * (https://docs.aws.amazon.com/athena/latest/ug/create-alb-access-logs-table.html): `client:port`
 * becomes `client_ip` + `client_port`, `"request"` becomes `request_verb`, `request_url`,
 * `request_proto`, `error_reason` is `lambda_error_reason`, `target:port_list` is
 * `target_port_list`. Fields from `domain_name` on were appended over the years (SNI, rules,
 * Lambda targets, desync mitigation, connection tracing, request transforms).
 */
export const ALB_FIELDS: readonly LineField[] = [
  {
    field: 'type',
    pattern: LINE_PIECES.word,
    columns: [
      {
        name: 'type',
        type: 'string',
        description: 'Request or connection type: http, https, h2, grpcs, ws or wss.',
      },
    ],
  },
  {
    field: 'time',
    pattern: LINE_PIECES.word,
    columns: [
      {
        name: 'time',
        type: 'string',
        description:
          'When the load balancer generated the response (ISO 8601, UTC); for WebSockets, when the connection closed.',
      },
    ],
  },
  {
    field: 'elb',
    pattern: LINE_PIECES.word,
    columns: [
      {
        name: 'elb',
        type: 'string',
        description: 'Resource ID of the load balancer (app/<name>/<id>).',
      },
    ],
  },
  {
    field: 'client:port',
    pattern: LINE_PIECES.addressPort,
    columns: [
      {
        name: 'client_ip',
        type: 'string',
        description:
          'IP address of the requesting client (of the proxy in front of the load balancer, if any).',
      },
      { name: 'client_port', type: 'int', description: 'Port of the requesting client.' },
    ],
  },
  {
    field: 'target:port',
    pattern: LINE_PIECES.addressPortOrDash,
    columns: [
      {
        name: 'target_ip',
        type: 'string',
        description:
          'IP address of the target that processed the request; NULL when none did (Lambda target, WAF block, incomplete request).',
      },
      { name: 'target_port', type: 'int', description: 'Port of the target; NULL when there was none.' },
    ],
  },
  {
    field: 'request_processing_time',
    pattern: LINE_PIECES.seconds,
    columns: [
      {
        name: 'request_processing_time',
        type: 'double',
        description:
          'Seconds from receiving the request to sending it to a target; -1 when it could not be dispatched.',
      },
    ],
  },
  {
    field: 'target_processing_time',
    pattern: LINE_PIECES.seconds,
    columns: [
      {
        name: 'target_processing_time',
        type: 'double',
        description:
          'Seconds from sending the request to the target until its response headers began; -1 when not dispatched or timed out.',
      },
    ],
  },
  {
    field: 'response_processing_time',
    pattern: LINE_PIECES.seconds,
    columns: [
      {
        name: 'response_processing_time',
        type: 'double',
        description:
          'Seconds from receiving the response headers to starting the response to the client; -1 when not dispatched.',
      },
    ],
  },
  {
    field: 'elb_status_code',
    pattern: LINE_PIECES.integer,
    columns: [
      {
        name: 'elb_status_code',
        type: 'int',
        description: 'Status code of the response from the load balancer.',
      },
    ],
  },
  {
    field: 'target_status_code',
    pattern: LINE_PIECES.integer,
    columns: [
      {
        name: 'target_status_code',
        type: 'string',
        description: 'Status code of the response from the target; NULL when no target responded.',
      },
    ],
  },
  {
    field: 'received_bytes',
    pattern: LINE_PIECES.integer,
    columns: [
      {
        name: 'received_bytes',
        type: 'bigint',
        description:
          'Size of the request received from the client, headers included; for WebSockets, bytes received on the connection.',
      },
    ],
  },
  {
    field: 'sent_bytes',
    pattern: LINE_PIECES.integer,
    columns: [
      {
        name: 'sent_bytes',
        type: 'bigint',
        description:
          'Size of the response sent to the client, headers included; for WebSockets, bytes sent on the connection.',
      },
    ],
  },
  {
    field: '"request"',
    pattern: LINE_PIECES.request,
    columns: [
      { name: 'request_verb', type: 'string', description: 'HTTP method of the request line.' },
      {
        name: 'request_url',
        type: 'string',
        description: 'URL of the request line: protocol://host:port/path?query, as delivered.',
      },
      { name: 'request_proto', type: 'string', description: 'HTTP version of the request line.' },
    ],
  },
  {
    field: '"user_agent"',
    pattern: LINE_PIECES.quoted,
    columns: [
      {
        name: 'user_agent',
        type: 'string',
        description: 'User-Agent header of the client (truncated by AWS beyond 8 KB).',
      },
    ],
  },
  {
    field: 'ssl_cipher',
    pattern: LINE_PIECES.token,
    columns: [
      {
        name: 'ssl_cipher',
        type: 'string',
        description: 'TLS cipher of an HTTPS listener; NULL for other listeners.',
      },
    ],
  },
  {
    field: 'ssl_protocol',
    pattern: LINE_PIECES.token,
    columns: [
      {
        name: 'ssl_protocol',
        type: 'string',
        description: 'TLS protocol of an HTTPS listener; NULL for other listeners.',
      },
    ],
  },
  {
    field: 'target_group_arn',
    pattern: LINE_PIECES.token,
    columns: [{ name: 'target_group_arn', type: 'string', description: 'ARN of the target group.' }],
  },
  {
    field: '"trace_id"',
    pattern: LINE_PIECES.quoted,
    columns: [{ name: 'trace_id', type: 'string', description: 'Contents of the X-Amzn-Trace-Id header.' }],
  },
  {
    field: '"domain_name"',
    pattern: LINE_PIECES.quoted,
    addedLater: true,
    columns: [
      {
        name: 'domain_name',
        type: 'string',
        description:
          'SNI domain the client sent in the TLS handshake; NULL without SNI or a matching certificate.',
      },
    ],
  },
  {
    field: '"chosen_cert_arn"',
    pattern: LINE_PIECES.quoted,
    columns: [
      {
        name: 'chosen_cert_arn',
        type: 'string',
        description:
          'ARN of the certificate presented to the client; session-reused when the session was reused.',
      },
    ],
  },
  {
    field: 'matched_rule_priority',
    pattern: LINE_PIECES.token,
    columns: [
      {
        name: 'matched_rule_priority',
        type: 'string',
        description:
          'Priority of the rule that matched (1-50000); 0 for the default action, -1 on a rules error.',
      },
    ],
  },
  {
    field: 'request_creation_time',
    pattern: LINE_PIECES.token,
    columns: [
      {
        name: 'request_creation_time',
        type: 'string',
        description: 'When the load balancer received the request from the client (ISO 8601, UTC).',
      },
    ],
  },
  {
    field: '"actions_executed"',
    pattern: LINE_PIECES.quoted,
    columns: [
      {
        name: 'actions_executed',
        type: 'string',
        description:
          'Comma-separated actions taken (waf, authenticate, redirect, fixed-response, forward, …).',
      },
    ],
  },
  {
    field: '"redirect_url"',
    pattern: LINE_PIECES.quoted,
    columns: [
      {
        name: 'redirect_url',
        type: 'string',
        description: 'Location of a redirect response; NULL when no redirect was taken.',
      },
    ],
  },
  {
    field: '"error_reason"',
    pattern: LINE_PIECES.quoted,
    columns: [
      {
        name: 'lambda_error_reason',
        type: 'string',
        description: 'Error reason code (e.g. LambdaInvalidResponse); NULL when there was no error.',
      },
    ],
  },
  {
    field: '"target:port_list"',
    pattern: LINE_PIECES.maybeQuotedToken,
    columns: [
      {
        name: 'target_port_list',
        type: 'string',
        description:
          'Address and port of the targets that processed the request (today one, as target:port).',
      },
    ],
  },
  {
    field: '"target_status_code_list"',
    pattern: LINE_PIECES.maybeQuotedToken,
    columns: [
      {
        name: 'target_status_code_list',
        type: 'string',
        description: 'Status codes of the responses from those targets.',
      },
    ],
  },
  {
    field: '"classification"',
    pattern: LINE_PIECES.quoted,
    columns: [
      {
        name: 'classification',
        type: 'string',
        description:
          'Desync mitigation classification: Acceptable, Ambiguous or Severe; NULL when Compliant.',
      },
    ],
  },
  {
    field: '"classification_reason"',
    pattern: LINE_PIECES.quoted,
    columns: [
      {
        name: 'classification_reason',
        type: 'string',
        description: 'Reason code of the classification (e.g. UndefinedTransferEncoding).',
      },
    ],
  },
  {
    field: 'conn_trace_id',
    pattern: LINE_PIECES.token,
    columns: [
      {
        name: 'conn_trace_id',
        type: 'string',
        description: 'Connection traceability ID (TID_…), shared with the connection log entry.',
      },
    ],
  },
  {
    field: '"transformed_host"',
    pattern: LINE_PIECES.quoted,
    columns: [
      {
        name: 'transformed_host',
        type: 'string',
        description: 'Host header after a host header rewrite transform; NULL when none applied.',
      },
    ],
  },
  {
    field: '"transformed_uri"',
    pattern: LINE_PIECES.quoted,
    columns: [
      {
        name: 'transformed_uri',
        type: 'string',
        description: 'URI after a URL rewrite transform; NULL when none applied.',
      },
    ],
  },
  {
    field: '"request_transform_status"',
    pattern: LINE_PIECES.quoted,
    columns: [
      {
        name: 'request_transform_status',
        type: 'string',
        description: 'Status of the rewrite transforms; NULL when none applied.',
      },
    ],
  },
];

/** The typed record time: `time` (when the response was generated) as a TIMESTAMP, UTC. */
export const ALB_RECORD_TIME: Column = {
  name: 'record_time',
  type: 'timestamp',
  description: 'The time field as a timestamp (UTC): when the load balancer generated the response.',
  derive: { kind: 'iso8601-timestamp', from: 'time' },
};
