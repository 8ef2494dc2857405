import type { Bookmark, BookmarkStore } from '../bookmarks/types.js';
import { mapWithConcurrency } from '../concurrency.js';
import { decide } from '../plan/decide.js';
import { discoverPartitions } from '../plan/discover.js';
import { SOURCES } from '../sources/index.js';
import { convertPartition } from './convert-partition.js';
import { faultPoint } from './fault-points.js';
import { idleOutcome, outcomeOf } from './outcomes.js';
import { isDeadLocalRunner } from './runner-id.js';
import type { RawObject } from '../engines/types.js';
import type { PartitionOutcome, PipelineOptions } from './types.js';

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

/**
 * The pipeline: discover the days' raw partitions, decide from the bookmarks which need work, then
 * for each one take the lease, convert into staging, commit (the target's swap), and record the
 * outcome. Partitions fail independently: one bad object never stops the others.
 */
export async function runPipeline(options: PipelineOptions): Promise<PartitionOutcome[]> {
  const now = options.now ?? Date.now;
  const runId = `${new Date(now()).toISOString().replace(/[-:.]/g, '')}-${options.runnerId.replace(/[^a-zA-Z0-9]/g, '')}`;
  const unmatched: RawObject[] = [];
  const dates = new Set(options.dates);
  const objects = await options.listRaw(dates);
  // Keys are matched against every source, so that another source's logs beside the selected ones
  // are recognised (and left alone), not reported as keys of no layout.
  const selected = new Set(options.sources.map((source) => source.name));
  const partitions = discoverPartitions(Object.values(SOURCES), objects, {
    dates,
    account: options.account,
    region: options.region,
    flatLayouts: options.flatLayouts,
    onUnmatched: (object) => unmatched.push(object),
  }).filter((partition) => selected.has(partition.source.name));
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
  if (options.dryRun) {
    const plans = await mapWithConcurrency(toConvert, options.concurrency, async ({ partition, decision }) =>
      outcomeOf(partition, {
        action: 'would-convert',
        state: 'PENDING',
        reason: decision.action === 'convert' ? decision.reason : null,
        plan: (await options.target.describe?.(partition, runId)) ?? [],
      }),
    );
    const planByPartition = new Map(toConvert.map((entry, index) => [entry.partition, plans[index]]));
    return planned.map(
      ({ partition, bookmark, decision }) =>
        planByPartition.get(partition) ?? idleOutcome(partition, bookmark, decision),
    );
  }
  await options.target.beginRun?.(runId, toConvert.length);
  if (toConvert.length > 0) await options.target.register?.(toConvert.map((entry) => entry.partition));
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
  await options.target.endRun?.(runId);
  const convertedByPartition = new Map(toConvert.map((entry, index) => [entry.partition, converted[index]]));
  return planned.map(
    ({ partition, bookmark, decision }) =>
      convertedByPartition.get(partition) ?? idleOutcome(partition, bookmark, decision),
  );
}
