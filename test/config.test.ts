import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../shared/config.js';
import { UsageError } from '../shared/errors.js';
import { makeTempDir, removeTempDir } from './fixtures/temp-dir.js';

describe('resolveConfig', () => {
  let dir: string;
  const configFile = async (name: string, content: unknown) => {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  beforeAll(async () => {
    dir = await makeTempDir('config');
  });

  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('defaults to the embedded workdir layout', async () => {
    const config = await resolveConfig({}, dir);

    expect(config).toMatchObject({
      workdir: join(dir, '.athena-logs'),
      raw: join(dir, '.athena-logs', 'raw'),
      lake: join(dir, '.athena-logs', 'lake'),
      rawIsDefault: true,
      engine: 'duckdb',
      retryBudget: 3,
      parquetVersion: 'v2',
    });
    expect(config.sources.map((source) => source.name)).toEqual([
      'vpc_flow',
      's3_access',
      'cloudtrail',
      'alb',
      'elb',
      'cloudfront',
    ]);
  });

  it('lets flags win over the file, and the file over the defaults', async () => {
    const path = await configFile('c.json', { lake: 'from-file', retryBudget: 5, leaseSeconds: 60 });

    const config = await resolveConfig({ config: path, lake: 'from-flag', raw: 'raw-here' }, dir);

    expect(config).toMatchObject({
      lake: join(dir, 'from-flag'),
      raw: join(dir, 'raw-here'),
      rawIsDefault: false,
      retryBudget: 5,
      leaseSeconds: 60,
    });
  });

  it('reads the workdir from the file, and resolves paths in the file against its folder', async () => {
    const path = await configFile('nested/c.json', { workdir: 'work', raw: '../raw' });

    const config = await resolveConfig({ config: path }, '/somewhere/else');

    expect(config).toMatchObject({
      workdir: join(dir, 'nested', 'work'),
      raw: join(dir, 'raw'),
      lake: join(dir, 'nested', 'work', 'lake'),
      rawIsDefault: false,
    });
  });

  it.each([
    [{ unknownKey: 1 }, /unknown key "unknownKey"/],
    [{ retryBudget: 0 }, /retryBudget must be a whole number from 1 to/],
    [{ leaseSeconds: 1_000_000_000 }, /leaseSeconds must be a whole number from 1 to 86400/],
    [{ duckdbMemoryLimit: 'lots' }, /duckdbMemoryLimit must be a size/],
    [{ parquetVersion: 'v3' }, /parquetVersion must be "v1" or "v2"/],
    [{ sources: ['vpc_flow', 'nope'] }, /Unknown source "nope"/],
    [{ sources: 'vpc_flow' }, /"sources" must be a non-empty list of source names/],
    [{ sources: [] }, /"sources" must be a non-empty list of source names/],
    [{ raw: 5 }, /"raw" must be a non-empty string/],
    [{ bookmarkTable: 'x' }, /"bookmarkTable" must be a DynamoDB table name/],
    ['{ not json', /is not valid JSON/],
  ])('refuses a bad configuration file with a message naming the problem: %j', async (content, message) => {
    const path = await configFile('bad.json', content);

    await expect(resolveConfig({ config: path }, dir)).rejects.toThrow(message);
    await expect(resolveConfig({ config: path }, dir)).rejects.toBeInstanceOf(UsageError);
  });

  it("resolves the AWS engines' settings, with the defaults and a cap of 20 conversions in flight", async () => {
    const path = await configFile('aws.json', {
      engine: 'athena',
      raw: 's3://raw-bucket/logs/',
      lake: 's3://lake-bucket/',
      athena: { workgroup: 'logs', outputLocation: 's3://results-bucket/athena/' },
      s3Prefixes: { s3_access: 'access/', cloudfront: 'cdn/' },
    });

    const config = await resolveConfig({ config: path }, dir);

    expect(config).toMatchObject({ engine: 'athena', concurrency: 20, raw: 's3://raw-bucket/logs/' });
    expect(config.aws).toEqual({
      raw: { bucket: 'raw-bucket', prefix: 'logs/' },
      lake: { bucket: 'lake-bucket', prefix: '' },
      database: 'athena_logs',
      athena: { workgroup: 'logs', outputLocation: 's3://results-bucket/athena/' },
      glue: { jobName: undefined },
      awsRegion: undefined,
      s3Prefixes: { s3_access: 'access/', cloudfront: 'cdn/' },
      registration: 'glue',
    });
  });

  it('spells an S3 lake one way (as the Lambda functions key their bookmarks), and reads where the bookmarks live', async () => {
    const path = await configFile('aws-bookmarks.json', {
      engine: 'athena',
      raw: 's3://raw-bucket/logs/',
      lake: 's3://lake-bucket/lake',
      bookmarks: 'aws',
      bookmarkTable: 'athena-logs-prod-bookmarks',
      sources: ['alb'],
    });

    const config = await resolveConfig({ config: path }, dir);

    expect(config).toMatchObject({
      lake: 's3://lake-bucket/lake/',
      bookmarks: 'aws',
      bookmarkTable: 'athena-logs-prod-bookmarks',
    });
    expect((await resolveConfig({}, dir)).bookmarks).toBe('local');
    const wrong = await configFile('wrong-bookmarks.json', { bookmarks: 'dynamo' });
    await expect(resolveConfig({ config: wrong }, dir)).rejects.toThrow(/bookmarks/);
  });

  it.each([
    [{ engine: 'spark' }, /--engine must be duckdb, athena or glue/],
    [{ engine: 'athena' }, /--engine athena reads raw logs from S3: give --raw s3:/],
    [{ engine: 'glue', raw: 's3://raw-bucket/', lake: 'lake' }, /--engine glue writes the lake to S3/],
    [{ engine: 'glue', raw: 's3://raw-bucket/', lake: 's3://lake-bucket/' }, /glue.jobName/],
    [
      { engine: 'athena', raw: 's3://raw-bucket/', lake: 's3://lake-bucket/', source: 'cloudfront' },
      /s3Prefixes.cloudfront/,
    ],
    [
      { engine: 'athena', raw: 's3://Bad_Bucket/', lake: 's3://lake-bucket/', source: 'vpc_flow' },
      /Bad_Bucket/,
    ],
    [{ lake: 's3://bucket/lake' }, /--engine duckdb reads and writes local folders/],
    [{ config: 'missing.json' }, /cannot be read/],
  ])('refuses flags it cannot honour: %j', async (flags, message) => {
    await expect(resolveConfig(flags, dir)).rejects.toThrow(message);
  });
});
