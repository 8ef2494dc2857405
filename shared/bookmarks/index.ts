export type * from './types.js';
export { DEFAULT_BOOKMARK_TABLE, ensureBookmarkTable } from './bookmark-table.js';
export { DynamoBookmarkStore, MAX_ERROR_CHARS } from './dynamodb-store.js';
export { openLocalBookmarks, type LocalBookmarks } from './local.js';
export { ensureLocalBookmarkServer, stopLocalBookmarkServer } from './local-server.js';
