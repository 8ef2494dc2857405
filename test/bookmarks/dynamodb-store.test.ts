import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BookmarkStoreError } from '../../shared/errors.js';
import {
  DynamoBookmarkStore,
  ensureBookmarkTable,
  MAX_ERROR_CHARS,
} from '../../shared/bookmarks/dynamodb-store.js';
import type { ConversionFigures, PartitionKey, RawFingerprint } from '../../shared/bookmarks/types.js';
import { localClient, startMemoryDynalite } from './helpers.js';

const LAKE = '/tmp/lake';
const KEY: PartitionKey = {
  lake: LAKE,
  source: 'vpc_flow',
  account: '111122223333',
  region: 'eu-west-1',
  date: '2024-03-01',
};
const FP: RawFingerprint = { objects: 3, bytes: 4096, newestModified: '2024-03-02T00:10:00.000Z' };
const FIGURES: ConversionFigures = {
  rowsIn: 10,
  rowsOut: 9,
  rowsRejected: 1,
  bytesIn: 5_000_000_000,
  seconds: 1.25,
};
const LEASE_MS = 60_000;

let dynamo: Awaited<ReturnType<typeof startMemoryDynalite>>;
let store: DynamoBookmarkStore;
let tableCount = 0;

beforeAll(async () => {
  dynamo = await startMemoryDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

beforeEach(async () => {
  // A table per test: no test sees another's bookmarks.
  const table = `bookmarks_${++tableCount}`;
  await ensureBookmarkTable(dynamo.client, table);
  store = new DynamoBookmarkStore(dynamo.client, table);
});

function at(key: Partial<PartitionKey>): PartitionKey {
  return { ...KEY, ...key };
}

describe('DynamoBookmarkStore', () => {
  it('round-trips a bookmark through acquire and succeed, numbers as numbers', async () => {
    expect(await store.get(KEY)).toBeUndefined();
    const now = Date.UTC(2024, 2, 2, 1);
    const result = await store.acquire(KEY, { owner: 'runner-a', leaseMs: LEASE_MS, fingerprint: FP, now });
    expect(result).toEqual({
      acquired: true,
      bookmark: {
        ...KEY,
        state: 'RUNNING',
        attempts: 1,
        leaseOwner: 'runner-a',
        leaseExpiresAt: now + LEASE_MS,
        fingerprint: FP,
        startedAt: new Date(now).toISOString(),
        updatedAt: new Date(now).toISOString(),
      },
    });
    expect(await store.get(KEY)).toEqual(result.acquired && result.bookmark);

    await store.succeed(KEY, 'runner-a', FIGURES);
    const done = await store.get(KEY);
    expect(done).toMatchObject({ ...KEY, ...FIGURES, state: 'SUCCEEDED', attempts: 1, fingerprint: FP });
    expect(typeof done?.bytesIn).toBe('number');
    expect(done?.leaseOwner).toBeUndefined();
    expect(done?.leaseExpiresAt).toBeUndefined();
    expect(Date.parse(done?.finishedAt ?? '')).not.toBeNaN();
  });

  it('ensureBookmarkTable is idempotent', async () => {
    await ensureBookmarkTable(dynamo.client, store.tableName);
    await store.acquire(KEY, { owner: 'a', leaseMs: LEASE_MS, fingerprint: FP });
    await ensureBookmarkTable(dynamo.client, store.tableName);
    expect((await store.get(KEY))?.state).toBe('RUNNING');
  });

  it('lists a source by date range, and a whole lake by scan', async () => {
    const keys = [
      at({ date: '2024-02-28' }),
      at({ date: '2024-03-01' }),
      at({ date: '2024-03-01', account: '999988887777' }),
      at({ date: '2024-03-01', region: 'us-east-1' }),
      at({ date: '2024-03-02' }),
      at({ date: '2024-03-03' }),
      at({ date: '2024-03-01', source: 'cloudtrail' }),
      at({ date: '2024-03-01', lake: 's3://other/lake' }),
      // A lake name holding the separator must not leak into the lake it prefixes.
      at({ date: '2024-03-01', lake: `${LAKE}|vpc_flow` }),
    ];
    for (const key of keys) await store.acquire(key, { owner: 'a', leaseMs: LEASE_MS, fingerprint: FP });
    const days = (list: PartitionKey[]) => list.map((b) => `${b.source} ${b.date} ${b.account} ${b.region}`);

    expect(
      days(await store.list({ lake: LAKE, source: 'vpc_flow', from: '2024-03-01', to: '2024-03-02' })),
    ).toEqual([
      'vpc_flow 2024-03-01 111122223333 eu-west-1',
      'vpc_flow 2024-03-01 111122223333 us-east-1',
      'vpc_flow 2024-03-01 999988887777 eu-west-1',
      'vpc_flow 2024-03-02 111122223333 eu-west-1',
    ]);
    expect(days(await store.list({ lake: LAKE, source: 'vpc_flow', from: '2024-03-02' }))).toEqual([
      'vpc_flow 2024-03-02 111122223333 eu-west-1',
      'vpc_flow 2024-03-03 111122223333 eu-west-1',
    ]);
    expect(days(await store.list({ lake: LAKE, source: 'vpc_flow', to: '2024-02-28' }))).toEqual([
      'vpc_flow 2024-02-28 111122223333 eu-west-1',
    ]);
    expect(await store.list({ lake: LAKE, source: 'vpc_flow' })).toHaveLength(6);
    expect(
      await store.list({ lake: LAKE, source: 'vpc_flow', from: '2024-03-03', to: '2024-03-01' }),
    ).toEqual([]);
    expect(await store.list({ lake: LAKE, source: 'alb' })).toEqual([]);

    expect(days(await store.list({ lake: LAKE, from: '2024-03-01', to: '2024-03-01' }))).toEqual([
      'cloudtrail 2024-03-01 111122223333 eu-west-1',
      'vpc_flow 2024-03-01 111122223333 eu-west-1',
      'vpc_flow 2024-03-01 111122223333 us-east-1',
      'vpc_flow 2024-03-01 999988887777 eu-west-1',
    ]);
    expect(await store.list({ lake: LAKE })).toHaveLength(7);
    expect(days(await store.list({ lake: 's3://other/lake' }))).toEqual([
      'vpc_flow 2024-03-01 111122223333 eu-west-1',
    ]);
  });

  it('follows every page of a query and of a scan', async () => {
    // DynamoDB pages at 1 MB: 120 items of 10 KB take two pages.
    const padding = 'x'.repeat(10_000);
    for (let i = 0; i < 120; i++) {
      const date = `2024-01-${String((i % 28) + 1).padStart(2, '0')}`;
      const item = { pk: `${LAKE}|s3_access`, sk: `${date}|${i}|eu-west-1`, lake: LAKE, source: 's3_access' };
      await dynamo.client.send(
        new PutItemCommand({
          TableName: store.tableName,
          Item: marshall({
            ...item,
            account: String(i),
            region: 'eu-west-1',
            date,
            state: 'PENDING',
            attempts: 0,
            padding,
          }),
        }),
      );
    }
    const counted = localClient(dynamo.endpoint);
    let requests = 0;
    counted.middlewareStack.add(
      (next) => (args) => {
        requests += 1;
        return next(args);
      },
      { step: 'initialize' },
    );
    try {
      const paged = new DynamoBookmarkStore(counted, store.tableName);
      expect(await paged.list({ lake: LAKE, source: 's3_access' })).toHaveLength(120);
      expect(requests).toBeGreaterThanOrEqual(2);
      requests = 0;
      expect(await paged.list({ lake: LAKE })).toHaveLength(120);
      expect(requests).toBeGreaterThanOrEqual(2);
    } finally {
      counted.destroy();
    }
  });

  it('acquires a SUCCEEDED partition again, counting the attempt', async () => {
    await store.acquire(KEY, { owner: 'a', leaseMs: LEASE_MS, fingerprint: FP });
    await store.succeed(KEY, 'a', FIGURES);
    const again = await store.acquire(KEY, { owner: 'b', leaseMs: LEASE_MS, fingerprint: FP });
    expect(again.acquired).toBe(true);
    const bookmark = await store.get(KEY);
    expect(bookmark).toMatchObject({ state: 'RUNNING', attempts: 2, leaseOwner: 'b' });
    // The previous conversion's figures describe the previous run, not this one.
    expect(bookmark?.rowsOut).toBeUndefined();
    expect(bookmark?.finishedAt).toBeUndefined();
  });

  it('with skipIfSucceeded, refuses a partition another runner already converted for this fingerprint', async () => {
    await store.acquire(KEY, { owner: 'a', leaseMs: LEASE_MS, fingerprint: FP });
    await store.succeed(KEY, 'a', FIGURES);

    const same = await store.acquire(KEY, {
      owner: 'b',
      leaseMs: LEASE_MS,
      fingerprint: FP,
      skipIfSucceeded: true,
    });
    const lateData = { ...FP, objects: FP.objects + 1 };
    const changed = await store.acquire(KEY, {
      owner: 'c',
      leaseMs: LEASE_MS,
      fingerprint: lateData,
      skipIfSucceeded: true,
    });

    expect(same).toEqual({ acquired: false, upToDate: true });
    expect(changed.acquired).toBe(true);
    expect(await store.get(KEY)).toMatchObject({ state: 'RUNNING', leaseOwner: 'c', attempts: 1 });
  });

  it('takes over a live lease only from an owner the caller knows to be dead', async () => {
    await store.acquire(KEY, { owner: 'host:111:a', leaseMs: LEASE_MS, fingerprint: FP });

    const alive = await store.acquire(KEY, {
      owner: 'b',
      leaseMs: LEASE_MS,
      fingerprint: FP,
      isDeadOwner: () => false,
    });
    const dead = await store.acquire(KEY, {
      owner: 'c',
      leaseMs: LEASE_MS,
      fingerprint: FP,
      isDeadOwner: (owner) => owner === 'host:111:a',
    });

    expect(alive).toMatchObject({ acquired: false, holder: 'host:111:a' });
    expect(dead.acquired).toBe(true);
    expect(await store.get(KEY)).toMatchObject({ state: 'RUNNING', leaseOwner: 'c', attempts: 2 });
  });

  it('acquires a FAILED partition again and clears its error', async () => {
    await store.acquire(KEY, { owner: 'a', leaseMs: LEASE_MS, fingerprint: FP });
    await store.fail(KEY, 'a', 'boom');
    expect(await store.get(KEY)).toMatchObject({ state: 'FAILED', error: 'boom', attempts: 1 });
    const again = await store.acquire(KEY, { owner: 'b', leaseMs: LEASE_MS, fingerprint: FP });
    expect(again.acquired).toBe(true);
    const bookmark = await store.get(KEY);
    expect(bookmark).toMatchObject({ state: 'RUNNING', attempts: 2, leaseOwner: 'b' });
    expect(bookmark?.error).toBeUndefined();
  });

  it('refuses a RUNNING partition whose lease is live, naming the holder', async () => {
    const now = Date.now();
    await store.acquire(KEY, { owner: 'a', leaseMs: LEASE_MS, fingerprint: FP, now });
    const before = await store.get(KEY);
    const refused = await store.acquire(KEY, {
      owner: 'b',
      leaseMs: LEASE_MS,
      fingerprint: FP,
      now: now + 1_000,
    });
    expect(refused).toEqual({ acquired: false, holder: 'a', leaseExpiresAt: now + LEASE_MS });
    expect(await store.get(KEY)).toEqual(before);
  });

  it('takes over a RUNNING partition whose lease expired, and the old holder loses it', async () => {
    const now = Date.now();
    await store.acquire(KEY, { owner: 'dead', leaseMs: 1_000, fingerprint: FP, now });
    const taken = await store.acquire(KEY, {
      owner: 'b',
      leaseMs: LEASE_MS,
      fingerprint: FP,
      now: now + 1_001,
    });
    expect(taken).toMatchObject({
      acquired: true,
      bookmark: { leaseOwner: 'b', attempts: 2, state: 'RUNNING' },
    });
    expect(await store.renew(KEY, 'dead', LEASE_MS)).toBe(false);
    await expect(store.succeed(KEY, 'dead', FIGURES)).rejects.toThrow(/lost to another runner.*held by b/);
    expect((await store.get(KEY))?.leaseOwner).toBe('b');
  });

  it('counts attempts per fingerprint, restarting at 1 when the raw data changed', async () => {
    for (let i = 1; i <= 3; i++) {
      const result = await store.acquire(KEY, { owner: 'a', leaseMs: LEASE_MS, fingerprint: FP });
      expect(result.acquired && result.bookmark.attempts).toBe(i);
      await store.fail(KEY, 'a', `failure ${i}`);
    }
    const late: RawFingerprint = { ...FP, objects: 4, bytes: 5000 };
    const result = await store.acquire(KEY, { owner: 'a', leaseMs: LEASE_MS, fingerprint: late });
    expect(result).toMatchObject({ acquired: true, bookmark: { attempts: 1, fingerprint: late } });
    await store.succeed(KEY, 'a', FIGURES);
    const next = await store.acquire(KEY, { owner: 'a', leaseMs: LEASE_MS, fingerprint: late });
    expect(next.acquired && next.bookmark.attempts).toBe(2);
  });

  it('lets only one of many concurrent acquirers win', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.acquire(KEY, { owner: `runner-${i}`, leaseMs: LEASE_MS, fingerprint: FP }),
      ),
    );
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const holder = (await store.get(KEY))?.leaseOwner;
    for (const r of results) if (!r.acquired) expect(r.holder).toBe(holder);
  });

  it('releases an interrupted partition to PENDING without counting the attempt', async () => {
    await store.acquire(KEY, { owner: 'a', leaseMs: LEASE_MS, fingerprint: FP });

    await store.release(KEY, 'a', 'interrupted by SIGINT');
    const released = await store.get(KEY);
    const again = await store.acquire(KEY, { owner: 'b', leaseMs: LEASE_MS, fingerprint: FP });

    expect(released).toMatchObject({ state: 'PENDING', attempts: 0, error: 'interrupted by SIGINT' });
    expect(released?.leaseOwner).toBeUndefined();
    expect(again.acquired).toBe(true);
    await expect(store.release(KEY, 'a', 'late')).rejects.toThrow(/lease of a .* was lost/);
  });

  it('renews only the lease its owner holds', async () => {
    const now = Date.now();
    await store.acquire(KEY, { owner: 'a', leaseMs: 1_000, fingerprint: FP, now });
    expect(await store.renew(KEY, 'a', LEASE_MS, now + 500)).toBe(true);
    expect((await store.get(KEY))?.leaseExpiresAt).toBe(now + 500 + LEASE_MS);
    // Renewed: the lease no longer expires at now + 1 s.
    expect(
      await store.acquire(KEY, { owner: 'b', leaseMs: LEASE_MS, fingerprint: FP, now: now + 2_000 }),
    ).toMatchObject({
      acquired: false,
      holder: 'a',
    });
    expect(await store.renew(KEY, 'b', LEASE_MS)).toBe(false);
    await store.succeed(KEY, 'a', FIGURES);
    expect(await store.renew(KEY, 'a', LEASE_MS)).toBe(false);
    expect(await store.renew(at({ date: '2024-01-01' }), 'a', LEASE_MS)).toBe(false);
  });

  it('fails with the error truncated and the figures given, dropping the lease', async () => {
    await store.acquire(KEY, { owner: 'a', leaseMs: LEASE_MS, fingerprint: FP });
    await store.fail(KEY, 'a', 'e'.repeat(10_000), { rowsIn: 7, bytesIn: 123 });
    const bookmark = await store.get(KEY);
    expect(bookmark).toMatchObject({ state: 'FAILED', rowsIn: 7, bytesIn: 123 });
    expect(bookmark?.error).toHaveLength(MAX_ERROR_CHARS);
    expect(bookmark?.rowsOut).toBeUndefined();
    expect(bookmark?.leaseOwner).toBeUndefined();
  });

  it('refuses succeed and fail without the lease', async () => {
    await expect(store.fail(KEY, 'a', 'never acquired')).rejects.toThrow(
      /lost to another runner.*no longer exists/,
    );
    await store.acquire(KEY, { owner: 'a', leaseMs: LEASE_MS, fingerprint: FP });
    await expect(store.succeed(KEY, 'b', FIGURES)).rejects.toBeInstanceOf(BookmarkStoreError);
    await expect(store.fail(KEY, 'b', 'not mine')).rejects.toThrow(/lost to another runner/);
    await store.succeed(KEY, 'a', FIGURES);
    await expect(store.succeed(KEY, 'a', FIGURES)).rejects.toThrow(/lost to another runner.*now SUCCEEDED/);
    expect(await store.get(KEY)).toMatchObject({ state: 'SUCCEEDED', ...FIGURES });
  });

  it('rejects keys that would be ambiguous', async () => {
    await expect(store.get(at({ account: '1|2' }))).rejects.toThrow(
      /account must be non-empty and free of '\|'/,
    );
    await expect(store.get(at({ date: '2024-3-1' }))).rejects.toThrow(BookmarkStoreError);
    await expect(store.list({ lake: LAKE, source: 'vpc_flow', from: 'yesterday' })).rejects.toThrow(
      /from must be/,
    );
  });

  it('wraps SDK failures in BookmarkStoreError with the cause', async () => {
    let unreachable: DynamoDBClient | undefined;
    try {
      // A port nothing listens on: the request is refused.
      unreachable = localClient('http://127.0.0.1:9', 1);
      const error = await new DynamoBookmarkStore(unreachable, store.tableName)
        .get(KEY)
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(BookmarkStoreError);
      expect((error as Error).message).toMatch(/^Could not read the bookmark of vpc_flow .*: .*\.$/);
      expect((error as Error).cause).toBeInstanceOf(Error);
      const missing = await new DynamoBookmarkStore(dynamo.client, 'no_such_table')
        .get(KEY)
        .catch((err: unknown) => err);
      expect(missing).toBeInstanceOf(BookmarkStoreError);
      expect((missing as Error).message).toMatch(/no_such_table/);
    } finally {
      unreachable?.destroy();
    }
  });
});
