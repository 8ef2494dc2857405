import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBookmarkTable } from '../../shared/bookmarks/bookmark-table.js';
import { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { InFlightSlots } from '../../shared/bookmarks/in-flight-slots.js';
import type { Bookmark } from '../../shared/bookmarks/types.js';
import { onRunEnded } from '../../shared/pipeline/events/continue-conversion.js';
import { startPending } from '../../shared/pipeline/events/start-pending.js';
import { defaultRetryDelayMs, type EventDrivenDeps } from '../../shared/pipeline/events/types.js';
import { startMemoryDynalite } from '../bookmarks/helpers.js';
import { dayKey, eventDeps, LAKE_URL, memoryStore, queueDay, scriptedEngine } from './events-fixtures.js';

const DATE = '2026-11-21';
const KEY = dayKey(DATE);

/**
 * The by-state index is eventually consistent: a listing may show a partition as it was a moment
 * ago. This store lists the snapshot taken earlier, and reads and writes the table for real.
 */
function listingFrom(store: ConversionStore, snapshot: Bookmark[]): ConversionStore {
  const stale = Object.create(store) as ConversionStore;
  stale.inState = async function* () {
    yield* snapshot;
  };
  return stale;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

let dynamo: Awaited<ReturnType<typeof startMemoryDynalite>>;
let tables = 0;
beforeAll(async () => {
  dynamo = await startMemoryDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

let deps: EventDrivenDeps;
let store: ConversionStore;
let scripted: ReturnType<typeof scriptedEngine>;

beforeEach(async () => {
  const table = `stale_queue_${++tables}`;
  await ensureBookmarkTable(dynamo.client, table);
  store = new ConversionStore(dynamo.client, table);
  scripted = scriptedEngine();
  deps = eventDeps({
    store,
    slots: new InFlightSlots(dynamo.client, table, LAKE_URL, 3),
    engine: scripted.engine,
    objects: memoryStore(),
    retryBudget: 1,
  });
  await queueDay(deps, DATE);
});

describe('starting from a listing that lags behind the table', () => {
  it('does not start again a partition that failed for good meanwhile (the retry budget holds)', async () => {
    const listed = await all(store.inState(LAKE_URL, 'PENDING'));
    scripted.state.failStarts = true;
    expect(await startPending(deps)).toMatchObject({ started: 0, failedToStart: 1 });
    expect(await store.get(KEY)).toMatchObject({ state: 'FAILED', attempts: 1 });

    scripted.state.failStarts = false;
    const late = await startPending({ ...deps, store: listingFrom(store, listed) });

    expect(late.started).toBe(0);
    expect(scripted.state.starts).toBe(1);
    expect(await store.get(KEY)).toMatchObject({ state: 'FAILED', attempts: 1 });
  });

  it('does not start a partition before the backoff its failed attempt set meanwhile', async () => {
    const listed = await all(store.inState(LAKE_URL, 'PENDING'));
    scripted.state.failStarts = true;
    const withBudget = { ...deps, retryBudget: 3 };
    expect(await startPending(withBudget)).toMatchObject({ started: 0, failedToStart: 1 });
    const waiting = await store.get(KEY);
    expect(waiting).toMatchObject({ state: 'PENDING', attempts: 1 });
    expect(waiting?.retryAt).toBeGreaterThan(Date.now());

    scripted.state.failStarts = false;
    const late = await startPending({ ...withBudget, store: listingFrom(store, listed) });

    expect(late.started).toBe(0);
    expect(await store.get(KEY)).toMatchObject({ state: 'PENDING', attempts: 1 });
  });

  it('does not convert again a partition converted meanwhile', async () => {
    const listed = await all(store.inState(LAKE_URL, 'PENDING'));
    expect(await startPending(deps)).toMatchObject({ started: 1 });
    scripted.state.ended.add('run-1');
    expect(await onRunEnded(deps, 'run-1')).toBe('succeeded');

    const late = await startPending({ ...deps, store: listingFrom(store, listed) });

    expect(late.started).toBe(0);
    expect(scripted.state.starts).toBe(1);
    expect(await store.get(KEY)).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
    expect(await deps.slots.holders()).toEqual([]);
  });
});

describe('the order of the queue', () => {
  it('starts a retry as soon as its backoff elapsed, before partitions queued after it', async () => {
    let clock = Date.now();
    let failNextStart = true;
    const oneSlot: EventDrivenDeps = {
      ...deps,
      retryBudget: 3,
      slots: new InFlightSlots(dynamo.client, `stale_queue_${tables}`, LAKE_URL, 1),
      engine: {
        ...scripted.engine,
        start: async (request) => {
          if (!failNextStart) return scripted.engine.start(request);
          failNextStart = false;
          throw new Error('StartQueryExecution refused: TooManyRequestsException');
        },
      },
      now: () => clock,
    };
    const delivered = new Date('2026-11-24T00:00:00Z');
    const next = await queueDay(deps, '2026-11-22', { delivered, now: clock + 1 });
    const last = await queueDay(deps, '2026-11-23', { delivered, now: clock + 2 });
    clock += 3;
    // The first start fails (a retry in 5 minutes); the freed slot goes to the next partition.
    expect(await startPending(oneSlot)).toMatchObject({ started: 1, failedToStart: 1 });
    expect(await store.get(next)).toMatchObject({ state: 'RUNNING' });
    // The failed partition went back to the queue behind the last one (its updatedAt is newer).
    expect((await all(store.inState(LAKE_URL, 'PENDING'))).map((b) => b.date)).toEqual(['2026-11-23', DATE]);
    expect(await all(store.dueRetries(LAKE_URL, clock))).toEqual([]);

    clock += defaultRetryDelayMs(1);
    scripted.state.ended.add('run-1');
    expect(await onRunEnded(oneSlot, 'run-1')).toBe('succeeded');
    expect((await all(store.dueRetries(LAKE_URL, clock))).map((b) => b.date)).toEqual([DATE]);
    expect(await startPending(oneSlot)).toMatchObject({ started: 1, inFlight: 1 });

    expect(await store.get(KEY)).toMatchObject({ state: 'RUNNING', attempts: 2 });
    expect(await store.get(last)).toMatchObject({ state: 'PENDING', attempts: 0 });
    // Started, it has left the retry index.
    expect(await all(store.dueRetries(LAKE_URL, clock))).toEqual([]);
  });
});
