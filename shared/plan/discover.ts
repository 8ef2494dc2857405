import type { RawFingerprint } from '../bookmarks/types.js';
import type { PartitionRef, RawObject } from '../engines/types.js';
import { matchKey } from '../sources/match-key.js';
import type { FlatLayoutPartition, LogSource } from '../sources/types.js';
import type { FlatLayouts } from '../flat-layouts.js';

/** One partition found in the raw layout, with its objects and their fingerprint. */
export interface DiscoveredPartition extends PartitionRef {
  source: LogSource;
  objects: RawObject[];
  fingerprint: RawFingerprint;
}

export interface DiscoveryFilter {
  dates: ReadonlySet<string>;
  account?: string;
  region?: string;
  /** Account and region of flat-layout objects (keys that name neither), per source. */
  flatLayouts?: FlatLayouts;
  /** Told of each object whose key matches no layout of any source (so it is never dropped silently). */
  onUnmatched?: (object: RawObject) => void;
}

/**
 * The account and region flat-layout objects get: the configured ones, else `unknown` (CloudFront:
 * `global`). Never the run's account/region filter: a backfill naming an account would file the
 * same objects under a second partition beside the nightly run's, and their rows would count twice.
 */
function flatPartitionOf(source: LogSource, filter: DiscoveryFilter): FlatLayoutPartition {
  return filter.flatLayouts?.[source.name] ?? {};
}

/** What a day's objects look like: a change in any figure means late or replaced data. */
export function fingerprintOf(objects: readonly RawObject[]): RawFingerprint {
  let bytes = 0;
  let newest = 0;
  for (const object of objects) {
    bytes += object.size;
    newest = Math.max(newest, object.lastModified.getTime());
  }
  return {
    objects: objects.length,
    bytes,
    newestModified: objects.length ? new Date(newest).toISOString() : '',
  };
}

/**
 * Groups listed objects into partitions (source × account × region × day) by reading their keys;
 * keys that match no layout of the source are left out. Sorted by date, account, region.
 */
export function discoverPartitions(
  sources: readonly LogSource[],
  objects: readonly RawObject[],
  filter: DiscoveryFilter,
): DiscoveredPartition[] {
  const partitions = new Map<string, DiscoveredPartition>();
  const flat = new Map(sources.map((source) => [source.name, flatPartitionOf(source, filter)]));
  for (const object of objects) {
    let matched = false;
    for (const source of sources) {
      // Files a source delivers beside its logs (CloudTrail digests) are skipped on purpose.
      if (source.ignoredKeys?.some((pattern) => pattern.test(object.key))) {
        matched = true;
        break;
      }
      const match = matchKey(source, object.key, flat.get(source.name));
      matched ||= match !== undefined;
      if (!match || !filter.dates.has(match.date)) continue;
      if (filter.account && match.account !== filter.account) continue;
      if (filter.region && match.region !== filter.region) continue;
      const id = `${source.name}|${match.date}|${match.account}|${match.region}`;
      let partition = partitions.get(id);
      if (!partition) {
        partition = {
          source,
          account: match.account,
          region: match.region,
          date: match.date,
          objects: [],
          fingerprint: fingerprintOf([]),
        };
        partitions.set(id, partition);
      }
      partition.objects.push(object);
      break;
    }
    if (!matched) filter.onUnmatched?.(object);
  }
  const found = [...partitions.values()];
  for (const partition of found) partition.fingerprint = fingerprintOf(partition.objects);
  return found.sort((a, b) =>
    `${a.date}|${a.source.name}|${a.account}|${a.region}`.localeCompare(
      `${b.date}|${b.source.name}|${b.account}|${b.region}`,
    ),
  );
}
