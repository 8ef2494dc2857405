import type { Column, HeaderField } from './types.js';

/**
 * The 33 fields of a CloudFront standard (legacy) log record, in the order of the CloudFront
 * developer guide's "Log file fields" list and of the `#Fields:` directive AWS writes today.
 * Each object names its own fields in that directive, so files from before a field existed
 * (older, shorter field lists) read by name, not by position.
 *
 * Column names and types are those of the Athena user guide's `cloudfront_logs` table
 * (https://docs.aws.amazon.com/athena/latest/ug/cloudfront-logs.html): `date` DATE, byte counts
 * and sizes BIGINT, status, port and encrypted-field count INT, the two durations FLOAT, the rest
 * STRING. Values are kept as delivered: AWS URL-encodes spaces and other characters (`%20`) and
 * we do not decode them, so the text is what Athena's own table returns. `-` becomes NULL.
 */
export const CLOUDFRONT_FIELDS: readonly HeaderField[] = [
  {
    header: 'date',
    name: 'date',
    type: 'date',
    description: 'UTC date the request completed (for WebSocket connections: when the connection closed).',
  },
  {
    header: 'time',
    name: 'time',
    type: 'string',
    description: 'UTC time (HH:MM:SS) the server finished responding; see record_time for a timestamp.',
  },
  {
    header: 'x-edge-location',
    name: 'location',
    type: 'string',
    description: 'Edge location that served the request (e.g. DFW3, SEA19-C1).',
  },
  {
    header: 'sc-bytes',
    name: 'bytes',
    type: 'bigint',
    description: 'Bytes the server sent to the viewer, headers included.',
  },
  {
    header: 'c-ip',
    name: 'request_ip',
    type: 'string',
    description: 'IPv4 or IPv6 address of the viewer (or of its proxy; see xforwarded_for).',
  },
  { header: 'cs-method', name: 'method', type: 'string', description: 'HTTP request method.' },
  {
    header: 'cs(Host)',
    name: 'host',
    type: 'string',
    description: 'Domain name of the distribution (e.g. d111111abcdef8.cloudfront.net).',
  },
  {
    header: 'cs-uri-stem',
    name: 'uri',
    type: 'string',
    description: 'Path of the request URL, without the query string (URL-encoded as delivered).',
  },
  {
    header: 'sc-status',
    name: 'status',
    type: 'int',
    description: 'HTTP status of the response; 0 (delivered as 000) when the viewer left before a response.',
  },
  {
    header: 'cs(Referer)',
    name: 'referrer',
    type: 'string',
    description: 'Referer header of the request.',
  },
  {
    header: 'cs(User-Agent)',
    name: 'user_agent',
    type: 'string',
    description: 'User-Agent header of the request (URL-encoded as delivered).',
  },
  {
    header: 'cs-uri-query',
    name: 'query_string',
    type: 'string',
    description: 'Query string of the request URL, without the question mark.',
  },
  {
    header: 'cs(Cookie)',
    name: 'cookie',
    type: 'string',
    description: 'Cookie header of the request (only when cookie logging is on).',
  },
  {
    header: 'x-edge-result-type',
    name: 'result_type',
    type: 'string',
    description:
      'How the response was classified after the last byte: Hit, RefreshHit, Miss, Error, Redirect, …',
  },
  {
    header: 'x-edge-request-id',
    name: 'request_id',
    type: 'string',
    description: 'Opaque request id (also sent as the x-amz-cf-id response header).',
  },
  {
    header: 'x-host-header',
    name: 'host_header',
    type: 'string',
    description: 'Host header the viewer sent (an alternate domain name, or the distribution domain).',
  },
  {
    header: 'cs-protocol',
    name: 'request_protocol',
    type: 'string',
    description: 'Protocol of the viewer request: http, https, ws or wss.',
  },
  {
    header: 'cs-bytes',
    name: 'request_bytes',
    type: 'bigint',
    description: 'Bytes the viewer sent in the request, headers included.',
  },
  {
    header: 'time-taken',
    name: 'time_taken',
    type: 'double',
    description: 'Seconds (to the millisecond) from receiving the request to writing the last response byte.',
  },
  {
    header: 'x-forwarded-for',
    name: 'xforwarded_for',
    type: 'string',
    description: 'X-Forwarded-For of a request sent through a proxy (may list several addresses).',
  },
  {
    header: 'ssl-protocol',
    name: 'ssl_protocol',
    type: 'string',
    description: 'SSL/TLS protocol negotiated for HTTPS requests (e.g. TLSv1.3).',
  },
  {
    header: 'ssl-cipher',
    name: 'ssl_cipher',
    type: 'string',
    description: 'SSL/TLS cipher negotiated for HTTPS requests.',
  },
  {
    header: 'x-edge-response-result-type',
    name: 'response_result_type',
    type: 'string',
    description: 'How the response was classified just before it was returned to the viewer.',
  },
  {
    header: 'cs-protocol-version',
    name: 'http_version',
    type: 'string',
    description: 'HTTP version of the request (HTTP/1.1, HTTP/2.0, HTTP/3.0, …).',
  },
  {
    header: 'fle-status',
    name: 'fle_status',
    type: 'string',
    description: 'Field-level encryption outcome (e.g. Processed), when it is configured.',
  },
  {
    header: 'fle-encrypted-fields',
    name: 'fle_encrypted_fields',
    type: 'int',
    description: 'Number of fields field-level encryption encrypted and forwarded.',
  },
  { header: 'c-port', name: 'c_port', type: 'int', description: 'Port of the viewer connection.' },
  {
    header: 'time-to-first-byte',
    name: 'time_to_first_byte',
    type: 'double',
    description: 'Seconds from receiving the request to writing the first response byte.',
  },
  {
    header: 'x-edge-detailed-result-type',
    name: 'x_edge_detailed_result_type',
    type: 'string',
    description: 'result_type, or for errors the specific error (e.g. OriginDnsError, ClientCommError).',
  },
  {
    header: 'sc-content-type',
    name: 'sc_content_type',
    type: 'string',
    description: 'Content-Type header of the response.',
  },
  {
    header: 'sc-content-len',
    name: 'sc_content_len',
    type: 'bigint',
    description: 'Content-Length header of the response.',
  },
  {
    header: 'sc-range-start',
    name: 'sc_range_start',
    type: 'bigint',
    description: 'Start of the Content-Range of a partial response.',
  },
  {
    header: 'sc-range-end',
    name: 'sc_range_end',
    type: 'bigint',
    description: 'End of the Content-Range of a partial response.',
  },
];

/**
 * The typed time of the record: `date` and `time` are two columns in the log (and in Athena's
 * table); one UTC timestamp makes time ranges and ordering simple.
 */
export const CLOUDFRONT_RECORD_TIME: Column = {
  name: 'record_time',
  type: 'timestamp',
  description: 'date and time as one UTC timestamp (computed; not a delivered field).',
  derive: { kind: 'date-and-time', from: 'date', time: 'time' },
};
