import type { StagedFigures } from '../../bookmarks/types.js';
import type { RemoteConvertResult, RemoteEngine } from '../../engines/remote-types.js';
import type { DiscoveredPartition } from '../../plan/discover.js';
import { keyIn, locationUrl, splitS3Url, type S3Location } from '../../storage/s3-location.js';
import type { S3Store } from '../../storage/s3-store.js';
import { partitionPath } from '../lake-layout.js';
import { describeSourcePartition, partitionValueList as partitionValues } from '../../sources/partition.js';
import { rawPartitionOf, writeRawManifests } from './raw-registration.js';
import type { ConversionTarget, StagedVersion } from './types.js';

/** What the commit needs from the catalog: the converted table's partition LOCATION, swapped. */
export interface PartitionCatalog {
  /**
   * Points the partition of `table` at `location` (creating the partition when absent) and returns
   * the LOCATION it had before, undefined when it is new. Readers of the table see the previous
   * version or the new one, never a mix.
   */
  swapPartitionLocation(
    table: string,
    values: readonly string[],
    location: string,
  ): Promise<string | undefined>;
  /** BatchCreatePartition in calls of at most 100; partitions that exist already are left as they are. */
  createPartitions(
    table: string,
    partitions: readonly { values: readonly string[]; location: string }[],
  ): Promise<{ created: number; alreadyExisted: number }>;
  /** What `createPartitions` would send (--dry-run); a generic line when absent. */
  describeCreatePartitions?(
    table: string,
    partitions: readonly { values: readonly string[]; location: string }[],
  ): string[];
}

export interface RemoteTargetOptions {
  engine: RemoteEngine;
  store: S3Store;
  catalog: PartitionCatalog;
  raw: S3Location;
  lake: S3Location;
  /** Told of a raw-table registration that failed (default: console.warn); conversions go on. */
  onWarning?: (message: string) => void;
}

/** A version prefix inside the partition's folder: `…/day=DD/v=<runId>/`. */
function versionPrefix(
  root: S3Location,
  partition: DiscoveredPartition,
  runId: string,
  under = '',
): S3Location {
  const folder = `${under}${partition.source.name}/${partitionPath(partition)}/`;
  return { bucket: root.bucket, prefix: keyIn(root, `${folder}v=${runId}/`) };
}

/** Deletes every object below a prefix (paginated listing, deletes in batches of 1,000). */
async function deletePrefix(store: S3Store, location: S3Location): Promise<void> {
  const objects = await store.listObjects(location);
  await store.deleteObjects(
    location.bucket,
    objects.map((object) => keyIn(location, object.key)),
  );
}

/**
 * The previous version to delete after a swap: only when the catalog named exactly a `v=<run>/`
 * version folder of this same partition in our lake, other than the new one. A LOCATION set by
 * someone else (the partition folder itself, as MSCK REPAIR or a crawler registers it, or the table
 * root) holds data we did not write — or the new version — and is never deleted.
 */
function previousVersion(
  partitionFolder: S3Location,
  current: S3Location,
  url: string | undefined,
): S3Location | undefined {
  const where = url === undefined ? undefined : splitS3Url(url);
  if (where === undefined || where.bucket !== partitionFolder.bucket) return undefined;
  const prefix = where.key.endsWith('/') ? where.key : `${where.key}/`;
  const version = prefix.startsWith(partitionFolder.prefix)
    ? prefix.slice(partitionFolder.prefix.length)
    : '';
  if (!/^v=[^/]+\/$/.test(version) || prefix === current.prefix) return undefined;
  return { bucket: partitionFolder.bucket, prefix };
}

/** The two fresh prefixes a conversion writes: the partition's data and its rejects. */
export interface StagingPrefixes {
  stagingData: S3Location;
  stagingRejects: S3Location;
}

/** Where the conversion `runId` of a partition writes: `v=<runId>/` beside the current version. */
export function stagingPrefixes(
  lake: S3Location,
  partition: DiscoveredPartition,
  runId: string,
): StagingPrefixes {
  return {
    stagingData: versionPrefix(lake, partition, runId),
    stagingRejects: versionPrefix(lake, partition, runId, '_rejects/'),
  };
}

/** The bookmark figures of a finished remote conversion that staged its data in `staging`. */
export function remoteFiguresOf(result: RemoteConvertResult, staging: StagingPrefixes): StagedFigures {
  return {
    rowsIn: result.rowsIn,
    rowsOut: result.rowsOut,
    rowsRejected: result.rowsRejected,
    bytesIn: result.bytesIn,
    engineRunId: result.engine.id,
    bytesScanned: result.engine.bytesScanned,
    engineMs: result.engine.engineMs,
    location: locationUrl(staging.stagingData),
  };
}

/** Deletes what a conversion wrote that was never committed. Never throws. */
export async function discardStaged(store: S3Store, staging: StagingPrefixes): Promise<void> {
  await deletePrefix(store, staging.stagingData).catch(() => undefined);
  await deletePrefix(store, staging.stagingRejects).catch(() => undefined);
}

/**
 * Makes a staged version current: points the converted table's catalog partition at it — the
 * catalog is the source of truth, so readers switch at once — then deletes the previous version
 * and older rejects (a failed deletion leaves an orphan, told, never a failure). Returns the new
 * LOCATION. From the swap on the new version may be live even if the call fails (a lost answer):
 * never discard it after calling this.
 */
