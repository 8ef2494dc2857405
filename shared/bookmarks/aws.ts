import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UsageError } from '../errors.js';
import { DynamoBookmarkStore } from './dynamodb-store.js';
import { storeFailure } from './failure.js';

/**
 * The bookmarks in a DynamoDB table of the AWS account (e.g. the deployment's), for the CLI: runs
 * from a laptop then share leases and history with the Lambda functions, and `status` shows the
 * deployment's calendar. The table must exist: it is the deployment's, never created here.
 */
export async function openAwsBookmarks(
  tableName: string,
  region?: string,
): Promise<{ store: DynamoBookmarkStore; close(): void }> {
  const client = new DynamoDBClient(region ? { region } : {});
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    client.destroy();
    if ((err as Error).name === 'ResourceNotFoundException')
      throw new UsageError(
        `The bookmark table ${tableName} does not exist in this AWS account and region: give the deployment's table as "bookmarkTable" (athena-logs-<stage>-bookmarks), or "bookmarks": "local".`,
        { field: 'bookmarkTable' },
      );
    throw storeFailure(`find the bookmark table ${tableName}`, err);
  }
  return { store: new DynamoBookmarkStore(client, tableName), close: () => client.destroy() };
}
