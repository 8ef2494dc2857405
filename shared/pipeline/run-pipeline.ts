import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bookmark, BookmarkStore } from '../bookmarks/types.js';
import { mapWithConcurrency } from '../concurrency.js';
import { decide } from '../plan/decide.js';
import { discoverPartitions } from '../plan/discover.js';
import { listLocalObjects } from '../storage/local-folder.js';
import { convertPartition } from './convert-partition.js';
import { faultPoint } from './fault-points.js';
import { stagingFolder } from './lake-layout.js';
import { idleOutcome } from './outcomes.js';
import { isDeadLocalRunner } from './runner-id.js';
import type { RawObject } from '../engines/types.js';
import type { PartitionOutcome, PipelineOptions } from './types.js';

/** Staging folders of crashed runs are removed once they are this old. */
const STALE_STAGING_MS = 6 * 3_600_000;

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

/** Each run's staging and scratch folders name their runner, so a later run can tell it died. */
const RUN_MARKER = 'run.json';

async function markRunFolder(folder: string, runnerId: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, RUN_MARKER), JSON.stringify({ runnerId }));
}

function runnerOf(marker: string | undefined): string | undefined {
  try {
    const runnerId =
      marker === undefined ? undefined : (JSON.parse(marker) as { runnerId?: unknown }).runnerId;
    return typeof runnerId === 'string' ? runnerId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the folders crashed runs left below `root`: at once when their runner was a process of
 * this host that no longer exists, otherwise once they are old enough to be abandoned.
 */
async function removeStaleRunFolders(root: string, now: number): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const folder = join(root, entry);
    const marker = await readFile(join(folder, RUN_MARKER), 'utf8').catch(() => undefined);
    const runnerId = runnerOf(marker);
    const info = await stat(folder).catch(() => undefined);
    const abandoned = runnerId !== undefined && isDeadLocalRunner(runnerId);
    if (info && (abandoned || now - info.mtimeMs > STALE_STAGING_MS)) {
      await rm(folder, { recursive: true, force: true });
    }
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
  const unmatched: RawObject[] = [];
  const dates = new Set(options.dates);
  const objects = await listLocalObjects(options.rawRoot, { dates });
  const partitions = discoverPartitions(options.sources, objects, {
    dates,
    account: options.account,
    region: options.region,
    flatLayouts: options.flatLayouts,
    onUnmatched: (object) => unmatched.push(object),
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
  options.onEvent?.({
    type: 'planned',
    toConvert: toConvert.length,
    total: planned.length,
    unmatched: unmatched.length,
    unmatchedExample: unmatched[0]?.key,
  });
  if (toConvert.length > 0) {
    await markRunFolder(stagingFolder(options.lake, runId), options.runnerId);
    await markRunFolder(join(options.scratchRoot, runId), options.runnerId);
    await options.engine.prepare?.({ conversions: toConvert.length, concurrency: options.concurrency });
  }
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
      const outcome = await convertPartition(options, runId, partition, decision);
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
