/**
 * What the tests of the event-driven orchestration share: an S3 store on a map, a one-step engine
 * the test drives, the deps around them (no catalog, a silent observer), and queueing a partition
 * with its plan as the nightly planning does. The bookmark table is the test's own (dynalite).
 */
import { Readable } from 'node:stream';
import type { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import type { PartitionKey } from '../../shared/bookmarks/types.js';
import type { StepEngine, StepRun } from '../../shared/engines/remote-steps.js';
import { fingerprintOf } from '../../shared/plan/discover.js';
import { writePlan } from '../../shared/pipeline/events/partition-plan.js';
import { defaultRetryDelayMs, type EventDrivenDeps } from '../../shared/pipeline/events/types.js';
import { SOURCES } from '../../shared/sources/index.js';
import type { S3Store } from '../../shared/storage/s3-store.js';

export const LAKE = { bucket: 'lake', prefix: 'lake/' };
export const LAKE_URL = 's3://lake/lake/';
export const ACCOUNT = '111122223333';

/** The few S3Store calls the orchestration makes, on a map. */
export function memoryStore(): S3Store {
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

/**
 * A one-step engine (as Glue's): a run `run-<n>` ends when the test adds it to `state.ended`; starts
 * throw while `state.failStarts` is set. `state.starts` counts every start asked for, and
 * `state.startsByPartition` the starts of each `account/date`.
 */
export function scriptedEngine() {
  const state = {
    starts: 0,
    failStarts: false,
    ended: new Set<string>(),
    startsByPartition: new Map<string, number>(),
  };
  const engine: StepEngine = {
    name: 'glue',
    async start(request) {
      state.starts += 1;
      const partition = `${request.partition.account}/${request.partition.date}`;
      state.startsByPartition.set(partition, (state.startsByPartition.get(partition) ?? 0) + 1);
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
 * The deps of the orchestration over the given store, slots, engine and objects: the test lake and
 * raw bucket, a catalog that does nothing, 3 attempts, a 30-minute lease, the default backoff, a
 * silent observer and the real clock; `overrides` last.
 */
export function eventDeps(
  parts: Pick<EventDrivenDeps, 'store' | 'slots' | 'engine' | 'objects'> & Partial<EventDrivenDeps>,
): EventDrivenDeps {
  return {
    lakeUrl: LAKE_URL,
    lake: LAKE,
    raw: { bucket: 'raw', prefix: '' },
    catalog: {
      swapPartitionLocation: async () => undefined,
      createPartitions: async () => ({ created: 0, alreadyExisted: 0 }),
    },
    retryBudget: 3,
    pollAfterMs: 10 * 60_000,
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
    ...parts,
  };
}

/** The key of the alb partition of ACCOUNT in eu-west-1 on `date`, in the test lake. */
export function dayKey(date: string): PartitionKey {
  return { lake: LAKE_URL, source: 'alb', account: ACCOUNT, region: 'eu-west-1', date };
}

/**
 * Queues the alb partition of ACCOUNT in eu-west-1 on `date`, with a plan of its own (one raw
 * object, delivered at `delivered`), as the nightly planning would; `now` is the queueing time.
 */
export async function queueDay(
  deps: { store: ConversionStore; objects: S3Store },
  date: string,
  options: { delivered?: Date; now?: number } = {},
): Promise<PartitionKey> {
  const raw = [
    {
      key: `AWSLogs/${ACCOUNT}/x/${date}.log`,
      size: 10,
      lastModified: options.delivered ?? new Date('2026-11-22T00:00:00Z'),
    },
  ];
  const partition = {
    source: SOURCES.alb,
    account: ACCOUNT,
    region: 'eu-west-1',
    date,
    objects: raw,
    fingerprint: fingerprintOf(raw),
  };
  const plan = await writePlan(deps.objects, LAKE, partition);
  const key = dayKey(date);
  await deps.store.queue(key, {
    fingerprint: partition.fingerprint,
    plan,
    resetAttempts: false,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return key;
}
