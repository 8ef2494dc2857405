import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import {
  CopyObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ObjectStoreError } from '../../shared/errors.js';
import { copyObject, copySourceOf, getObjectStream, putObject } from '../../shared/storage/s3-objects.js';
import { createS3Store } from '../../shared/storage/s3-store.js';
import { testClient } from './s3-fake-bucket.js';

const KEY = 'AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/f.log.gz';

describe('objects', () => {
  let s3: AwsClientStub<S3Client>;
  beforeEach(() => {
    s3 = mockClient(S3Client);
  });
  afterEach(() => s3.restore());

  it('opens an object as a Node stream', async () => {
    s3.on(GetObjectCommand).resolves({
      Body: Readable.from(['line 1\n', 'line 2\n']),
    } as unknown as GetObjectCommandOutput);
    const stream = await getObjectStream(testClient(), 'central-logs', KEY);
    expect(await text(stream)).toBe('line 1\nline 2\n');
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toStrictEqual([
      { Bucket: 'central-logs', Key: KEY },
    ]);
  });

  it('names bucket and key when the object is gone', async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' }),
    );
    const error = await getObjectStream(testClient(), 'central-logs', KEY).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as ObjectStoreError).failure).toBe('no-such-key');
    expect((error as Error).message).toMatch(
      new RegExp(`^GetObject s3://central-logs/${KEY}: the object does not exist`),
    );
  });

  it('refuses a body that is not a Node stream', async () => {
    s3.on(GetObjectCommand).resolves({});
    await expect(getObjectStream(testClient(), 'central-logs', KEY)).rejects.toThrow(
      `GetObject s3://central-logs/${KEY}: the response has no Node stream body.`,
    );
  });

  it('puts bytes, and streams with their length', async () => {
    s3.on(PutObjectCommand).resolves({});
    const client = testClient();
    await putObject(client, 'lake', 'vpc_flow/_SUCCESS', 'ok', { contentType: 'text/plain' });
    const stream = Readable.from([Buffer.from('PAR1')]);
    await putObject(client, 'lake', 'vpc_flow/part.parquet', { stream, length: 4 });
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toStrictEqual([
      { Bucket: 'lake', Key: 'vpc_flow/_SUCCESS', Body: 'ok', ContentType: 'text/plain' },
      { Bucket: 'lake', Key: 'vpc_flow/part.parquet', Body: stream, ContentLength: 4 },
    ]);
  });

  it('copies with a URL-encoded CopySource', async () => {
    s3.on(CopyObjectCommand).resolves({});
    const from = { bucket: 'lake', key: 'vpc_flow/_staging/run 1/account=1/a+b.parquet' };
    await copyObject(testClient(), from, { bucket: 'lake', key: 'vpc_flow/account=1/a.parquet' });
    expect(s3.commandCalls(CopyObjectCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        Bucket: 'lake',
        Key: 'vpc_flow/account=1/a.parquet',
        CopySource: 'lake/vpc_flow/_staging/run%201/account%3D1/a%2Bb.parquet',
      },
    ]);
    expect(copySourceOf('b', 'x/y z')).toBe('b/x/y%20z');
  });

  it('binds every operation to one client in the store', async () => {
    s3.on(PutObjectCommand).resolves({});
    const store = createS3Store(testClient(), { concurrency: 2 });
    await store.putObject('lake', 'k', 'v');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });
});
