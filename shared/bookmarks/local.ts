import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { join } from 'node:path';
import { DEFAULT_BOOKMARK_TABLE, ensureBookmarkTable } from './bookmark-table.js';
import { DynamoBookmarkStore } from './dynamodb-store.js';
import { ensureLocalBookmarkServer } from './local-server.js';
import { restartOnRefusal } from './restart-on-refusal.js';
import type { BookmarkStore } from './types.js';

/** The bookmark store of a workdir, on its shared local dynalite server. */
export interface LocalBookmarks {
  store: BookmarkStore;
  /** The client behind the store (e.g. for inspection in tests). */
  client: DynamoDBClient;
  /** Releases this process's connections; the server stays up for others until it idles out. */
  close(): void;
}

/**
 * Opens the bookmarks of `workdir`: starts or joins the dynalite server of `<workdir>/bookmarks/`,
 * ensures the table, and returns a store whose requests follow the server if it idles out and a
 * new one starts.
 *
 * @throws BookmarkStoreError when the server cannot be started or the table cannot be created.
 */
export async function openLocalBookmarks(
  workdir: string,
  options: { tableName?: string } = {},
): Promise<LocalBookmarks> {
  const dir = join(workdir, 'bookmarks');
  let endpoint = (await ensureLocalBookmarkServer(dir)).endpoint;
  const client = new DynamoDBClient({
    region: 'local',
    // A provider, read for every request, so that a restarted server's new port is picked up.
    endpoint: async () => ({ url: new URL(endpoint) }),
    // Not secrets: dynalite ignores credentials, but the SDK must sign requests with something.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  restartOnRefusal(client, async () => {
    endpoint = (await ensureLocalBookmarkServer(dir)).endpoint;
  });
  const tableName = options.tableName ?? DEFAULT_BOOKMARK_TABLE;
  try {
    await ensureBookmarkTable(client, tableName);
  } catch (err) {
    client.destroy();
    throw err;
  }
  return { store: new DynamoBookmarkStore(client, tableName), client, close: () => client.destroy() };
}
