import { CLOUDFRONT_FIELDS, CLOUDFRONT_RECORD_TIME } from './cloudfront-fields.js';
import { KEY_PIECES, keyPattern } from './key-layouts.js';
import type { KeyLayout, LogSource } from './types.js';

/**
 * Pieces of a CloudFront log file name, `<distribution ID>.YYYY-MM-DD-HH.<unique ID>.gz`.
 * The distribution ID is upper-case letters and digits (`EMLARXS9EXAMPLE`); the optional prefix
 * of the logging configuration comes before it, either as folders (AWS adds the `/` today) or,
 * in files written before AWS did, as text glued to the ID (`myprefixEMLARXS9EXAMPLE.…`).
 */
const CLOUDFRONT_KEY_PIECES = {
  prefixText: '[^/]*',
  distributionId: '[A-Z0-9]+',
  hour: '(?:[01][0-9]|2[0-3])',
  // Random letters and digits; `.gz` is kept optional so a copy decompressed by hand still
  // belongs to its day (gzip is recognised by its magic bytes, never by the name).
  uniqueId: '[A-Za-z0-9]+',
  gzipSuffix: '(?:\\.gz)?',
} as const;

/**
 * The one layout of CloudFront standard (legacy) logs. The key names neither account nor
 * region: the account comes from configuration (`flatLayouts.cloudfront.account`) and the region
 * is `global`, CloudFront being a global service.
 */
function cloudfrontLayout(): KeyLayout {
  const p = KEY_PIECES;
  const c = CLOUDFRONT_KEY_PIECES;
  return {
    name: 'distribution-file',
    pattern: keyPattern(
      p.anyPrefix,
      c.prefixText,
      c.distributionId,
      '\\.',
      p.year,
      '-',
      p.month,
      '-',
      p.day,
      '-',
      c.hour,
      '\\.',
      c.uniqueId,
      c.gzipSuffix,
    ),
    groups: { year: 1, month: 2, day: 3 },
    fixedRegion: 'global',
  };
}

/**
 * CloudFront standard logs (legacy delivery to S3): W3C extended log files, tab-separated, each
 * starting with `#Version: 1.0` and a `#Fields:` directive naming the fields of its records.
 * The field list is read from every object's own directive, so the shorter lists of older files
 * convert alike (fields they lack are NULL). Values stay as delivered (URL-encoded); `-` is NULL.
 */
export const cloudfront = {
  name: 'cloudfront',
  title: 'CloudFront standard logs',
  reference:
    'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html#BasicDistributionFileFormat',
  columns: [
    ...CLOUDFRONT_FIELDS.map(({ name, type, description }) => ({ name, type, description })),
    CLOUDFRONT_RECORD_TIME,
  ],
  format: {
    kind: 'header-delimited',
    delimiter: '\t',
    nullToken: '-',
    fields: CLOUDFRONT_FIELDS,
    header: { kind: 'comment-directive', commentPrefix: '#', directive: '#Fields:' },
  },
  layouts: [cloudfrontLayout()],
  // The usual questions group by URI (top URIs, bytes per object) within a site: sorting on
  // (host_header, uri) puts each object's requests together, so uri, host, content type and
  // length compress to runs, and a query for one site or object skips most row groups.
  clusterBy: ['host_header', 'uri'],
} as const satisfies LogSource;
