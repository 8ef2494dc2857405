import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreError } from '../../shared/errors.js';
import { listFolders, listObjects } from '../../shared/storage/s3-list.js';
import { FakeBucket, listInputs, mockS3, testClient } from './s3-fake-bucket.js';

const DAY = 'AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/21/';
const name = (index: number) =>
  `${DAY}111122223333_vpcflowlogs_us-east-1_fl-${String(index).padStart(5, '0')}.log.gz`;
const RAW = { bucket: 'raw-logs', prefix: 'raw/' };

describe('listObjects', () => {
  const keys = Array.from({ length: 3500 }, (_, index) => ({
    key: `raw/${name(index)}`,
    size: 100 + index,
    lastModified: new Date(Date.UTC(2026, 10, 21, 0, 0, index % 60)),
  }));
  const bucket = new FakeBucket('raw-logs', [
    ...keys,
    'raw/AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/20/other-day.log.gz',
    `raw/${DAY}`, // a console "folder" marker: not an object
  ]);
  let s3: AwsClientStub<S3Client>;
  beforeAll(() => {
    s3 = mockS3(bucket);
  });
  afterAll(() => s3.restore());

  it('follows continuation tokens over 4 pages of up to 1,000 keys, keys relative to the raw root', async () => {
    // Prepare
    const client = testClient();
    s3.resetHistory();

    // Act
    const objects = await listObjects(client, RAW, { under: DAY });

    // Assess: exactly one request per page, each carrying the token of the page before.
    const tokens = bucket.served.map((served) => served.output.NextContinuationToken);
    expect(listInputs(s3)).toStrictEqual([
      { Bucket: 'raw-logs', Prefix: `raw/${DAY}` },
      { Bucket: 'raw-logs', Prefix: `raw/${DAY}`, ContinuationToken: tokens[0] },
      { Bucket: 'raw-logs', Prefix: `raw/${DAY}`, ContinuationToken: tokens[1] },
      { Bucket: 'raw-logs', Prefix: `raw/${DAY}`, ContinuationToken: tokens[2] },
    ]);
    expect(bucket.served.map((served) => served.output.KeyCount)).toEqual([1000, 1000, 1000, 501]);
    expect(objects).toHaveLength(3500);
    expect(objects[0]).toEqual({ key: name(0), size: 100, lastModified: new Date('2026-11-21T00:00:00Z') });
    expect(objects[3499]).toEqual({ key: name(3499), size: 3599, lastModified: keys[3499]!.lastModified });
    expect(new Set(objects.map((object) => object.key)).size).toBe(3500);
  });

  it('passes StartAfter as a bucket key', async () => {
    s3.resetHistory();
    const objects = await listObjects(testClient(), RAW, { under: DAY, startAfter: name(3497) });
    expect(listInputs(s3)).toStrictEqual([
      { Bucket: 'raw-logs', Prefix: `raw/${DAY}`, StartAfter: `raw/${name(3497)}` },
    ]);
    expect(objects.map((object) => object.key)).toEqual([name(3498), name(3499)]);
  });
});

describe('listObjects on a broken listing', () => {
  it('fails, naming bucket and prefix, when a truncated page has no token or repeats one', async () => {
    const s3 = mockS3();
    s3.on(ListObjectsV2Command).resolves({ IsTruncated: true, Contents: [] });
    await expect(listObjects(testClient(), RAW, { under: DAY })).rejects.toThrow(
      new RegExp(
        `^ListObjectsV2 s3://raw-logs/raw/${DAY}: S3 said the listing goes on but gave no continuation token`,
      ),
    );
    s3.on(ListObjectsV2Command).resolves({ IsTruncated: true, NextContinuationToken: 'same', Contents: [] });
    const error = await listObjects(testClient(), RAW).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as ObjectStoreError).message).toMatch(/a continuation token it had already given/);
    // One request for the first listing; two for the second (the token, then the same token again).
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(1 + 2);
    s3.restore();
  });
});

describe('listFolders', () => {
  it('pages through 2,300 common prefixes with Delimiter "/"', async () => {
    // Prepare: 2,300 account folders, each holding one object, plus an object at the level itself.
    const accounts = Array.from({ length: 2300 }, (_, index) => String(100000000000 + index));
    const bucket = new FakeBucket('org-trail', [
      ...accounts.map(
        (account) => `AWSLogs/o-abcdefghij/${account}/CloudTrail/us-east-1/2026/11/21/x.json.gz`,
      ),
      'AWSLogs/o-abcdefghij/readme.txt',
    ]);
    const s3 = mockS3(bucket);

    // Act
    const folders = await listFolders(
      testClient(),
      { bucket: 'org-trail', prefix: '' },
      'AWSLogs/o-abcdefghij/',
    );

    // Assess
    const tokens = bucket.served.map((served) => served.output.NextContinuationToken);
    const base = { Bucket: 'org-trail', Prefix: 'AWSLogs/o-abcdefghij/', Delimiter: '/' };
    expect(listInputs(s3)).toStrictEqual([
      base,
      { ...base, ContinuationToken: tokens[0] },
      { ...base, ContinuationToken: tokens[1] },
    ]);
    expect(folders).toEqual(accounts);
    s3.restore();
  });
});
