import type { Bookmark, BookmarkStore } from '../bookmarks/types.js';
import type { RawObject } from '../engines/types.js';
import { decide, type Decision, type DecideOptions } from '../plan/decide.js';
import { discoverPartitions, type DiscoveredPartition } from '../plan/discover.js';
import { SOURCES } from '../sources/index.js';
import type { LogSource } from '../sources/types.js';
import type { FlatLayouts } from '../flat-layouts.js';

/** A partition found in the raw layout, its bookmark, and what to do with it. */
export interface PlannedPartition {
  partition: DiscoveredPartition;
  bookmark: Bookmark | undefined;
  decision: Decision;
}

export interface PlanOptions extends Omit<DecideOptions, 'now'> {
  sources: readonly LogSource[];
  dates: readonly string[];
  lake: string;
  listRaw(dates: ReadonlySet<string>): Promise<RawObject[]>;
  bookmarks: Pick<BookmarkStore, 'list'>;
  account?: string;
  region?: string;
  flatLayouts?: FlatLayouts;
  now: number;
}

async function loadBookmarks(options: PlanOptions): Promise<Map<string, Bookmark>> {
  const dates = [...options.dates].sort();
  const byKey = new Map<string, Bookmark>();
  for (const source of options.sources) {
    const found = await options.bookmarks.list({
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
 * The plan step shared by the CLI and the Lambda functions: list the days' raw objects, group them
 * into partitions, and decide from the bookmarks which need work. Keys are matched against every
 * source, so that another source's logs beside the selected ones are recognised (and left alone),
 * not reported as keys of no layout.
 */
export async function planPartitions(
  options: PlanOptions,
): Promise<{ planned: PlannedPartition[]; unmatched: RawObject[] }> {
  const unmatched: RawObject[] = [];
  const dates = new Set(options.dates);
  const objects = await options.listRaw(dates);
  const selected = new Set(options.sources.map((source) => source.name));
  const partitions = discoverPartitions(Object.values(SOURCES), objects, {
    dates,
    account: options.account,
    region: options.region,
    flatLayouts: options.flatLayouts,
    onUnmatched: (object) => unmatched.push(object),
  }).filter((partition) => selected.has(partition.source.name));
  const bookmarks = await loadBookmarks(options);
  const planned = partitions.map((partition) => {
    const bookmark = bookmarks.get(
      `${partition.source.name}|${partition.date}|${partition.account}|${partition.region}`,
    );
    return { partition, bookmark, decision: decide(bookmark, partition.fingerprint, options) };
  });
  return { planned, unmatched };
}