export async function commitStaged(
  options: Pick<RemoteTargetOptions, 'store' | 'catalog' | 'onWarning'>,
  partition: DiscoveredPartition,
  staging: StagingPrefixes,
): Promise<string> {
  const { stagingData, stagingRejects } = staging;
  const location = locationUrl(stagingData);
  const previous = await options.catalog.swapPartitionLocation(
    partition.source.name,
    partitionValues(partition),
    location,
  );
  const partitionFolder = {
    bucket: stagingData.bucket,
    prefix: stagingData.prefix.replace(/v=[^/]+\/$/, ''),
  };
  try {
    const old = previousVersion(partitionFolder, stagingData, previous);
    if (old) await deletePrefix(options.store, old);
    await removeOtherVersions(options.store, stagingRejects);
  } catch (error) {
    (options.onWarning ?? ((message: string) => console.warn(message)))(
      `${describeSourcePartition(partition.source.name, partition)} is converted and served from ${location}, but its previous version ` +
        `(${previous ?? 'none'}) or older rejects were not all deleted: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return location;
}

/**
 * Registers the raw partitions (the `<source>_raw` tables, for ad-hoc queries of the logs as
 * delivered): manifests of flat layouts first, then BatchCreatePartition (or Athena DDL) per
 * table. A failure is told, never fatal: the conversions do not read these tables.
 */
export async function registerRawPartitions(
  options: Pick<RemoteTargetOptions, 'store' | 'catalog' | 'raw' | 'lake' | 'onWarning'>,
  partitions: readonly DiscoveredPartition[],
): Promise<void> {
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  const placed = partitions.map((partition) => ({
    partition,
    raw: rawPartitionOf(partition, options.raw, options.lake),
  }));
  const unplaced = placed.filter((entry) => entry.raw === undefined).map((entry) => entry.partition);
  if (unplaced.length > 0)
    warn(
      `${unplaced.length} raw partition(s) are not registered in their <source>_raw table because their objects share ` +
        `no folder of that day alone (e.g. ${describeSourcePartition(unplaced[0]!.source.name, unplaced[0]!)}); their conversions go on.`,
    );
  const raw = placed.flatMap((entry) => (entry.raw ? [entry.raw] : []));
  try {
    await writeRawManifests(options.store, raw);
    for (const table of new Set(raw.map((partition) => partition.table))) {
      const entries = raw.filter((partition) => partition.table === table);
      await options.catalog.createPartitions(
        table,
        entries.map(({ values, location }) => ({ values, location })),
      );
    }
  } catch (error) {
    warn(
      `Raw partitions were not all registered (the conversions go on): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The AWS target: the engine (Athena or Glue) writes a new version of the partition into a fresh
 * `v=<runId>/` prefix of the partition's folder (rejects likewise under `_rejects/`); the commit
 * (`commitStaged`) points the converted table's catalog partition at it and deletes the previous
 * version. A failure before the swap leaves the previous version served and the new prefix
 * deleted; a re-run never duplicates.
 */
export function remoteTarget(options: RemoteTargetOptions): ConversionTarget {
  const requestOf = (partition: DiscoveredPartition, runId: string) => ({
    source: partition.source,
    partition,
    objects: partition.objects,
    raw: options.raw,
    ...stagingPrefixes(options.lake, partition, runId),
    runId,
  });
  return {
    register: (partitions) => registerRawPartitions(options, partitions),
    async describe(partition: DiscoveredPartition, runId: string): Promise<string[]> {
      const request = requestOf(partition, runId);
      const data = locationUrl(request.stagingData);
      const raw = rawPartitionOf(partition, options.raw, options.lake);
      const registration = raw
        ? (options.catalog.describeCreatePartitions?.(raw.table, [raw]) ?? [
            `Glue BatchCreatePartition (with the night's other partitions, 100 a call): ${raw.table} (${raw.values.join(', ')}) LOCATION ${raw.location}`,
          ])
        : [];
      return [
        ...registration,
        ...(options.engine.describe?.(request) ?? [`${options.engine.name}: convert into ${data}`]),
        `Glue GetPartition, then UpdatePartition (or CreatePartition): ${partition.source.name} (${partitionValues(partition).join(', ')}) LOCATION ${data}`,
        `S3 ListObjectsV2 + DeleteObjects of the previous LOCATION's objects and of older rejects versions`,
      ];
    },
    async stage(partition: DiscoveredPartition, runId: string): Promise<StagedVersion> {
      const request = requestOf(partition, runId);
      let committed = false;
      const cleanUp = async (): Promise<void> => {
        if (!committed) await discardStaged(options.store, request);
      };
      try {
        const result = await options.engine.convert(request);
        return {
          figures: remoteFiguresOf(result, request),
          async commit() {
            committed = true;
            await commitStaged(options, partition, request);
          },
          cleanUp,
        };
      } catch (error) {
        await cleanUp();
        throw error;
      }
    },
  };
}

/** Leaves only the current version of a partition's rejects: the other `v=…/` prefixes beside it go. */
async function removeOtherVersions(store: S3Store, current: S3Location): Promise<void> {
  const parent: S3Location = { bucket: current.bucket, prefix: current.prefix.replace(/v=[^/]+\/$/, '') };
  const versions = await store.listFolders(parent);
  for (const version of versions) {
    const prefix = `${parent.prefix}${version}/`;
    if (version.startsWith('v=') && prefix !== current.prefix)
      await deletePrefix(store, { bucket: parent.bucket, prefix });
  }
}
