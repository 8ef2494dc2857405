import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../shared/plan/discover.js';
import { dayFolder, listDay, listDays } from '../../shared/storage/s3-day-listing.js';
import { discoverLogPrefixes, type LogPrefix } from '../../shared/storage/s3-discover.js';
import { relativeKeyOf } from '../../shared/storage/s3-location.js';
import { FakeBucket, listInputs, mockS3, testClient } from './s3-fake-bucket.js';
import {
  byPrefix,
  DATE,
  DISCOVERY_LISTINGS,
  HIVE,
  nightBucket,
  NIGHT_OBJECTS,
  PLAIN,
  RAW,
  TRAIL,
} from './s3-night.js';

const plain: LogPrefix = {
  layout: 'plain',
  account: '111111111111',
  service: 'vpcflowlogs',
  region: 'us-east-1',
  prefix: `${PLAIN}/us-east-1/`,
};
const hive: LogPrefix = {
  layout: 'hive',
  account: '333333333333',
  service: 'vpcflowlogs',
  region: 'us-east-1',
  prefix: `${HIVE}/aws-region=us-east-1/`,
};

describe('dayFolder', () => {
  it.each([
    ['plain', plain, `${PLAIN}/us-east-1/2026/11/21/`],
    ['hive', hive, `${HIVE}/aws-region=us-east-1/year=2026/month=11/day=21/`],
  ])('%s layout', (_layout, prefix, expected) => {
    expect(dayFolder(prefix, DATE)).toBe(expected);
  });

  it('refuses a date that is not YYYY-MM-DD', () => {
    expect(() => dayFolder(plain, '2026-11-1')).toThrow('A day is written YYYY-MM-DD, not "2026-11-1".');
  });
});

describe('a night on a multi-account, multi-region bucket', () => {
  let s3: AwsClientStub<S3Client>;
  afterEach(() => s3.restore());

  it('lists each discovered region folder for that day only, and nothing else', async () => {
    // Prepare
    s3 = mockS3(nightBucket());
    const client = testClient();

    // Act: what a nightly run does — discover, then list the day.
    const { prefixes } = await discoverLogPrefixes(client, RAW);
    const objects = await listDays(client, RAW, prefixes, [DATE]);

    // Assess: the discovery's delimiter listings, then one listing per account × region for the day.
    const dayListings = [
      `${PLAIN}/eu-west-1/2026/11/21/`,
      `${PLAIN}/us-east-1/2026/11/21/`,
      `${TRAIL}/ap-northeast-1/2026/11/21/`,
      `${TRAIL}/us-east-1/2026/11/21/`,
      `${HIVE}/aws-region=eu-central-1/year=2026/month=11/day=21/`,
      `${HIVE}/aws-region=us-east-1/year=2026/month=11/day=21/`,
    ].map((folder) => ({ Bucket: RAW.bucket, Prefix: `raw/${folder}` }));
    expect(byPrefix(listInputs(s3))).toStrictEqual(byPrefix([...DISCOVERY_LISTINGS, ...dayListings]));

    const expected = Object.values(NIGHT_OBJECTS)
      .flat()
      .map((object) => ({ ...object, key: relativeKeyOf(RAW, object.key) }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(objects).toStrictEqual(expected);
  });

  it('fingerprints one day of one account/region (count, bytes, newest modification)', async () => {
    s3 = mockS3(nightBucket());
    const objects = await listDay(testClient(), RAW, hive, DATE);
    expect(listInputs(s3)).toStrictEqual([
      { Bucket: RAW.bucket, Prefix: `raw/${HIVE}/aws-region=us-east-1/year=2026/month=11/day=21/` },
    ]);
    // Both hour folders of the day, none of the day before.
    expect(objects.map((object) => object.key)).toEqual([
      `${HIVE}/aws-region=us-east-1/year=2026/month=11/day=21/hour=05/333333333333_vpcflowlogs_us-east-1_fl-3_f.log.gz`,
      `${HIVE}/aws-region=us-east-1/year=2026/month=11/day=21/hour=06/333333333333_vpcflowlogs_us-east-1_fl-3_g.log.gz`,
    ]);
    expect(fingerprintOf(objects)).toEqual({
      objects: 2,
      bytes: 1810,
      newestModified: '2026-11-21T06:10:00.000Z',
    });
  });

  it('lists two days of a busy region folder through every page (2,100 objects a day)', async () => {
    // Prepare: 5-minute deliveries from seven interfaces' flow logs, 2,100 objects a day.
    const keys = ['2026/11/20', '2026/11/21', '2026/11/22'].flatMap((day) =>
      Array.from(
        { length: 2100 },
        (_, index) => `${plain.prefix}${day}/f-${String(index).padStart(4, '0')}.log.gz`,
      ),
    );
    const bucket = new FakeBucket('busy', keys);
    s3 = mockS3(bucket);

    // Act
    const objects = await listDays(
      testClient(),
      { bucket: 'busy', prefix: '' },
      [plain],
      ['2026-11-21', '2026-11-20'],
    );

    // Assess: three pages per day, nothing of the 22nd.
    const pages = (day: string) => {
      const prefix = `${plain.prefix}${day}/`;
      const tokens = bucket.served
        .filter((served) => served.input.Prefix === prefix)
        .map((s) => s.output.NextContinuationToken);
      return [
        { Bucket: 'busy', Prefix: prefix },
        { Bucket: 'busy', Prefix: prefix, ContinuationToken: tokens[0] },
        { Bucket: 'busy', Prefix: prefix, ContinuationToken: tokens[1] },
      ];
    };
    expect(byPrefix(listInputs(s3))).toStrictEqual(
      byPrefix([...pages('2026/11/20'), ...pages('2026/11/21')]),
    );
    expect(objects).toHaveLength(4200);
    expect(objects.every((object) => !object.key.includes('2026/11/22'))).toBe(true);
  });
});
