import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAwsBookmarks } from '../../shared/bookmarks/aws.js';
import { ensureBookmarkTable } from '../../shared/bookmarks/bookmark-table.js';
import { UsageError } from '../../shared/errors.js';
import { startMemoryDynalite } from './helpers.js';

let dynamo: Awaited<ReturnType<typeof startMemoryDynalite>>;
const saved = { ...process.env };

beforeAll(async () => {
  dynamo = await startMemoryDynalite();
  // The SDK's own endpoint override: the CLI's client is built as on AWS, only the endpoint differs.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
});
afterAll(async () => {
  process.env = saved;
  await dynamo.close();
});

describe('openAwsBookmarks (the CLI on the deployment’s table)', () => {
  it('refuses a table that does not exist, naming it and the setting, and never creates it', async () => {
    const opening = openAwsBookmarks('athena-logs-prod-bookmarks', 'eu-west-1');

    await expect(opening).rejects.toThrow(UsageError);
    await expect(openAwsBookmarks('athena-logs-prod-bookmarks', 'eu-west-1')).rejects.toThrow(
      /The bookmark table athena-logs-prod-bookmarks does not exist in this AWS account and region: give the deployment's table as "bookmarkTable"/,
    );
  });

  it('reads and writes the bookmarks of an existing table', async () => {
    await ensureBookmarkTable(dynamo.client, 'athena-logs-dev-bookmarks');
    const { store, close } = await openAwsBookmarks('athena-logs-dev-bookmarks', 'eu-west-1');
    const key = {
      lake: 's3://lake/',
      source: 'alb',
      account: '111122223333',
      region: 'eu-west-1',
      date: '2026-11-21',
    };

    const lease = await store.acquire(key, {
      owner: 'me',
      leaseMs: 1000,
      fingerprint: { objects: 1, bytes: 1, newestModified: '' },
    });

    expect(lease.acquired).toBe(true);
    expect((await store.list({ lake: 's3://lake/' })).map((bookmark) => bookmark.state)).toEqual(['RUNNING']);
    close();
  });
});
