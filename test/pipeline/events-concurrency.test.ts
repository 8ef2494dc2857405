import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBookmarkTable } from '../../shared/bookmarks/bookmark-table.js';
import { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { InFlightSlots } from '../../shared/bookmarks/in-flight-slots.js';
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
const CAP = 3;

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

/** A one-step engine: runs end when the test says; counts the starts of each partition. */
function countingEngine() {
  const startsByPartition = new Map<string, number>();
  const ended = new Set<string>();
  let runs = 0;
  const engine: StepEngine = {
    name: 'glue',
    async start(request) {
      const partition = `${request.partition.account}/${request.partition.date}`;
      startsByPartition.set(partition, (startsByPartition.get(partition) ?? 0) + 1);
      return { step: 'job', runId: `run-${++runs}` };
    },
    status: async (run: StepRun) => (ended.has(run.runId) ? { state: 'SUCCEEDED' } : { state: 'RUNNING' }),
    next: async (request, finished) => ({
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
  return { engine, startsByPartition, end: (runId: string) => ended.add(runId) };
}

let dynamo: Awaited<ReturnType<typeof startMemoryDynalite>>;
beforeAll(async () => {
  dynamo = await startMemoryDynalite();
  await ensureBookmarkTable(dynamo.client, 'events_concurrency');
});
afterAll(async () => {
  await dynamo.close();
});

describe('event-driven conversions under concurrent invocations', () => {
  it('never exceed the cap and start each partition once, though starters and duplicated events race', async () => {
    const { engine, startsByPartition, end } = countingEngine();
    const store = new ConversionStore(dynamo.client, 'events_concurrency');
    const slots = new InFlightSlots(dynamo.client, 'events_concurrency', LAKE_URL, CAP);
    const objects = memoryStore();
    const deps: EventDrivenDeps = {
      lakeUrl: LAKE_URL,
      lake: LAKE,
      raw: { bucket: 'raw', prefix: '' },
      store,
      slots,
      engine,
      objects,
      catalog: {
        swapPartitionLocation: async () => undefined,
        createPartitions: async () => ({ created: 0, alreadyExisted: 0 }),
      },
      retryBudget: 3,
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
    const dates = Array.from({ length: 10 }, (_, index) => `2026-11-${String(index + 10).padStart(2, '0')}`);
    for (const date of dates) {
      const objectsOfDay = [
        {
          key: `AWSLogs/111122223333/x/${date}.log`,
          size: 10,
          lastModified: new Date('2026-11-22T00:00:00Z'),
        },
      ];
      const partition = {
        source: SOURCES.alb,
        account: '111122223333',
        region: 'eu-west-1',
        date,
        objects: objectsOfDay,
        fingerprint: fingerprintOf(objectsOfDay),
      };
      const plan = await writePlan(objects, LAKE, partition);
      await store.queue(
        { lake: LAKE_URL, source: 'alb', account: '111122223333', region: 'eu-west-1', date },
        { fingerprint: partition.fingerprint, plan, resetAttempts: false },
      );
    }
    const running = async () =>
      (await store.list({ lake: LAKE_URL, source: 'alb' })).filter(
        (bookmark) => bookmark.state === 'RUNNING',
      );

    const firstWave = await Promise.all(Array.from({ length: 5 }, () => startPending(deps)));

    expect(firstWave.reduce((sum, summary) => sum + summary.started, 0)).toBe(CAP);
    expect(await running()).toHaveLength(CAP);
    expect(await slots.holders()).toHaveLength(CAP);
    let peak = CAP;
    while ((await running()).length > 0) {
      const runIds = (await running()).map((bookmark) => bookmark.activeRunId!);
      for (const runId of runIds) end(runId);
      // Each end delivered twice at once (EventBridge delivers at least once), each followed by a starter.
      const outcomes = await Promise.all(
        runIds.flatMap((runId) => [runId, runId]).map((runId) => onRunEnded(deps, runId)),
      );
      expect(outcomes.filter((outcome) => outcome === 'succeeded')).toHaveLength(runIds.length);
      await Promise.all(runIds.map(() => startPending(deps)));
      peak = Math.max(peak, (await running()).length, (await slots.holders()).length);
    }

    expect(peak).toBe(CAP);
    expect((await store.list({ lake: LAKE_URL, source: 'alb' })).map((bookmark) => bookmark.state)).toEqual(
      dates.map(() => 'SUCCEEDED'),
    );
    expect([...startsByPartition.values()]).toEqual(dates.map(() => 1));
    expect(await slots.holders()).toEqual([]);
  });
});
