import {
  DeleteObjectsCommand,
  S3Client,
  S3ServiceException,
  type DeleteObjectsCommandInput,
  type DeleteObjectsCommandOutput,
} from '@aws-sdk/client-s3';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ObjectsNotDeletedError, ObjectStoreError } from '../../shared/errors.js';
import { deleteObjects } from '../../shared/storage/s3-delete.js';
import { testClient } from './s3-fake-bucket.js';

const LAKE = 'lake-bucket';
const keys = Array.from(
  { length: 2500 },
  (_, index) =>
    `lake/vpc_flow/account=111111111111/region=us-east-1/v${String(index).padStart(4, '0')}.parquet`,
);
const inputs = (s3: AwsClientStub<S3Client>): DeleteObjectsCommandInput[] =>
  s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input);

describe('deleteObjects', () => {
  let s3: AwsClientStub<S3Client>;
  beforeEach(() => {
    s3 = mockClient(S3Client);
  });
  afterEach(() => s3.restore());

  it('sends 2,500 keys in 3 quiet DeleteObjects requests of at most 1,000', async () => {
    s3.on(DeleteObjectsCommand).resolves({});
    await deleteObjects(testClient(), LAKE, keys);
    const batch = (from: number, to: number) => ({
      Bucket: LAKE,
      Delete: { Objects: keys.slice(from, to).map((Key) => ({ Key })), Quiet: true },
    });
    expect(inputs(s3)).toStrictEqual([batch(0, 1000), batch(1000, 2000), batch(2000, 2500)]);
  });

  it('reads every response’s Errors and fails with all the keys not deleted, after every batch ran', async () => {
    // Prepare: the second batch loses two keys, the third one.
    s3.on(DeleteObjectsCommand).callsFake(
      (input: DeleteObjectsCommandInput): Partial<DeleteObjectsCommandOutput> => {
        const batchKeys = (input.Delete?.Objects ?? []).map((object) => object.Key ?? '');
        const failed = batchKeys.filter((key) => [keys[1500], keys[1999], keys[2400]].includes(key));
        return {
          Errors: failed.map((Key) =>
            Key === keys[2400]
              ? { Key, Code: 'InternalError', Message: 'We encountered an internal error. Please try again.' }
              : { Key, Code: 'AccessDenied', Message: 'Access Denied' },
          ),
        };
      },
    );

    // Act
    const error = await deleteObjects(testClient(), LAKE, keys).catch((caught: unknown) => caught);

    // Assess
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(3);
    expect(error).toBeInstanceOf(ObjectsNotDeletedError);
    const notDeleted = error as ObjectsNotDeletedError;
    expect(notDeleted.failure).toBe('not-deleted');
    expect(notDeleted.bucket).toBe(LAKE);
    expect(notDeleted.notDeleted).toStrictEqual([
      { key: keys[1500], code: 'AccessDenied', message: 'Access Denied' },
      { key: keys[1999], code: 'AccessDenied', message: 'Access Denied' },
      {
        key: keys[2400],
        code: 'InternalError',
        message: 'We encountered an internal error. Please try again.',
      },
    ]);
    expect(notDeleted.message).toBe(
      `DeleteObjects s3://${LAKE}/: 3 of 2500 keys were not deleted: ${keys[1500]} (AccessDenied: Access Denied), ` +
        `${keys[1999]} (AccessDenied: Access Denied), ` +
        `${keys[2400]} (InternalError: We encountered an internal error. Please try again.).`,
    );
  });

  it('names at most ten keys in the message and counts the rest', async () => {
    s3.on(DeleteObjectsCommand).callsFake((input: DeleteObjectsCommandInput) => ({
      Errors: (input.Delete?.Objects ?? []).map((object) => ({ Key: object.Key, Code: 'AccessDenied' })),
    }));
    const error = (await deleteObjects(testClient(), LAKE, keys.slice(0, 25)).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(/: 25 of 25 keys were not deleted: .*\(AccessDenied\).* and 15 more\.$/);
    expect((error as ObjectsNotDeletedError).notDeleted).toHaveLength(25);
  });

  it('sends nothing for no keys, and each key once', async () => {
    s3.on(DeleteObjectsCommand).resolves({});
    await deleteObjects(testClient(), LAKE, []);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    await deleteObjects(testClient(), LAKE, ['a', 'b', 'a']);
    expect(inputs(s3)).toStrictEqual([
      { Bucket: LAKE, Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }], Quiet: true } },
    ]);
  });

  it('maps a request that fails as a whole, naming the permission it needs', async () => {
    s3.on(DeleteObjectsCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'Access Denied',
      }),
    );
    const error = await deleteObjects(testClient(), LAKE, keys.slice(0, 3)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as ObjectStoreError).failure).toBe('access-denied');
    expect((error as Error).message).toMatch(
      new RegExp(
        `^DeleteObjects s3://${LAKE}/ \\(3 keys from ${keys[0]} to ${keys[2]}\\): access denied \\(AccessDenied\\): the credentials need s3:DeleteObject on arn:aws:s3:::${LAKE}/\\*`,
      ),
    );
  });
});
