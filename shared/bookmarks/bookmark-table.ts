import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { BookmarkStoreError } from '../errors.js';
import { storeFailure } from './failure.js';

/** The bookmark table's name unless configured otherwise. */
export const DEFAULT_BOOKMARK_TABLE = 'athena_logs_bookmarks';

/** Index of bookmarks by `stateKey` (`<lake>|<state>`), oldest `updatedAt` first. */
export const STATE_INDEX = 'by-state';
/** Index of bookmarks by the query or job run in flight (`activeRunId`, sparse). */
export const ACTIVE_RUN_INDEX = 'by-active-run';
/**
 * Index of the partitions waiting out a retry backoff (`retryQueue` = lake, sparse), soonest
 * `retryAt` first: the starter takes the due ones before the rest of the queue.
 */
export const RETRY_INDEX = 'by-retry';

/** On AWS a new table takes seconds to become ACTIVE; dynalite (createTableMs 0) none. */
const ACTIVE_TIMEOUT_MS = 120_000;

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus ?? 'UNKNOWN';
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/**
 * Creates the bookmark table when it is missing (on-demand billing; hash key `pk`, range key
 * `sk`, both strings; the by-state, by-active-run and by-retry indexes) and waits until it is ACTIVE. Safe to call from racing processes.
 *
 * @throws BookmarkStoreError when DynamoDB fails or the table does not become ACTIVE in time.
 */
export async function ensureBookmarkTable(
  client: DynamoDBClient,
  tableName = DEFAULT_BOOKMARK_TABLE,
): Promise<void> {
  try {
    let status = await tableStatus(client, tableName);
    if (status === undefined) {
      try {
        await client.send(
          new CreateTableCommand({
            TableName: tableName,
            BillingMode: 'PAY_PER_REQUEST',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' },
              { AttributeName: 'sk', AttributeType: 'S' },
              { AttributeName: 'stateKey', AttributeType: 'S' },
              { AttributeName: 'updatedAt', AttributeType: 'S' },
              { AttributeName: 'activeRunId', AttributeType: 'S' },
              { AttributeName: 'retryQueue', AttributeType: 'S' },
              { AttributeName: 'retryAt', AttributeType: 'N' },
            ],
            // The same indexes as the deployed table (serverless.yml), so local runs and tests query alike.
            GlobalSecondaryIndexes: [
              {
                IndexName: STATE_INDEX,
                KeySchema: [
                  { AttributeName: 'stateKey', KeyType: 'HASH' },
                  { AttributeName: 'updatedAt', KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'ALL' },
              },
              {
                IndexName: ACTIVE_RUN_INDEX,
                KeySchema: [{ AttributeName: 'activeRunId', KeyType: 'HASH' }],
                Projection: { ProjectionType: 'KEYS_ONLY' },
              },
              {
                IndexName: RETRY_INDEX,
                KeySchema: [
                  { AttributeName: 'retryQueue', KeyType: 'HASH' },
                  { AttributeName: 'retryAt', KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'ALL' },
              },
            ],
          }),
        );
      } catch (err) {
        // Another process created it first: fine, wait for it like for ours.
        if ((err as Error).name !== 'ResourceInUseException') throw err;
      }
    }
    const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
    for (
      let delay = 25;
      (status = await tableStatus(client, tableName)) !== 'ACTIVE';
      delay = Math.min(delay * 2, 2_000)
    ) {
      if (Date.now() > deadline) {
        throw new BookmarkStoreError(
          `The bookmark table ${tableName} is still ${status ?? 'missing'} after ${ACTIVE_TIMEOUT_MS / 1000} seconds.`,
        );
      }
      await sleep(delay);
    }
  } catch (err) {
    if (err instanceof BookmarkStoreError) throw err;
    throw storeFailure(`create or find the bookmark table ${tableName}`, err);
  }
}
