import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBookmarkTable } from '../../shared/bookmarks/bookmark-table.js';
import { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { InFlightSlots } from '../../shared/bookmarks/in-flight-slots.js';
import type { Bookmark, PartitionKey } from '../../shared/bookmarks/types.js';
import type { StepEngine, StepRun } from '../../shared/engines/remote-steps.js';
import { fingerprintOf } from '../../shared/plan/discover.js';
import { onRunEnded } from '../../shared/pipeline/events/continue-conversion.js';
import { writePlan } from '../../shared/pipeline/events/partition-plan.js';
import { startPending } from '../../shared/pipeline/events/start-pending.js';
import { defaultRetryDelayMs, type EventDrivenDeps } from '../../shared/pipeline/events/types.js';
import { SOURCES } from '../../shared/sources/index.js';
import type { S3Store } from '../../shared/storage/s3-store.js';
import { startMemoryDynalite } from '../bookmarks/helpers.js';

const LAKE = { bucket: 'lake', prefix: 'lake/' };
const LAKE_URL = 's3://lake/lake/';
const DATE = '2026-11-21';
const KEY: PartitionKey = {
  lake: LAKE_URL,
  source: 'alb',
  account: '111122223333',
  region: 'eu-west-1',
  date: DATE,
};

/** The few S3Store calls the orchestration makes, on a map. */
function memoryStore(): S3Store {
  const objects = new Map<string, string>();
  const store: Partial<S3Store> = {
    putObject: async (bucket, key, body) => {
      objects.set(`${bucket}/${key}`, String(body));
    },
    getObjectStream: async (bucket, key) =>
      Readable.from([Buffer.from(objects.get(`${bucket}/${key}`) ?? '')]),
    deleteObjects: async (bucket, keys) => {
      for (const key of keys) objects.delete(`${bucket}/${key}`);
    },
    listObjects: async () => [],
    listFolders: async () => [],
  };
  return store as S3Store;
}

/** A one-step engine whose starts fail while `failStarts` says so; counts the starts. */
function scriptedEngine() {
  const state = { starts: 0, failStarts: false, ended: new Set<string>() };
  const engine: StepEngine = {
    name: 'glue',
    async start() {
      state.starts += 1;
      if (state.failStarts) throw new Error('StartJobRun refused: the job does not exist');
      return { step: 'job', runId: `run-${state.starts}` };
    },
    status: async (run: StepRun) =>
      state.ended.has(run.runId) ? { state: 'SUCCEEDED' } : { state: 'RUNNING' },
    next: async (_request, finished) => ({
      figures: { runId: finished.runId },
      result: {
        rowsIn: 2,
        rowsOut: 2,
        rowsRejected: 0,
        bytesIn: 1,
        engine: { kind: 'glue', id: finished.runId, state: 'SUCCEEDED' },
      },
    }),
    cleanUp: async () => undefined,
  };
  return { engine, state };
}

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
  const objects = memoryStore();
  deps = {
    lakeUrl: LAKE_URL,
    lake: LAKE,
    raw: { bucket: 'raw', prefix: '' },
    store,
    slots: new InFlightSlots(dynamo.client, table, LAKE_URL, 3),
    engine: scripted.engine,
    objects,
    catalog: {
      swapPartitionLocation: async () => undefined,
      createPartitions: async () => ({ created: 0, alreadyExisted: 0 }),
    },
    retryBudget: 1,
    stuckAfterMs: 30 * 60_000,
    retryDelayMs: defaultRetryDelayMs,
    observer: {
      planned: () => undefined,
      started: () => undefined,
      succeeded: () => undefined,
      retried: () => undefined,
      failed: async () => undefined,
    },
    onWarning: () => undefined,
    now: Date.now,
  };
  const raw = [
    { key: `AWSLogs/111122223333/x/${DATE}.log`, size: 10, lastModified: new Date('2026-11-22T00:00:00Z') },
  ];
  const partition = {
    source: SOURCES.alb,
    account: KEY.account,
    region: KEY.region,
    date: DATE,
    objects: raw,
    fingerprint: fingerprintOf(raw),
  };
  const plan = await writePlan(objects, LAKE, partition);
  await store.queue(KEY, { fingerprint: partition.fingerprint, plan, resetAttempts: false });
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
  /** Queues the partition of `date` with a plan of its own, as the nightly planning would. */
  async function queueDay(date: string, now: number): Promise<PartitionKey> {
    const raw = [
      { key: `AWSLogs/111122223333/x/${date}.log`, size: 10, lastModified: new Date('2026-11-24T00:00:00Z') },
    ];
    const partition = {
      source: SOURCES.alb,
      account: KEY.account,
      region: KEY.region,
      date,
      objects: raw,
      fingerprint: fingerprintOf(raw),
    };
    const plan = await writePlan(deps.objects, LAKE, partition);
    const key = { ...KEY, date };
    await store.queue(key, { fingerprint: partition.fingerprint, plan, resetAttempts: false, now });
    return key;
  }

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
    const next = await queueDay('2026-11-22', clock + 1);
    const last = await queueDay('2026-11-23', clock + 2);
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
