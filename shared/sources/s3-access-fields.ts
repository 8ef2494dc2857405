import type { Column } from './types.js';

/**
 * Regex pieces that read one field of a server access log record, each with exactly one
 * capturing group (the field's value, without brackets or quotes). Portable across RE2, Java,
 * Python and JavaScript: explicit classes, one lazy quantifier, no lookaround.
 *
 * S3 does not escape quotes inside quoted fields: a user agent `Foo "bar"` is written as
 * `"Foo "bar""`, a request line may read `"GET /" HTTP/1.1"` (seen in real logs). A quoted
 * field is therefore read lazily up to a `"` after which the rest of the record still fits, and
 * the space-delimited fields that follow a quoted field never hold a quote, so a quote inside
 * a user agent cannot end it early: the only split that fits is the right one.
 */
export const S3_ACCESS_PIECES = {
  /** A space-delimited token before the first quoted field (ids, names; keys are URL-encoded). */
  token: '([^ ]*)',
  /** A space-delimited token after a quoted field: never holds a quote (see above). */
  plainToken: '([^ "]*)',
  /** `[06/Feb/2019:00:00:38 +0000]`: the value is the text between the brackets. */
  bracketed: '\\[([^\\]]*)\\]',
  /** `"…"` (raw quotes and spaces allowed inside, `\"` kept as delivered) or a bare `-`. */
  quoted: '(?:"(.*?)"|-)',
  /** The HTTP status: digits or `-`; it ends the request line's quoted field. */
  status: '(-|[0-9]+)',
} as const;

/** A field of the record: its column and the piece that reads it. */
export interface S3AccessField extends Column {
  piece: string;
}

const P = S3_ACCESS_PIECES;

/**
 * The fields every record has (since 2010), in delivery order. Names and types follow the
 * Athena user guide's CREATE TABLE for S3 server access logs (`httpstatus`, `totaltime` and
 * `turnaroundtime` stay strings as there; `bytessent` and `objectsize` bigint).
 */
export const S3_ACCESS_LEADING_FIELDS: readonly S3AccessField[] = [
  {
    name: 'bucketowner',
    type: 'string',
    piece: P.token,
    description: 'Canonical user ID of the owner of the source bucket.',
  },
  {
    name: 'bucket_name',
    type: 'string',
    piece: P.token,
    description: 'Bucket the request was processed against.',
  },
  {
    name: 'requestdatetime',
    type: 'string',
    piece: P.bracketed,
    description: 'Time the request was received, as delivered without brackets: dd/MMM/yyyy:HH:mm:ss Z.',
  },
  {
    name: 'remoteip',
    type: 'string',
    piece: P.token,
    description: 'Apparent internet address of the requester (IPv4 or IPv6).',
  },
  {
    name: 'requester',
    type: 'string',
    piece: P.token,
    description: 'Canonical user ID or IAM ARN of the requester; NULL for unauthenticated requests.',
  },
  { name: 'requestid', type: 'string', piece: P.token, description: 'ID S3 gave the request.' },
  {
    name: 'operation',
    type: 'string',
    piece: P.token,
    description: 'e.g. REST.GET.OBJECT, REST.COPY.OBJECT_GET, WEBSITE.GET.OBJECT, BATCH.DELETE.OBJECT.',
  },
  {
    name: 'key',
    type: 'string',
    piece: P.token,
    description: 'Object key, URL-encoded; NULL when the operation takes none.',
  },
  {
    name: 'request_uri',
    type: 'string',
    piece: P.quoted,
    description: 'Request line without its quotes, e.g. GET /bucket/key?x-foo=bar HTTP/1.1.',
  },
  { name: 'httpstatus', type: 'string', piece: P.status, description: 'HTTP status code of the response.' },
  {
    name: 'errorcode',
    type: 'string',
    piece: P.plainToken,
    description: 'S3 error code; NULL when no error occurred.',
  },
  {
    name: 'bytessent',
    type: 'bigint',
    piece: P.plainToken,
    description: 'Response bytes sent, without HTTP overhead; NULL for zero.',
  },
  { name: 'objectsize', type: 'bigint', piece: P.plainToken, description: 'Total size of the object.' },
  {
    name: 'totaltime',
    type: 'string',
    piece: P.plainToken,
    description: 'Milliseconds the request was in flight, as the server measures it.',
  },
  {
    name: 'turnaroundtime',
    type: 'string',
    piece: P.plainToken,
    description: 'Milliseconds S3 spent processing the request.',
  },
  {
    name: 'referrer',
    type: 'string',
    piece: P.quoted,
    description: 'HTTP Referer header without its quotes; NULL when absent.',
  },
  {
    name: 'useragent',
    type: 'string',
    piece: P.quoted,
    description: 'HTTP User-Agent header without its surrounding quotes; NULL when absent.',
  },
];

/**
 * Fields AWS appended over the years, in delivery order: a record may end after any of them
 * (older records, or fields AWS did not fill), and a record that has them all may carry
 * further fields AWS adds later, which are ignored.
 */
export const S3_ACCESS_TRAILING_FIELDS: readonly S3AccessField[] = [
  {
    name: 'versionid',
    type: 'string',
    piece: P.plainToken,
    description: 'Version ID in the request; NULL when the operation takes none.',
  },
  { name: 'hostid', type: 'string', piece: P.plainToken, description: 'x-amz-id-2 (extended request ID).' },
  {
    name: 'sigv',
    type: 'string',
    piece: P.plainToken,
    description: 'Signature version (SigV2, SigV4); NULL for unauthenticated requests.',
  },
  {
    name: 'ciphersuite',
    type: 'string',
    piece: P.plainToken,
    description: 'TLS cipher negotiated for HTTPS; NULL for HTTP.',
  },
  {
    name: 'authtype',
    type: 'string',
    piece: P.plainToken,
    description: 'AuthHeader or QueryString (presigned URL); NULL for unauthenticated requests.',
  },
  {
    name: 'endpoint',
    type: 'string',
    piece: P.plainToken,
    description: 'Host header: the endpoint used to connect to S3.',
  },
  {
    name: 'tlsversion',
    type: 'string',
    piece: P.plainToken,
    description: 'TLS version negotiated (TLSv1.2, TLSv1.3); NULL when TLS was not used.',
  },
  {
    name: 'accesspointarn',
    type: 'string',
    piece: P.plainToken,
    description: 'ARN of the access point of the request; NULL when none or malformed.',
  },
  {
    name: 'aclrequired',
    type: 'string',
    piece: P.plainToken,
    description: 'Yes when an ACL was required to authorize the request; NULL otherwise.',
  },
  {
    name: 'sourceregion',
    type: 'string',
    piece: P.plainToken,
    description: 'AWS Region the request came from (latest field of the format); NULL when unknown.',
  },
];

/** Every delivered field, in delivery order. */
export const S3_ACCESS_FIELDS: readonly S3AccessField[] = [
  ...S3_ACCESS_LEADING_FIELDS,
  ...S3_ACCESS_TRAILING_FIELDS,
];
