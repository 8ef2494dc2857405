import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBookmarkTable } from '../../shared/bookmarks/bookmark-table.js';
import { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { InFlightSlots } from '../../shared/bookmarks/in-flight-slots.js';
import type { PartitionKey, RawFingerprint } from '../../shared/bookmarks/types.js';
import { startMemoryDynalite } from './helpers.js';

const LAKE = 's3://lake-bucket/lake/';
const KEY: PartitionKey = {
  lake: LAKE,
  source: 'alb',
  account: '111122223333',
  region: 'eu-west-1',
  date: '2026-11-20',
};
const FP: RawFingerprint = { objects: 2, bytes: 300, newestModified: '2026-11-21T00:10:00.000Z' };
const NEWER: RawFingerprint = { objects: 3, bytes: 400, newestModified: '2026-11-21T05:00:00.000Z' };
const PLAN = 's3://lake-bucket/lake/_plans/alb/plan.json';
const T0 = Date.UTC(2026, 10, 21, 2);

let dynamo: Awaited<ReturnType<typeof startMemoryDynalite>>;
let store: ConversionStore;
let table: string;
let tables = 0;

beforeAll(async () => {
  dynamo = await startMemoryDynalite();
});
afterAll(async () => {
  await dynamo.close();
});
beforeEach(async () => {
  table = `conversions_${++tables}`;
  await ensureBookmarkTable(dynamo.client, table);
  store = new ConversionStore(dynamo.client, table);
});

const day = (date: string): PartitionKey => ({ ...KEY, date });

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function running(key = KEY, owner = 'conversion:c1') {
  await store.queue(key, { fingerprint: FP, plan: PLAN, resetAttempts: false, now: T0 });
  const lease = await store.acquire(key, { owner, leaseMs: 60_000, fingerprint: FP, now: T0 });
  expect(lease.acquired).toBe(true);
  expect(
    await store.started(key, owner, {
      conversionId: 'c1',
      run: { step: 'parse', runId: 'q-1' },
      leaseMs: 60_000,
      now: T0,
    }),
  ).toBe(true);
}

describe('ConversionStore', () => {
  it('queues partitions PENDING and lists them oldest first through the by-state index', async () => {
    for (const [index, date] of ['2026-11-19', '2026-11-17', '2026-11-18'].entries())
      expect(
        await store.queue(day(date), {
          fingerprint: FP,
          plan: PLAN,
          resetAttempts: false,
          now: T0 + index * 1000,
        }),
      ).toBe(true);

    const pending = await all(store.inState(LAKE, 'PENDING'));

    expect(pending.map((bookmark) => bookmark.date)).toEqual(['2026-11-19', '2026-11-17', '2026-11-18']);
    expect(pending[0]).toMatchObject({ state: 'PENDING', attempts: 0, plan: PLAN, fingerprint: FP });
    expect(await store.countInState(LAKE, 'PENDING')).toBe(3);
    expect(await store.countInState('s3://other-lake/', 'PENDING')).toBe(0);
  });

  it('keeps the attempts of the same objects, restarts them for new objects or a backfill, and never queues a RUNNING one', async () => {
    await running();
    await store.retryLater(KEY, 'conversion:c1', 'boom', T0 + 5000);
    expect(await store.get(KEY)).toMatchObject({
      state: 'PENDING',
      attempts: 1,
      retryAt: T0 + 5000,
      error: 'boom',
    });

    await store.queue(KEY, { fingerprint: FP, plan: PLAN, resetAttempts: false });
    expect((await store.get(KEY))?.attempts).toBe(1);
    await store.queue(KEY, { fingerprint: NEWER, plan: PLAN, resetAttempts: false });
    expect((await store.get(KEY))?.attempts).toBe(0);

    await running(day('2026-11-21'));
    expect(
      await store.queue(day('2026-11-21'), {
        fingerprint: NEWER,
        plan: PLAN,
        resetAttempts: true,
        now: T0 + 10,
      }),
    ).toBe(false);
    expect((await store.get(day('2026-11-21')))?.state).toBe('RUNNING');
    // Once its lease expired (its runner died, nobody renewed it), a RUNNING one is taken over.
    expect(
      await store.queue(day('2026-11-21'), {
        fingerprint: NEWER,
        plan: PLAN,
        resetAttempts: true,
        now: T0 + 60_001,
      }),
    ).toBe(true);
    expect(await store.get(day('2026-11-21'))).toMatchObject({
      state: 'PENDING',
      attempts: 0,
      fingerprint: NEWER,
    });
    expect((await store.get(day('2026-11-21')))?.leaseOwner).toBeUndefined();
  });

  it('starts a queued partition only as listed, once its backoff elapsed', async () => {
    await store.queue(KEY, { fingerprint: FP, plan: PLAN, resetAttempts: false, now: T0 });
    const [listed] = await all(store.inState(LAKE, 'PENDING'));
    const lease = { owner: 'conversion:c1', leaseMs: 60_000 };

    const started = await store.startQueued(listed!, { ...lease, now: T0 + 1 });
    const again = await store.startQueued(listed!, { owner: 'conversion:c2', leaseMs: 60_000, now: T0 + 2 });

    expect(started).toMatchObject({ state: 'RUNNING', attempts: 1, leaseOwner: 'conversion:c1' });
    expect(again).toBeUndefined();
    await store.retryLater(KEY, 'conversion:c1', 'boom', T0 + 5000, T0 + 3);
    const [waiting] = await all(store.inState(LAKE, 'PENDING'));
    expect(await store.startQueued(waiting!, { ...lease, now: T0 + 4000 })).toBeUndefined();
    expect(await store.startQueued(waiting!, { ...lease, now: T0 + 5000 })).toMatchObject({
      state: 'RUNNING',
      attempts: 2,
    });
    expect((await store.get(KEY))?.retryAt).toBeUndefined();
    expect((await store.get(KEY))?.error).toBeUndefined();
  });

  it('finds a conversion by its run in flight, and lets only one invocation take a run end in hand', async () => {
    await running();

    const found = await store.byActiveRun('q-1');
    const claims = await Promise.all(
      [1, 2, 3].map(() => store.claim(KEY, 'q-1', { now: T0 + 10, staleAfterMs: 60_000 })),
    );

    expect(found).toMatchObject({ source: 'alb', step: 'parse', conversionId: 'c1', state: 'RUNNING' });
    expect(await store.byActiveRun('q-unknown')).toBeUndefined();
    expect(claims.filter((claim) => claim !== undefined)).toHaveLength(1);
    // A claim whose invocation went silent is taken over once stale.
    expect(await store.claim(KEY, 'q-1', { now: T0 + 30_000, staleAfterMs: 60_000 })).toBeUndefined();
    expect(await store.claim(KEY, 'q-1', { now: T0 + 70_011, staleAfterMs: 60_000 })).toBeDefined();
  });

  it('advances only with the claim it holds, keeping each finished step’s figures', async () => {
    await running();
    const claimed = await store.claim(KEY, 'q-1', { now: T0 + 10, staleAfterMs: 60_000 });
    const progress = {
      finished: { step: 'parse', runId: 'q-1' },
      figures: { runId: 'q-1', rows: 10, bytesScanned: 500, engineMs: 900 },
      next: { step: 'rows', runId: 'q-2' },
      leaseMs: 60_000,
    };

    expect(await store.advanced(KEY, { ...claimed!, claimedAt: 1 }, progress)).toBe(false);
    expect(await store.advanced(KEY, claimed!, progress)).toBe(true);
    expect(await store.advanced(KEY, claimed!, progress)).toBe(false);

    const now = await store.get(KEY);
    expect(now).toMatchObject({ step: 'rows', activeRunId: 'q-2', steps: { parse: progress.figures } });
    expect(now?.claimedAt).toBeUndefined();
    expect(await store.byActiveRun('q-1')).toBeUndefined();
    expect((await store.byActiveRun('q-2'))?.date).toBe(KEY.date);
  });

  it('drops the run in flight from the index when the conversion ends', async () => {
    await running();
    await store.succeed(KEY, 'conversion:c1', {
      rowsIn: 1,
      rowsOut: 1,
      rowsRejected: 0,
      bytesIn: 1,
      seconds: 1,
    });

    expect(await store.byActiveRun('q-1')).toBeUndefined();
    expect(await all(store.inState(LAKE, 'RUNNING'))).toEqual([]);
    expect((await all(store.inState(LAKE, 'SUCCEEDED'))).map((bookmark) => bookmark.date)).toEqual([
      KEY.date,
    ]);
    expect((await store.newestSucceeded(LAKE, 'alb'))?.date).toBe(KEY.date);
    expect(await store.newestSucceeded(LAKE, 'vpc_flow')).toBeUndefined();
  });

  it('lists RUNNING bookmarks last written before an instant (the sweeper’s stuck ones)', async () => {
    await running();
    const updatedAt = (await store.get(KEY))!.updatedAt;

    expect(await all(store.inState(LAKE, 'RUNNING', { before: updatedAt }))).toEqual([]);
    expect(
      await all(
        store.inState(LAKE, 'RUNNING', { before: new Date(Date.parse(updatedAt) + 1).toISOString() }),
      ),
    ).toHaveLength(1);
  });
});

describe('InFlightSlots', () => {
  it('never hands out more slots than the cap, even to concurrent takers, and takes back given ones', async () => {
    const slots = new InFlightSlots(dynamo.client, table, LAKE, 3);
    const ids = Array.from({ length: 10 }, (_, index) => `p${index}`);

    const taken = await Promise.all(ids.map((id) => slots.take(id)));

    expect(taken.filter(Boolean)).toHaveLength(3);
    const holders = await slots.holders();
    expect(holders).toHaveLength(3);
    expect(await slots.take(holders[0]!)).toBe(true);
    expect(await slots.take('another')).toBe(false);
    await slots.give(holders[0]!, 'never-held');
    expect(await slots.take('another')).toBe(true);
    await slots.give(...(await slots.holders()));
    expect(await slots.holders()).toEqual([]);
  });

  it('keeps one cap per lake, apart from the bookmarks', async () => {
    const one = new InFlightSlots(dynamo.client, table, LAKE, 1);
    const other = new InFlightSlots(dynamo.client, table, 's3://other/', 1);

    expect(await one.take('a')).toBe(true);
    expect(await other.take('a')).toBe(true);
    expect(await one.take('b')).toBe(false);
    expect(await store.list({ lake: LAKE })).toEqual([]);
  });
});
