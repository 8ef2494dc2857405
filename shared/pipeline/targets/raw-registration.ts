import { manifestFolder, manifestText, MANIFEST_NAME } from '../../engines/athena/manifest.js';
import type { DiscoveredPartition } from '../../plan/discover.js';
import { defaultRawInput } from '../../sql/athena/raw-table.js';
import { keyIn, s3Url, type S3Location } from '../../storage/s3-location.js';
import type { S3Store } from '../../storage/s3-store.js';
import { partitionValueList as partitionValues } from '../../sources/partition.js';

/** A raw-table partition to register: its values and where its objects are. */
export interface RawPartition {
  table: string;
  values: string[];
  location: string;
  /** Flat layouts: the symlink manifest to write first (the table reads manifests, not folders). */
  manifest?: { location: S3Location; body: string };
}

/** The longest folder every key shares; an hour folder (`…/DD/HH/`, `…/day=DD/hour=HH/`) belongs to its day. */
function commonFolder(keys: readonly string[]): string {
  const [first = '', ...rest] = keys;
  let prefix = first.slice(0, first.lastIndexOf('/') + 1);
  for (const key of rest)
    while (!key.startsWith(prefix)) prefix = prefix.slice(0, prefix.lastIndexOf('/', prefix.length - 2) + 1);
  return prefix.replace(
    /^(.*\/(?:[0-9]{4}\/[0-9]{2}\/[0-9]{2}|year=[0-9]{4}\/month=[0-9]{2}\/day=[0-9]{2})\/)(?:hour=)?[0-9]{2}\/$/,
    '$1',
  );
}

/**
 * Where the `<source>_raw` table (the logs as delivered, for ad-hoc queries; see `athena-logs ddl`)
 * finds a partition: its day folder for the AWSLogs layouts, or — for tables of flat layouts,
 * which read symlink manifests — the partition's manifest folder. Undefined when the partition's
 * objects share no folder of that day alone (then it is not registered, and the caller says so).
 */
export function rawPartitionOf(
  partition: DiscoveredPartition,
  raw: S3Location,
  lake: S3Location,
): RawPartition | undefined {
  const table = `${partition.source.name}_raw`;
  const values = partitionValues(partition);
  if (defaultRawInput(partition.source) === 'manifest') {
    const folder = manifestFolder(lake, partition.source, partition);
    return {
      table,
      values,
      location: s3Url(folder.bucket, folder.prefix),
      manifest: { location: folder, body: manifestText(raw, partition.objects) },
    };
  }
  const folder = commonFolder(partition.objects.map((object) => object.key));
  // Only a folder that is this very day holds nothing else: a wider one (a flat prefix of every
  // day, several source buckets, an account trail beside an organization trail) would make the
  // partition read other days' or accounts' objects. Such partitions are not registered.
  const [year, month, day] = partition.date.split('-');
  const dayFolder = new RegExp(`(?:^|/)(?:${year}/${month}/${day}|year=${year}/month=${month}/day=${day})/$`);
  if (!dayFolder.test(folder)) return undefined;
  return { table, values, location: s3Url(raw.bucket, keyIn(raw, folder)) };
}

/** Writes the manifests flat-layout partitions need (before their registration points at them). */
export async function writeRawManifests(store: S3Store, partitions: readonly RawPartition[]): Promise<void> {
  for (const partition of partitions) {
    if (!partition.manifest) continue;
    const { location, body } = partition.manifest;
    await store.putObject(location.bucket, keyIn(location, MANIFEST_NAME), body, {
      contentType: 'text/plain',
    });
  }
}
