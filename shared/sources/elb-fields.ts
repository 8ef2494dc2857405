import { LINE_PIECES, type LineField } from './alb-fields.js';
import type { Column } from './types.js';

/**
 * Every field of the Classic Load Balancer access log entry, in the order of the ELB reference
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html#access-log-entry-syntax),
 * read with the same pieces as the ALB format it grew into. Column names and types follow the
 * Athena user guide's `CREATE TABLE elb_logs`
 * (https://docs.aws.amazon.com/athena/latest/ug/elasticloadbalancer-classic-logs.html).
 * TCP and SSL listeners write `- -` status codes and a `"- - - "` request; `user_agent`,
 * `ssl_cipher` and `ssl_protocol` were appended after the format's launch (2014), so the oldest
 * lines end after the request.
 */
export const ELB_FIELDS: readonly LineField[] = [
  {
    field: 'timestamp',
    pattern: LINE_PIECES.word,
    columns: [
      {
        name: 'request_timestamp',
        type: 'string',
        description: 'When the load balancer received the request from the client (ISO 8601, UTC).',
      },
    ],
  },
  {
    field: 'elb',
    pattern: LINE_PIECES.word,
    columns: [{ name: 'elb_name', type: 'string', description: 'Name of the load balancer.' }],
  },
  {
    field: 'client:port',
    pattern: LINE_PIECES.addressPort,
    columns: [
      { name: 'request_ip', type: 'string', description: 'IP address of the requesting client.' },
      { name: 'request_port', type: 'int', description: 'Port of the requesting client.' },
    ],
  },
  {
    field: 'backend:port',
    pattern: LINE_PIECES.addressPortOrDash,
    columns: [
      {
        name: 'backend_ip',
        type: 'string',
        description:
          'IP address of the registered instance that processed the request; NULL when none did (not dispatched, connection closed, idle timeout).',
      },
      {
        name: 'backend_port',
        type: 'int',
        description: 'Port of the registered instance; NULL when there was none.',
      },
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
          'HTTP: seconds from receiving the request to sending it to an instance; TCP: from accepting the connection to sending the first byte. -1 when not dispatched.',
      },
    ],
  },
  {
    field: 'backend_processing_time',
    pattern: LINE_PIECES.seconds,
    columns: [
      {
        name: 'backend_processing_time',
        type: 'double',
        description:
          'HTTP: seconds from sending the request to the instance until its response headers began; TCP: seconds to connect to the instance. -1 when not dispatched.',
      },
    ],
  },
  {
    field: 'response_processing_time',
    pattern: LINE_PIECES.seconds,
    columns: [
      {
        name: 'client_response_time',
        type: 'double',
        description:
          'Seconds from receiving the response (header, or first byte for TCP) from the instance to starting to send it to the client; -1 when not dispatched.',
      },
    ],
  },
  {
    field: 'elb_status_code',
    pattern: LINE_PIECES.integer,
    columns: [
      {
        name: 'elb_response_code',
        type: 'string',
        description: 'HTTP listeners: status code of the response from the load balancer; NULL for TCP/SSL.',
      },
    ],
  },
  {
    field: 'backend_status_code',
    pattern: LINE_PIECES.integer,
    columns: [
      {
        name: 'backend_response_code',
        type: 'string',
        description:
          'HTTP listeners: status code of the response from the instance; NULL for TCP/SSL or no response.',
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
        description: 'Size of the request received from the client (HTTP: body only; TCP: all bytes).',
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
        description: 'Size of the response sent to the client (HTTP: body only; TCP: all bytes).',
      },
    ],
  },
  {
    field: '"request"',
    pattern: LINE_PIECES.request,
    columns: [
      {
        name: 'request_verb',
        type: 'string',
        description: 'HTTP method of the request line; NULL for TCP/SSL listeners.',
      },
      {
        name: 'url',
        type: 'string',
        description: 'URL of the request line (protocol://host:port/path?query); NULL for TCP/SSL listeners.',
      },
      {
        name: 'protocol',
        type: 'string',
        description: 'HTTP version of the request line; NULL for TCP/SSL listeners.',
      },
    ],
  },
  {
    field: '"user_agent"',
    pattern: LINE_PIECES.quoted,
    addedLater: true,
    columns: [
      {
        name: 'user_agent',
        type: 'string',
        description:
          'HTTP/HTTPS listeners: User-Agent header of the client (truncated beyond 8 KB); NULL otherwise.',
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
        description: 'HTTPS/SSL listeners: the negotiated cipher; NULL otherwise or when negotiation failed.',
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
        description:
          'HTTPS/SSL listeners: the negotiated protocol; NULL otherwise or when negotiation failed.',
      },
    ],
  },
];

/** The typed record time: `request_timestamp` (when the request was received) as a TIMESTAMP, UTC. */
export const ELB_RECORD_TIME: Column = {
  name: 'record_time',
  type: 'timestamp',
  description: 'The timestamp field as a timestamp (UTC): when the load balancer received the request.',
  derive: { kind: 'iso8601-timestamp', from: 'request_timestamp' },
};
