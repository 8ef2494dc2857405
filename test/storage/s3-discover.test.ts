import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { BucketNotFoundError } from '../../shared/errors.js';
import { discoverLogPrefixes, findAwsLogsFolders } from '../../shared/storage/s3-discover.js';
import { FakeBucket, listInputs, mockS3, testClient } from './s3-fake-bucket.js';
import { byPrefix, DISCOVERY_LISTINGS, HIVE, nightBucket, ORG, PLAIN, RAW, TRAIL } from './s3-night.js';

let s3: AwsClientStub<S3Client>;
afterEach(() => s3.restore());

describe('discoverLogPrefixes', () => {
  it('finds 3 accounts (one under an organization level, one Hive-style) × 2 regions, level by level', async () => {
    // Prepare
    s3 = mockS3(nightBucket());

    // Act
    const discovery = await discoverLogPrefixes(testClient(), RAW);

    // Assess: one delimiter listing per folder above the regions, none at or below a region.
    expect(byPrefix(listInputs(s3))).toStrictEqual(byPrefix(DISCOVERY_LISTINGS));
    expect(discovery.prefixes).toStrictEqual([
      {
        layout: 'plain',
        account: '111111111111',
        service: 'vpcflowlogs',
        region: 'eu-west-1',
        prefix: `${PLAIN}/eu-west-1/`,
      },
      {
        layout: 'plain',
        account: '111111111111',
        service: 'vpcflowlogs',
        region: 'us-east-1',
        prefix: `${PLAIN}/us-east-1/`,
      },
      {
        layout: 'hive',
        account: '333333333333',
        service: 'vpcflowlogs',
        region: 'eu-central-1',
        prefix: `${HIVE}/aws-region=eu-central-1/`,
      },
      {
        layout: 'hive',
        account: '333333333333',
        service: 'vpcflowlogs',
        region: 'us-east-1',
        prefix: `${HIVE}/aws-region=us-east-1/`,
      },
      {
        layout: 'plain',
        account: '222222222222',
        service: 'CloudTrail',
        region: 'ap-northeast-1',
        org: ORG,
        prefix: `${TRAIL}/ap-northeast-1/`,
      },
      {
        layout: 'plain',
        account: '222222222222',
        service: 'CloudTrail',
        region: 'us-east-1',
        org: ORG,
        prefix: `${TRAIL}/us-east-1/`,
      },
    ]);
    // Folders that fit no layout are reported; other services (CloudTrail-Digest) are not.
    expect(discovery.unrecognized).toEqual([`${PLAIN}/not-a-region/`, 'AWSLogs/backup/']);
  });

  it('only enters the services asked for', async () => {
    s3 = mockS3(nightBucket());
    const discovery = await discoverLogPrefixes(testClient(), RAW, { services: ['CloudTrail'] });
    expect(discovery.prefixes.map((prefix) => prefix.prefix)).toEqual([
      `${TRAIL}/ap-northeast-1/`,
      `${TRAIL}/us-east-1/`,
    ]);
    expect(byPrefix(listInputs(s3)).map((input) => input.Prefix)).toEqual(
      byPrefix(DISCOVERY_LISTINGS.filter((input) => !input.Prefix?.endsWith('vpcflowlogs/'))).map(
        (input) => input.Prefix,
      ),
    );
  });

  it('pages through 1,200 accounts and enters only the one a backfill names', async () => {
    // Prepare: more account folders than one page holds.
    const accounts = Array.from({ length: 1200 }, (_, index) => String(500000000000 + index));
    const bucket = new FakeBucket(
      'big-org',
      accounts.flatMap((account) => [
        `AWSLogs/${account}/vpcflowlogs/us-east-1/2026/11/21/a.log.gz`,
        `AWSLogs/${account}/vpcflowlogs/us-west-2/2026/11/21/b.log.gz`,
      ]),
    );
    s3 = mockS3(bucket);
    const wanted = accounts[1100]!;

    // Act
    const discovery = await discoverLogPrefixes(
      testClient(),
      { bucket: 'big-org', prefix: '' },
      { account: wanted, region: 'us-west-2' },
    );

    // Assess
    const token = bucket.served[0]?.output.NextContinuationToken;
    expect(listInputs(s3)).toStrictEqual([
      { Bucket: 'big-org', Prefix: 'AWSLogs/', Delimiter: '/' },
      { Bucket: 'big-org', Prefix: 'AWSLogs/', Delimiter: '/', ContinuationToken: token },
      { Bucket: 'big-org', Prefix: `AWSLogs/${wanted}/`, Delimiter: '/' },
      { Bucket: 'big-org', Prefix: `AWSLogs/${wanted}/vpcflowlogs/`, Delimiter: '/' },
    ]);
    expect(discovery.prefixes).toStrictEqual([
      {
        layout: 'plain',
        account: wanted,
        service: 'vpcflowlogs',
        region: 'us-west-2',
        prefix: `AWSLogs/${wanted}/vpcflowlogs/us-west-2/`,
      },
    ]);
  });

  it('names the bucket when it does not exist', async () => {
    s3 = mockS3();
    const error = await discoverLogPrefixes(testClient(), RAW).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BucketNotFoundError);
    expect((error as Error).message).toMatch(
      /^ListObjectsV2 s3:\/\/central-logs\/raw\/AWSLogs\/: the bucket "central-logs" does not exist \(NoSuchBucket\)/,
    );
  });
});

describe('findAwsLogsFolders', () => {
  it('finds AWSLogs/ at the top and one folder down, and does not enter partition folders', async () => {
    s3 = mockS3(
      new FakeBucket('mixed', [
        'AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/a.log.gz',
        'alb-prod/AWSLogs/111111111111/elasticloadbalancing/us-east-1/2026/11/21/b.log.gz',
        'cloudfront/E2ABC.2026-11-21-00.x.gz',
        'year=2026/month=11/data.parquet',
      ]),
    );
    const folders = await findAwsLogsFolders(testClient(), { bucket: 'mixed', prefix: '' });
    expect(folders).toEqual(['AWSLogs/', 'alb-prod/AWSLogs/']);
    expect(byPrefix(listInputs(s3))).toStrictEqual(
      byPrefix(
        ['', 'alb-prod/', 'cloudfront/'].map((prefix) => ({
          Bucket: 'mixed',
          Prefix: prefix,
          Delimiter: '/',
        })),
      ),
    );
  });
});
