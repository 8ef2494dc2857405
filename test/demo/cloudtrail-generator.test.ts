import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCloudtrailDay } from '../../shared/demo/cloudtrail-generator.js';
import type { GeneratedObject } from '../../shared/demo/types.js';
import { cloudtrail } from '../../shared/sources/cloudtrail.js';
import { matchKey } from '../../shared/sources/index.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

type CloudtrailRecord = Record<string, unknown> & {
  eventTime: string;
  eventSource: string;
  eventName: string;
  sourceIPAddress: string;
  userIdentity: Record<string, unknown>;
};

const DATE = '2024-03-10';
const ACCOUNT = '012345678901';

describe('writeCloudtrailDay', () => {
  let root: string;
  let east: GeneratedObject[];
  let west: GeneratedObject[];
  const read = async (dir: string, object: GeneratedObject) => {
    const text = gunzipSync(await readFile(join(dir, object.key))).toString('utf8');
    return { text, records: (JSON.parse(text) as { Records: CloudtrailRecord[] }).Records };
  };

  beforeAll(async () => {
    root = await makeTempDir('cloudtrail-demo');
    east = await writeCloudtrailDay(join(root, 'a'), { account: ACCOUNT, region: 'us-east-1', date: DATE });
    west = await writeCloudtrailDay(join(root, 'a'), { account: ACCOUNT, region: 'eu-west-1', date: DATE });
  });

  afterAll(async () => {
    await removeTempDir(root);
  });

  it('lays every file out as a trail delivers it, a few per hour', () => {
    const hours = new Set(east.map((object) => /_[0-9]{8}T([0-9]{2})[0-9]{2}Z_/.exec(object.key)?.[1]));

    for (const object of [...east, ...west]) {
      expect(matchKey(cloudtrail, object.key)).toMatchObject({ account: ACCOUNT, date: DATE });
      expect(object.key).toMatch(
        /^AWSLogs\/012345678901\/CloudTrail\/(us-east-1|eu-west-1)\/2024\/03\/10\/012345678901_CloudTrail_\1_20240310T[0-9]{4}Z_[A-Za-z0-9]{16}\.json\.gz$/,
      );
    }
    expect(hours.size).toBe(24);
    expect(east.length).toBeGreaterThanOrEqual(24);
    expect(east.length).toBeLessThanOrEqual(72);
  });

  it('writes one-line {"Records":[…]} documents of 50–200 records, counted in `lines`', async () => {
    for (const object of east.slice(0, 10)) {
      const { text, records } = await read(join(root, 'a'), object);

      expect(text.startsWith('{"Records":[{')).toBe(true);
      expect(text).not.toContain('\n');
      expect(records.length).toBe(object.lines);
      expect(Buffer.byteLength(text)).toBe(object.bytes);
      expect(records.length).toBeGreaterThanOrEqual(50);
      expect(records.length).toBeLessThanOrEqual(200);
    }
  });

  it('gives each record the required keys, a time on the day before its delivery, and the file’s region', async () => {
    for (const object of east.slice(0, 10)) {
      const delivered = /_([0-9]{8}T[0-9]{4})Z_/.exec(object.key)![1]!;
      const deliveredAt = Date.parse(
        `${delivered.slice(0, 4)}-${delivered.slice(4, 6)}-${delivered.slice(6, 8)}T${delivered.slice(9, 11)}:${delivered.slice(11)}:00Z`,
      );
      const { records } = await read(join(root, 'a'), object);
      for (const record of records) {
        for (const key of cloudtrail.format.requiredKeys) expect(record[key]).toBeTypeOf('string');
        expect(record.eventTime).toMatch(/^2024-03-10T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/);
        expect(Date.parse(record.eventTime)).toBeLessThan(deliveredAt);
        expect(Date.parse(record.eventTime)).toBeGreaterThanOrEqual(deliveredAt - 15 * 60_000);
        expect(record.awsRegion).toBe('us-east-1');
        expect(record.recipientAccountId).toBe(ACCOUNT);
      }
    }
  });

  it('mixes S3 data events, EC2, STS, IAM, console sign-ins and AWS-internal callers', async () => {
    const records = (await Promise.all(east.map((object) => read(join(root, 'a'), object)))).flatMap(
      (file) => file.records,
    );
    const names = new Set(records.map((record) => `${record.eventSource} ${record.eventName}`));
    const ips = new Set(records.map((record) => record.sourceIPAddress));

    for (const expected of [
      's3.amazonaws.com GetObject',
      's3.amazonaws.com PutObject',
      'ec2.amazonaws.com RunInstances',
      'ec2.amazonaws.com DescribeInstances',
      'sts.amazonaws.com AssumeRole',
      'iam.amazonaws.com CreateUser',
      'signin.amazonaws.com ConsoleLogin',
      'signin.amazonaws.com SwitchRole',
      'logs.amazonaws.com CreateLogStream',
      'kms.amazonaws.com Decrypt',
    ]) {
      expect(names, expected).toContain(expected);
    }
    expect(ips).toContain('AWS Internal');
    expect(ips).toContain('athena.amazonaws.com');
    expect([...ips].some((ip) => ip.includes(':'))).toBe(true);
    expect(records.filter((record) => record.eventSource === 's3.amazonaws.com').length).toBeGreaterThan(
      records.length / 3,
    );
    expect(records.some((record) => record.errorCode === 'AccessDenied')).toBe(true);
    expect(records.some((record) => record.userIdentity.type === 'AWSService')).toBe(true);
  });

  it('delivers IAM and sign-in events only with us-east-1, where global events land', async () => {
    const records = (await Promise.all(west.map((object) => read(join(root, 'a'), object)))).flatMap(
      (file) => file.records,
    );

    expect(records.some((record) => record.eventSource === 'iam.amazonaws.com')).toBe(false);
    expect(records.some((record) => record.eventSource === 'signin.amazonaws.com')).toBe(false);
    expect(records.every((record) => record.awsRegion === 'eu-west-1')).toBe(true);
  });

  it('is reproducible: the same options give the same files; another seed differs', async () => {
    const again = await writeCloudtrailDay(join(root, 'b'), {
      account: ACCOUNT,
      region: 'us-east-1',
      date: DATE,
    });
    const seeded = await writeCloudtrailDay(join(root, 'c'), {
      account: ACCOUNT,
      region: 'us-east-1',
      date: DATE,
      seed: 7,
    });

    expect(again).toEqual(east);
    expect((await read(join(root, 'b'), again[0]!)).text).toBe((await read(join(root, 'a'), east[0]!)).text);
    expect(seeded.map((object) => object.key)).not.toEqual(east.map((object) => object.key));
  });

  it('scales the records per file', async () => {
    const small = await writeCloudtrailDay(join(root, 'd'), {
      account: ACCOUNT,
      region: 'eu-west-1',
      date: DATE,
      scale: 0.1,
    });

    expect(small.every((object) => object.lines >= 5 && object.lines <= 20)).toBe(true);
  });
});
