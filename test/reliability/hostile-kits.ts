import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceName } from '../../shared/sources/types.js';
import { flowLine, V2_HEADER } from '../fixtures/raw-objects.js';

/*
 * What the hostile-input suite needs of each source: keys of one partition laid out as AWS
 * delivers them, valid records (from the AWS documentation examples of test/fixtures/logs), and
 * how an object wraps its records (flow-log header, CloudFront directives, CloudTrail's Records).
 */

export const ACCOUNT = '000000000077';
const LOGS = join(import.meta.dirname, '..', 'fixtures', 'logs');

/** The configuration the flat layouts need (the README's `flatLayouts`). */
export const FLAT_LAYOUTS = {
  s3_access: { account: ACCOUNT, region: 'us-east-1' },
  cloudfront: { account: ACCOUNT },
};

export interface SourceKit {
  source: SourceName;
  region: string;
  /** Whether AWS delivers the source's objects gzip-compressed (S3 access and classic ELB: plain). */
  gzip: boolean;
  /** Lines before the first record of an object (flow-log header, CloudFront directives). */
  headerLines: number;
  /** A key of the partition of `date`; `tag` (letters and digits) tells the objects apart. */
  key(date: string, tag: string): string;
  /** A valid record (JSON text for CloudTrail). */
  good(index: number): string;
  /** An object's text holding these records (JSON texts for CloudTrail). */
  object(records: readonly string[]): string;
}

const compact = (date: string) => date.replaceAll('-', '');
const dayFolders = (date: string) => date.replaceAll('-', '/');

function fixtureRecords(source: string, file: string): string[] {
  return readFileSync(join(LOGS, source, file), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function cycle(lines: readonly string[]): (index: number) => string {
  return (index) => lines[index % lines.length] ?? '';
}

const lineObject =
  (...header: string[]) =>
  (records: readonly string[]): string =>
    [...header, ...records].map((line) => `${line}\n`).join('');

const CLOUDFRONT_HEADER = readFileSync(join(LOGS, 'cloudfront', 'aws-doc-example.log'), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('#'));

const CLOUDTRAIL_RECORDS = (
  JSON.parse(readFileSync(join(LOGS, 'cloudtrail', 'management-events.json'), 'utf8')) as {
    Records: unknown[];
  }
).Records.map((record) => JSON.stringify(record));

const elbName = (account: string, region: string, date: string, name: string, tag: string) =>
  `AWSLogs/${account}/elasticloadbalancing/${region}/${dayFolders(date)}/` +
  `${account}_elasticloadbalancing_${region}_${name}_${compact(date)}T0005Z_10.0.0.1_${tag}`;

export const KITS: readonly SourceKit[] = [
  {
    source: 'vpc_flow',
    region: 'us-east-1',
    gzip: true,
    headerLines: 1,
    key: (date, tag) =>
      `AWSLogs/${ACCOUNT}/vpcflowlogs/us-east-1/${dayFolders(date)}/` +
      `${ACCOUNT}_vpcflowlogs_us-east-1_fl-0123456789abcdef0_${compact(date)}T0000Z_${tag}.log.gz`,
    good: (index) => flowLine(ACCOUNT, index),
    object: lineObject(V2_HEADER),
  },
  {
    source: 's3_access',
    region: 'us-east-1',
    gzip: false,
    headerLines: 0,
    // The simple prefix: a flat layout, account and region from flatLayouts.s3_access.
    key: (date, tag) => `s3-access/${date}-00-10-00-${tag.toUpperCase()}`,
    good: cycle(fixtureRecords('s3_access', 'aws-doc-current.log')),
    object: lineObject(),
  },
  {
    source: 'cloudtrail',
    region: 'us-east-1',
    gzip: true,
    headerLines: 0,
    key: (date, tag) =>
      `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/${dayFolders(date)}/` +
      `${ACCOUNT}_CloudTrail_us-east-1_${compact(date)}T0005Z_${tag}.json.gz`,
    good: cycle(CLOUDTRAIL_RECORDS),
    object: (records) => `{"Records":[${records.join(',')}]}`,
  },
  {
    source: 'alb',
    region: 'us-east-1',
    gzip: true,
    headerLines: 0,
    key: (date, tag) => `${elbName(ACCOUNT, 'us-east-1', date, 'app.shop.0123456789abcdef', tag)}.log.gz`,
    good: cycle(fixtureRecords('alb', 'current-format.log')),
    object: lineObject(),
  },
  {
    source: 'elb',
    region: 'us-east-1',
    gzip: false,
    headerLines: 0,
    key: (date, tag) => `${elbName(ACCOUNT, 'us-east-1', date, 'legacy', tag)}.log`,
    good: cycle(fixtureRecords('elb', 'aws-doc-examples.log')),
    object: lineObject(),
  },
  {
    source: 'cloudfront',
    region: 'global',
    gzip: true,
    headerLines: CLOUDFRONT_HEADER.length,
    // A flat layout: the account from flatLayouts.cloudfront, region `global`.
    key: (date, tag) => `cf-logs/E2QWRUHAPOMQZL.${date}-00.${tag}.gz`,
    good: cycle(fixtureRecords('cloudfront', 'aws-doc-example.log')),
    object: lineObject(...CLOUDFRONT_HEADER),
  },
];
