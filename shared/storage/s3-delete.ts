import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { mapWithConcurrency } from '../concurrency.js';
import { ObjectsNotDeletedError, type NotDeletedKey } from '../errors.js';
import { S3_CONCURRENCY } from './s3-client.js';
import { describeRequest, sendMapped } from './s3-errors.js';

/** DeleteObjects takes at most 1,000 keys per request. */
export const DELETE_BATCH = 1000;
/** Keys named in the message of an ObjectsNotDeletedError; the error lists every one. */
const NAMED_IN_MESSAGE = 10;

/**
 * Deletes keys in DeleteObjects requests of at most 1,000 (quiet mode: S3 answers only the
 * failures), a few requests at a time. Every response's per-key `Errors` are read: when any key
 * was not deleted, all batches still run and then ObjectsNotDeletedError lists those keys with
 * S3's code and message. A request that fails as a whole throws its ObjectStoreError. A key that
 * does not exist counts as deleted (S3's own rule), so a repeated delete succeeds.
 */
export async function deleteObjects(
  client: S3Client,
  bucket: string,
  keys: readonly string[],
  concurrency = S3_CONCURRENCY,
): Promise<void> {
  const unique = [...new Set(keys)];
  const batches: string[][] = [];
  for (let start = 0; start < unique.length; start += DELETE_BATCH)
    batches.push(unique.slice(start, start + DELETE_BATCH));
  const request = { operation: 'DeleteObjects' as const, bucket };
  const failures = await mapWithConcurrency(batches, concurrency, async (batch): Promise<NotDeletedKey[]> => {
    const input = { Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } };
    const detail = `${batch.length} keys from ${batch[0]} to ${batch[batch.length - 1]}`;
    const response = await sendMapped({ ...request, detail }, () =>
      client.send(new DeleteObjectsCommand(input)),
    );
    return (response.Errors ?? []).map((error) => ({
      key: error.Key ?? '',
      code: error.Code ?? 'Unknown',
      message: error.Message ?? '',
    }));
  });
  const notDeleted = failures.flat();
  if (notDeleted.length === 0) return;
  const named = notDeleted
    .slice(0, NAMED_IN_MESSAGE)
    .map((failure) => `${failure.key} (${failure.code}${failure.message ? `: ${failure.message}` : ''})`)
    .join(', ');
  const more =
    notDeleted.length > NAMED_IN_MESSAGE ? ` and ${notDeleted.length - NAMED_IN_MESSAGE} more` : '';
  throw new ObjectsNotDeletedError(
    `${describeRequest(request)}: ${notDeleted.length} of ${unique.length} keys were not deleted: ${named}${more}.`,
    { operation: 'DeleteObjects', bucket, notDeleted },
  );
}
