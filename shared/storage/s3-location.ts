import { UsageError } from '../errors.js';

/**
 * A place in S3 that plays the part of a local folder: a bucket and a key prefix that is either
 * empty (the bucket's top) or ends with '/'. Keys below it are "relative keys", exactly as
 * `listLocalObjects` reports the files of a local raw folder.
 */
export interface S3Location {
  bucket: string;
  /** '' or a prefix ending with '/'. */
  prefix: string;
}

const SCHEME = 's3://';
/** S3 refuses keys longer than 1,024 bytes (UTF-8); a prefix longer than that holds no object. */
const MAX_KEY_BYTES = 1024;
const IP_ADDRESS = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** True when the text is meant as an S3 location (it may still be malformed). */
export function isS3Url(text: string): boolean {
  return text.startsWith(SCHEME);
}

/**
 * Why a name is not a valid general purpose bucket name, or undefined when it is one. Follows the
 * S3 user guide's naming rules (3–63 characters of lowercase letters, digits, '.' and '-', starting
 * and ending with a letter or digit, no '..', not an IP address, no reserved prefix or suffix).
 */
export function bucketNameProblem(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return 'a bucket name has 3 to 63 characters';
  if (!/^[a-z0-9.-]+$/.test(bucket))
    return 'a bucket name holds only lowercase letters, digits, dots and hyphens';
  if (!/^[a-z0-9]/.test(bucket) || !/[a-z0-9]$/.test(bucket))
    return 'a bucket name starts and ends with a letter or a digit';
  if (bucket.includes('..')) return 'a bucket name has no two adjacent dots';
  if (IP_ADDRESS.test(bucket)) return 'a bucket name is not an IP address';
  const prefix = RESERVED_PREFIXES.find((reserved) => bucket.startsWith(reserved));
  if (prefix) return `bucket names starting with "${prefix}" are reserved by S3`;
  const suffix = RESERVED_SUFFIXES.find((reserved) => bucket.endsWith(reserved));
  if (suffix) return `names ending with "${suffix}" belong to access points or other bucket kinds`;
  return undefined;
}

/** Why a key prefix cannot name a folder of objects, or undefined when it can. */
function prefixProblem(prefix: string): string | undefined {
  if (prefix.startsWith('/') || prefix.includes('//'))
    return 'the prefix has an empty folder name ("//"): S3 keys written by AWS never do';
  const segments = prefix.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..'))
    return 'the prefix has a "." or ".." folder: S3 keys have no relative folders';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(prefix)) return 'the prefix holds a control character';
  if (Buffer.byteLength(prefix, 'utf8') >= MAX_KEY_BYTES)
    return `the prefix is longer than an S3 key may be (${MAX_KEY_BYTES} bytes)`;
  return undefined;
}

/**
 * Parses `s3://bucket[/prefix]` into a location whose prefix is a folder ('' or ending with '/').
 * `what` names the setting in the message of the UsageError thrown for bad input (e.g. `--raw`).
 */
export function parseS3Location(text: string, what = 'The S3 location'): S3Location {
  const fail = (problem: string): never => {
    throw new UsageError(
      `${what} must be an S3 URL such as s3://my-log-bucket/logs/, not ${JSON.stringify(text)}: ${problem}.`,
      { field: what },
    );
  };
  if (!isS3Url(text)) {
    return fail(
      /^s3[an]?:\/\//i.test(text) ? 'write the scheme as "s3://"' : 'it does not start with "s3://"',
    );
  }
  const rest = text.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const rawPrefix = slash === -1 ? '' : rest.slice(slash + 1);
  if (bucket === '') return fail('it names no bucket');
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem) return fail(`"${bucket}" is not a valid bucket name (${bucketProblem})`);
  const problem = prefixProblem(rawPrefix);
  if (problem) return fail(problem);
  const prefix = rawPrefix === '' || rawPrefix.endsWith('/') ? rawPrefix : `${rawPrefix}/`;
  return { bucket, prefix };
}

/** `s3://bucket/key` — how messages name an object or a prefix. */
export function s3Url(bucket: string, key = ''): string {
  return `${SCHEME}${bucket}/${key}`;
}

/** Bucket and key of `s3://bucket/key`, the key as written (perhaps empty); undefined for other text. */
export function splitS3Url(url: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}

/** `s3://bucket/prefix`: the URL of a location (a folder when its prefix ends in `/`). */
export function locationUrl(location: S3Location): string {
  return s3Url(location.bucket, location.prefix);
}

/** The bucket key of a key relative to a location. */
export function keyIn(location: S3Location, relativeKey: string): string {
  return `${location.prefix}${relativeKey}`;
}

/** A bucket key relative to a location (the key must lie below it). */
export function relativeKeyOf(location: S3Location, key: string): string {
  if (!key.startsWith(location.prefix)) {
    throw new Error(
      `${s3Url(location.bucket, key)} does not lie below ${s3Url(location.bucket, location.prefix)}.`,
    );
  }
  return key.slice(location.prefix.length);
}
