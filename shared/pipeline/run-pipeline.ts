import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bookmark, BookmarkStore, PartitionKey } from '../bookmarks/types.js';
import { mapWithConcurrency } from '../concurrency.js';
import { decide, type Decision } from '../plan/decide.js';
import { discoverPartitions, type DiscoveredPartition } from '../plan/discover.js';
import { listLocalObjects, localPathOf } from '../storage/local-folder.js';
import { commitPartition, stageRejects } from './commit.js';
import { stagingFolder } from './lake-layout.js';
import { faultPoint } from './fault-points.js';
import { isDeadLocalRunner } from './runner-id.js';
import type { PartitionOutcome, PipelineOptions } from './types.js';

/** Staging folders of crashed runs are removed once they are this old. */
const STALE_STAGING_MS = 6 * 3_600_000;

/** Leases this process holds right now, so an interrupted run can hand them back at once. */
const heldLeases = new Map<string, { store: BookmarkStore; key: PartitionKey; owner: string }>();

/**
 * Marks every partition this process is converting as FAILED ("interrupted"), releasing its
 * lease: the next run retries it at once instead of waiting for the lease to expire.
 */
export async function releaseHeldLeases(reason: string): Promise<number> {
  const held = [...heldLeases.values()];
  heldLeases.clear();
  await Promise.all(
    held.map(({ store, key, owner }) => store.fail(key, owner, reason).catch(() => undefined)),
  );
  return held.length;
}

function keyOf(options: PipelineOptions, partition: DiscoveredPartition): PartitionKey {
  return {
    lake: options.lake,
    source: partition.source.name,
    account: partition.account,
    region: partition.region,
    date: partition.date,
  };
}

function outcomeOf(
  partition: DiscoveredPartition,
  fields: Partial<PartitionOutcome> & Pick<PartitionOutcome, 'action' | 'state'>,
): PartitionOutcome {
  return {
    source: partition.source.name,
    account: partition.account,
    region: partition.region,
    date: partition.date,
    rowsIn: null,
    rowsOut: null,
    rowsRejected: null,
    bytesIn: null,
    seconds: null,
    error: null,
    reason: null,
    ...fields,
  };
}

async function loadBookmarks(store: BookmarkStore, options: PipelineOptions): Promise<Map<string, Bookmark>> {
  const dates = [...options.dates].sort();
  const byKey = new Map<string, Bookmark>();
  for (const source of options.sources) {
    const found = await store.list({
      lake: options.lake,
      source: source.name,
      from: dates[0],
      to: dates[dates.length - 1],
    });
    for (const bookmark of found)
      byKey.set(`${bookmark.source}|${bookmark.date}|${bookmark.account}|${bookmark.region}`, bookmark);
  }
  return byKey;
}

/** Removes the folders a crashed run left below `root` (each run has its own, named by run id). */
async function removeStaleRunFolders(root: string, now: number): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const info = await stat(join(root, entry)).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_STAGING_MS)
      await rm(join(root, entry), { recursive: true, force: true });
  }
}

/**
 * The embedded pipeline: discover the days' raw partitions, decide from the bookmarks which need
 * work, then for each one take the lease, convert into staging, commit by rename, and record the
 * outcome. Partitions fail independently: one bad object never stops the others.
 */
export async function runPipeline(options: PipelineOptions): Promise<PartitionOutcome[]> {
  const now = options.now ?? Date.now;
  const runId = `${new Date(now()).toISOString().replace(/[-:.]/g, '')}-${options.runnerId.replace(/[^a-zA-Z0-9]/g, '')}`;
  await removeStaleRunFolders(join(options.lake, '_staging'), now());
  await removeStaleRunFolders(options.scratchRoot, now());
  const objects = await listLocalObjects(options.rawRoot);
  const partitions = discoverPartitions(options.sources, objects, {
    dates: new Set(options.dates),
    account: options.account,
    region: options.region,
  });
  const bookmarks = await loadBookmarks(options.bookmarks, options);
  const planned = partitions.map((partition) => {
    const bookmark = bookmarks.get(
      `${partition.source.name}|${partition.date}|${partition.account}|${partition.region}`,
    );
    const decision = decide(bookmark, partition.fingerprint, {
      ...options,
      now: now(),
      isDeadOwner: isDeadLocalRunner,
    });
    return { partition, bookmark, decision };
  });
  const toConvert = planned.filter((entry) => entry.decision.action === 'convert');
  await faultPoint('after-planning');
  options.onEvent?.({ type: 'planned', toConvert: toConvert.length, total: planned.length });
  if (toConvert.length > 0)
    await options.engine.prepare?.({ conversions: toConvert.length, concurrency: options.concurrency });
  let done = 0;
  const converted = await mapWithConcurrency(
    toConvert,
    options.concurrency,
    async ({ partition, decision }) => {
      options.onEvent?.({
        type: 'started',
        source: partition.source.name,
        account: partition.account,
        region: partition.region,
        date: partition.date,
      });
      const outcome = await convertOne(options, runId, partition, decision);
      done += 1;
      options.onEvent?.({ type: 'finished', outcome, done, toConvert: toConvert.length });
      return outcome;
    },
  );
  await rm(stagingFolder(options.lake, runId), { recursive: true, force: true });
  await rm(join(options.scratchRoot, runId), { recursive: true, force: true });
  const convertedByPartition = new Map(toConvert.map((entry, index) => [entry.partition, converted[index]]));
  return planned.map(
    ({ partition, bookmark, decision }) =>
      convertedByPartition.get(partition) ?? idleOutcome(partition, bookmark, decision),
  );
}

