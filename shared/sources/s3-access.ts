import { KEY_PIECES, keyPattern } from './key-layouts.js';
import { S3_ACCESS_FIELDS, S3_ACCESS_LEADING_FIELDS, S3_ACCESS_TRAILING_FIELDS } from './s3-access-fields.js';
import type { KeyLayout, LogSource } from './types.js';

/**
 * The record pattern: the leading fields separated by single spaces, then each trailing field
 * nested inside the optional group of the one before it, so a record may end after any of them
 * but never skip one. Only a record that has every known field may go on: `(?: .*)?` ignores
 * the fields AWS appends in future (its format page asks parsers to), while a shorter record
 * must end where it ends, so a quote inside a user agent cannot shift fields into that tail.
 */
function recordPattern(): string {
  const leading = S3_ACCESS_LEADING_FIELDS.map((field) => field.piece).join(' ');
  const trailing = S3_ACCESS_TRAILING_FIELDS.reduceRight(
    (inner, field) => `(?: ${field.piece}${inner})?`,
    '(?: .*)?',
  );
  return `^${leading}${trailing}$`;
}

/** `YYYY-MM-DD-hh-mm-ss-<UniqueString>`: the name of every log object (delivery time, UTC). */
const TIME_OF_DAY = '(?:[01][0-9]|2[0-3])-[0-5][0-9]-[0-5][0-9]';
const UNIQUE_STRING = '[0-9A-Za-z]+';

/**
 * Non-date-based partitioning: `<prefix>YYYY-MM-DD-hh-mm-ss-<UniqueString>`. The prefix is any
 * folders and may end inside the file name (`logs/mybucket-`); the key names no account or
 * region, so those come from configuration (`flatLayouts.s3_access`).
 */
const simpleLayout: KeyLayout = {
  name: 'simple',
  pattern: keyPattern(
    KEY_PIECES.anyPrefix,
    '[^/]*',
    KEY_PIECES.year,
    '-',
    KEY_PIECES.month,
    '-',
    KEY_PIECES.day,
    '-',
    TIME_OF_DAY,
    '-',
    UNIQUE_STRING,
  ),
  groups: { year: 1, month: 2, day: 3 },
};

/**
 * Date-based partitioning:
 * `<prefix><SourceAccountId>/<SourceRegion>/<SourceBucket>/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-<UniqueString>`.
 * The folders' date (event or delivery time, as the bucket's logging configuration chose) is the
 * partition's; the prefix may end without a slash.
 */
const partitionedLayout: KeyLayout = {
  name: 'partitioned',
  pattern: keyPattern(
    KEY_PIECES.anyPrefix,
    '[^/]*',
    KEY_PIECES.account,
    '/',
    KEY_PIECES.region,
    '/[^/]+/',
    KEY_PIECES.year,
    '/',
    KEY_PIECES.month,
    '/',
    KEY_PIECES.day,
    '/[0-9]{4}-[0-9]{2}-[0-9]{2}-',
    TIME_OF_DAY,
    '-',
    UNIQUE_STRING,
  ),
  groups: { account: 1, region: 2, year: 3, month: 4, day: 5 },
};

/**
 * S3 server access logs, delivered uncompressed to the target bucket: one space-delimited
 * record per line with a bracketed time and quoted request line, referrer and user agent.
 * Columns keep the Athena user guide's names and types (`bucketowner` … `aclrequired`, then the
 * newer `sourceregion`), values without their brackets or quotes; `-` and `"-"` are NULL;
 * `record_time` is the request time as a TIMESTAMP (UTC).
 */
export const s3Access = {
  name: 's3_access',
  title: 'S3 server access logs',
  reference: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html',
  columns: [
    ...S3_ACCESS_FIELDS.map(({ name, type, description }) => ({ name, type, description })),
    {
      name: 'record_time',
      type: 'timestamp',
      description: 'requestdatetime as a timestamp (UTC).',
      derive: { kind: 'clf-timestamp', from: 'requestdatetime' },
    },
  ],
  format: {
    kind: 'regex',
    pattern: recordPattern(),
    groups: S3_ACCESS_FIELDS.map((field) => ({ column: field.name })),
    nullToken: '-',
  },
  // Partitioned first: its keys would also match the simple layout's free prefix.
  layouts: [partitionedLayout, simpleLayout],
  // The named queries filter on operation and group by remoteip: clustered, equal pairs form
  // runs, so both columns' dictionary ids compress to little and scan fast.
  clusterBy: ['operation', 'remoteip'],
} as const satisfies LogSource;
