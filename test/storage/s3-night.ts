import type { ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { FakeBucket, type FakeObject } from './s3-fake-bucket.js';

/**
 * A central log bucket on the night of 2026-11-21, its raw logs under `raw/`: three accounts ×
 * two regions — account 1 plain VPC flow logs, account 2 an organization trail (`o-…` level),
 * account 3 Hive-compatible flow logs with hour folders — each with the day before too, an older
 * year, other services' folders, folders that fit no layout, and a lake beside the raw prefix.
 */
export const RAW = { bucket: 'central-logs', prefix: 'raw/' };
export const ORG = 'o-a1b2c3d4e5';
export const DATE = '2026-11-21';

const at = (iso: string) => new Date(iso);
const object = (key: string, size: number, lastModified: string): FakeObject => ({
  key: `raw/${key}`,
  size,
  lastModified: at(lastModified),
});

export const PLAIN = 'AWSLogs/111111111111/vpcflowlogs';
export const TRAIL = `AWSLogs/${ORG}/222222222222/CloudTrail`;
export const HIVE = 'AWSLogs/aws-account-id=333333333333/aws-service=vpcflowlogs';

/** The objects of the night itself, by region folder (relative keys). */
export const NIGHT_OBJECTS: Record<string, FakeObject[]> = {
  [`${PLAIN}/us-east-1/`]: [
    object(
      `${PLAIN}/us-east-1/2026/11/21/111111111111_vpcflowlogs_us-east-1_fl-1_20261121T0000Z_a.log.gz`,
      1200,
      '2026-11-21T00:05:00Z',
    ),
    object(
      `${PLAIN}/us-east-1/2026/11/21/111111111111_vpcflowlogs_us-east-1_fl-1_20261121T2355Z_b.log.gz`,
      800,
      '2026-11-22T00:01:00Z',
    ),
  ],
  [`${PLAIN}/eu-west-1/`]: [
    object(
      `${PLAIN}/eu-west-1/2026/11/21/111111111111_vpcflowlogs_eu-west-1_fl-2_20261121T1200Z_c.log.gz`,
      500,
      '2026-11-21T12:05:00Z',
    ),
  ],
  [`${TRAIL}/us-east-1/`]: [
    object(
      `${TRAIL}/us-east-1/2026/11/21/222222222222_CloudTrail_us-east-1_20261121T0100Z_d.json.gz`,
      3000,
      '2026-11-21T01:05:00Z',
    ),
  ],
  [`${TRAIL}/ap-northeast-1/`]: [
    object(
      `${TRAIL}/ap-northeast-1/2026/11/21/222222222222_CloudTrail_ap-northeast-1_20261121T0200Z_e.json.gz`,
      700,
      '2026-11-21T02:05:00Z',
    ),
  ],
  [`${HIVE}/aws-region=us-east-1/`]: [
    object(
      `${HIVE}/aws-region=us-east-1/year=2026/month=11/day=21/hour=05/333333333333_vpcflowlogs_us-east-1_fl-3_f.log.gz`,
      900,
      '2026-11-21T05:10:00Z',
    ),
    object(
      `${HIVE}/aws-region=us-east-1/year=2026/month=11/day=21/hour=06/333333333333_vpcflowlogs_us-east-1_fl-3_g.log.gz`,
      910,
      '2026-11-21T06:10:00Z',
    ),
  ],
  [`${HIVE}/aws-region=eu-central-1/`]: [
    object(
      `${HIVE}/aws-region=eu-central-1/year=2026/month=11/day=21/333333333333_vpcflowlogs_eu-central-1_fl-4_h.log.gz`,
      450,
      '2026-11-21T23:59:00Z',
    ),
  ],
};

/** Everything else in the bucket: none of it may be listed on the night. */
const OTHER_KEYS = [
  `raw/${PLAIN}/us-east-1/2026/11/20/111111111111_vpcflowlogs_us-east-1_fl-1_20261120T0000Z_x.log.gz`,
  `raw/${PLAIN}/us-east-1/2025/01/01/111111111111_vpcflowlogs_us-east-1_fl-1_20250101T0000Z_y.log.gz`,
  `raw/${PLAIN}/eu-west-1/2026/11/22/111111111111_vpcflowlogs_eu-west-1_fl-2_20261122T0000Z_z.log.gz`,
  `raw/${PLAIN}/not-a-region/stray.txt`,
  `raw/${TRAIL}/us-east-1/2026/11/20/222222222222_CloudTrail_us-east-1_20261120T0100Z_w.json.gz`,
  `raw/AWSLogs/${ORG}/222222222222/CloudTrail-Digest/us-east-1/2026/11/21/digest.json.gz`,
  `raw/${HIVE}/aws-region=us-east-1/year=2026/month=11/day=20/hour=23/333333333333_vpcflowlogs_us-east-1_fl-3_v.log.gz`,
  'raw/AWSLogs/readme.txt',
  'raw/AWSLogs/backup/old.tar',
  'lake/vpc_flow/account=111111111111/region=us-east-1/year=2026/month=11/day=21/part-00000.snappy.parquet',
];

export function nightBucket(): FakeBucket {
  return new FakeBucket(RAW.bucket, [...Object.values(NIGHT_OBJECTS).flat(), ...OTHER_KEYS]);
}

/** The delimiter listings of the discovery, and nothing else: AWSLogs, org, accounts, services. */
export const DISCOVERY_LISTINGS: ListObjectsV2CommandInput[] = [
  'raw/AWSLogs/',
  `raw/AWSLogs/${ORG}/`,
  'raw/AWSLogs/111111111111/',
  `raw/AWSLogs/${ORG}/222222222222/`,
  'raw/AWSLogs/aws-account-id=333333333333/',
  `raw/${PLAIN}/`,
  `raw/${TRAIL}/`,
  `raw/${HIVE}/`,
].map((prefix) => ({ Bucket: RAW.bucket, Prefix: prefix, Delimiter: '/' }));

/** Orders request inputs by prefix (requests fan out, so their order is not part of the contract). */
export function byPrefix(inputs: ListObjectsV2CommandInput[]): ListObjectsV2CommandInput[] {
  const order = (input: ListObjectsV2CommandInput) => `${input.Prefix}|${input.Delimiter ?? ''}`;
  return [...inputs].sort((a, b) => order(a).localeCompare(order(b)));
}