function idleOutcome(
  partition: DiscoveredPartition,
  bookmark: Bookmark | undefined,
  decision: Decision,
): PartitionOutcome {
  const figures = {
    rowsIn: bookmark?.rowsIn ?? null,
    rowsOut: bookmark?.rowsOut ?? null,
    rowsRejected: bookmark?.rowsRejected ?? null,
    bytesIn: bookmark?.bytesIn ?? null,
    seconds: bookmark?.seconds ?? null,
  };
  switch (decision.action) {
    case 'held':
      return outcomeOf(partition, {
        action: 'skipped',
        state: 'SKIPPED',
        reason: `held by ${decision.holder ?? 'another runner'}`,
      });
    case 'failed-final':
      return outcomeOf(partition, {
        action: 'failed-final',
        state: 'FAILED',
        error: bookmark?.error ?? null,
        reason: `retry budget spent (${decision.attempts} attempts); new data, a backfill of the day or --retry-failed retries it`,
      });
    default:
      return outcomeOf(partition, { action: 'up-to-date', state: 'SUCCEEDED', ...figures });
  }
}

async function convertOne(
  options: PipelineOptions,
  runId: string,
  partition: DiscoveredPartition,
  decision: Decision,
): Promise<PartitionOutcome> {
  const key = keyOf(options, partition);
  const reason = decision.action === 'convert' ? decision.reason : null;
  const lease = await options.bookmarks.acquire(key, {
    owner: options.runnerId,
    leaseMs: options.leaseMs,
    fingerprint: partition.fingerprint,
    // Planned before another runner finished it: the work is done, never repeat it.
    skipIfSucceeded: true,
    isDeadOwner: isDeadLocalRunner,
  });
  if (!lease.acquired && lease.upToDate) {
    return outcomeOf(partition, {
      action: 'up-to-date',
      state: 'SUCCEEDED',
      reason: 'converted meanwhile by another runner',
    });
  }
  if (!lease.acquired) {
    return outcomeOf(partition, {
      action: 'skipped',
      state: 'SKIPPED',
      reason: `held by ${lease.holder ?? 'another runner'}`,
    });
  }
  const started = Date.now();
  const leaseId = `${key.source}|${key.date}|${key.account}|${key.region}`;
  heldLeases.set(leaseId, { store: options.bookmarks, key, owner: options.runnerId });
  const name = `${partition.source.name}-${partition.account}-${partition.region}-${partition.date}`;
  const staging = join(stagingFolder(options.lake, runId), name);
  const scratchDir = join(options.scratchRoot, runId, name);
  let leaseLost = false;
  const renewal = setInterval(
    () => {
      options.bookmarks.renew(key, options.runnerId, options.leaseMs).then(
        (held) => (leaseLost ||= !held),
        () => undefined,
      );
    },
    Math.max(1000, Math.floor(options.leaseMs / 3)),
  );
  try {
    await mkdir(staging, { recursive: true });
    await mkdir(scratchDir, { recursive: true });
    const stagedDataFile = join(staging, 'data.parquet');
    const stagedRejectsFile = join(staging, 'rejects.jsonl');
    const result = await options.engine.convert({
      source: partition.source,
      partition,
      objects: partition.objects,
      pathOf: (objectKey) => localPathOf(options.rawRoot, objectKey),
      scratchDir,
      stagedDataFile,
    });
    await rm(scratchDir, { recursive: true, force: true });
    await stageRejects(stagedRejectsFile, result.rejects);
    await faultPoint('after-staging');
    // Commit only while the lease is still ours: a runner that lost it must not overwrite the new
    // holder's work. A lease younger than half its length cannot have expired: no need to ask.
    const leaseIsYoung = Date.now() - started < options.leaseMs / 2;
    if (
      leaseLost ||
      (!leaseIsYoung && !(await options.bookmarks.renew(key, options.runnerId, options.leaseMs)))
    ) {
      return outcomeOf(partition, {
        action: 'skipped',
        state: 'SKIPPED',
        reason: 'lease lost to another runner before commit',
      });
    }
    await faultPoint('before-commit');
    await commitPartition({
      lake: options.lake,
      source: partition.source.name,
      partition,
      stagedDataFile,
      stagedRejectsFile,
      rejectCount: result.rejects.length,
    });
    const figures = {
      rowsIn: result.rowsIn,
      rowsOut: result.rowsOut,
      rowsRejected: result.rowsRejected,
      bytesIn: result.bytesIn,
      seconds: (Date.now() - started) / 1000,
    };
    await faultPoint('after-commit');
    await options.bookmarks.succeed(key, options.runnerId, figures);
    return outcomeOf(partition, { action: 'converted', state: 'SUCCEEDED', reason, ...figures });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const seconds = (Date.now() - started) / 1000;
    await options.bookmarks.fail(key, options.runnerId, message, { seconds }).catch(() => undefined);
    return outcomeOf(partition, { action: 'failed', state: 'FAILED', error: message, reason, seconds });
  } finally {
    heldLeases.delete(leaseId);
    clearInterval(renewal);
    await rm(staging, { recursive: true, force: true });
    await rm(scratchDir, { recursive: true, force: true });
  }
}
