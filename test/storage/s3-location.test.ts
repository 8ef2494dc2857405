import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.js';
import {
  bucketNameProblem,
  isS3Url,
  keyIn,
  parseS3Location,
  relativeKeyOf,
  s3Url,
} from '../../shared/storage/s3-location.js';

describe('parseS3Location', () => {
  it.each([
    ['s3://central-logs', { bucket: 'central-logs', prefix: '' }],
    ['s3://central-logs/', { bucket: 'central-logs', prefix: '' }],
    ['s3://central-logs/raw', { bucket: 'central-logs', prefix: 'raw/' }],
    ['s3://central-logs/raw/', { bucket: 'central-logs', prefix: 'raw/' }],
    ['s3://my.logs.2026/team-a/alb/', { bucket: 'my.logs.2026', prefix: 'team-a/alb/' }],
    ['s3://abc/x=1/année/', { bucket: 'abc', prefix: 'x=1/année/' }],
  ])('%s', (text, expected) => {
    expect(parseS3Location(text)).toStrictEqual(expected);
  });

  it.each([
    ['central-logs/raw', 'it does not start with "s3://"'],
    ['/tmp/raw', 'it does not start with "s3://"'],
    ['S3://central-logs/raw', 'write the scheme as "s3://"'],
    ['s3a://central-logs/raw', 'write the scheme as "s3://"'],
    ['s3://', 'it names no bucket'],
    ['s3:///raw', 'it names no bucket'],
    ['s3://ab', 'a bucket name has 3 to 63 characters'],
    [`s3://${'a'.repeat(64)}`, 'a bucket name has 3 to 63 characters'],
    ['s3://Central-Logs', 'a bucket name holds only lowercase letters, digits, dots and hyphens'],
    ['s3://central_logs', 'a bucket name holds only lowercase letters, digits, dots and hyphens'],
    ['s3://-central-logs', 'a bucket name starts and ends with a letter or a digit'],
    ['s3://central-logs.', 'a bucket name starts and ends with a letter or a digit'],
    ['s3://central..logs', 'a bucket name has no two adjacent dots'],
    ['s3://192.168.5.4', 'a bucket name is not an IP address'],
    ['s3://xn--logs', 'bucket names starting with "xn--" are reserved by S3'],
    ['s3://sthree-logs', 'bucket names starting with "sthree-" are reserved by S3'],
    ['s3://amzn-s3-demo-bucket', 'bucket names starting with "amzn-s3-demo-" are reserved by S3'],
    ['s3://logs-s3alias', 'names ending with "-s3alias" belong to access points or other bucket kinds'],
    ['s3://logs--ol-s3', 'names ending with "--ol-s3"'],
    ['s3://logs.mrap', 'names ending with ".mrap"'],
    ['s3://logs--x-s3', 'names ending with "--x-s3"'],
    ['s3://logs--table-s3', 'names ending with "--table-s3"'],
    ['s3://central-logs//raw', 'the prefix has an empty folder name ("//")'],
    ['s3://central-logs/raw//x', 'the prefix has an empty folder name ("//")'],
    ['s3://central-logs/raw/../lake', 'the prefix has a "." or ".." folder'],
    ['s3://central-logs/raw\n', 'the prefix holds a control character'],
    [`s3://central-logs/${'x'.repeat(1024)}`, 'the prefix is longer than an S3 key may be (1024 bytes)'],
  ])('refuses %j: %s', (text, problem) => {
    let thrown: unknown;
    try {
      parseS3Location(text, '--raw');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    const message = (thrown as UsageError).message;
    expect(
      message.startsWith(
        `--raw must be an S3 URL such as s3://my-log-bucket/logs/, not ${JSON.stringify(text)}: `,
      ),
    ).toBe(true);
    expect(message).toContain(problem);
    expect(message.endsWith('.')).toBe(true);
  });

  it('accepts the longest and shortest bucket names', () => {
    expect(bucketNameProblem('abc')).toBeUndefined();
    expect(bucketNameProblem('a'.repeat(63))).toBeUndefined();
  });
});

describe('keys and URLs', () => {
  const raw = { bucket: 'central-logs', prefix: 'raw/' };

  it('joins and splits keys relative to a location', () => {
    expect(keyIn(raw, 'AWSLogs/x.gz')).toBe('raw/AWSLogs/x.gz');
    expect(relativeKeyOf(raw, 'raw/AWSLogs/x.gz')).toBe('AWSLogs/x.gz');
    expect(() => relativeKeyOf(raw, 'lake/x')).toThrow(
      's3://central-logs/lake/x does not lie below s3://central-logs/raw/.',
    );
  });

  it('writes and recognises S3 URLs', () => {
    expect(s3Url('central-logs', 'raw/a b')).toBe('s3://central-logs/raw/a b');
    expect(isS3Url('s3://x')).toBe(true);
    expect(isS3Url('./raw')).toBe(false);
  });
});
