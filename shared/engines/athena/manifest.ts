import { FormatError } from '../../errors.js';
import type { LogSource } from '../../sources/types.js';
import { partitionPath } from '../../sources/partition.js';
import { keyIn, s3Url, type S3Location } from '../../storage/s3-location.js';
import type { PartitionRef, RawObject } from '../types.js';

/** The name of the symlink manifest in its folder (SymlinkTextInputFormat reads every file of the folder). */
export const MANIFEST_NAME = 'manifest';

/**
 * The folder of a partition's symlink manifest: `<lake>/_manifests/<source>/account=…/…/day=DD/`,
 * below the LOCATION of `<source>_raw_lines` (see `manifestsLocation`), in Hive-style folders so
 * that `MSCK REPAIR TABLE` would find them too. One folder per partition, its manifest rewritten
 * by every conversion of the partition: the bookmark lease lets only one conversion of a
 * partition run at a time, and S3 reads after a write see the new manifest.
 */
export function manifestFolder(lake: S3Location, source: LogSource, partition: PartitionRef): S3Location {
  return {
    bucket: lake.bucket,
    prefix: keyIn(lake, `_manifests/${source.name}/${partitionPath(partition)}/`),
  };
}

/**
 * Fails on objects the lines table cannot read: flow logs delivered as Parquet (a `.parquet`
 * key; SymlinkTextInputFormat would hand their bytes over as text lines), and keys holding a line
 * break, which a manifest (one URL per line) cannot name. Failing the partition says what to do;
 * leaving the objects out would drop their records without a trace.
 */
export function checkReadableObjects(source: LogSource, objects: readonly RawObject[]): void {
  for (const object of objects) {
    if (/\.parquet$/i.test(object.key))
      throw new FormatError(
        `${object.key} is a flow log delivered as Parquet: the Athena engine parses raw text lines and cannot read it. ` +
          'Convert this partition with the glue or duckdb engine, or deliver the flow logs as text.',
        { source: source.name, key: object.key },
      );
    if (/[\r\n]/.test(object.key))
      throw new FormatError(
        `The key ${JSON.stringify(object.key)} holds a line break, which a symlink manifest cannot name.`,
        { source: source.name, key: object.key },
      );
  }
}

/**
 * The symlink manifest: the s3:// URL of each of the partition's objects, one per line — exactly
 * the objects the plan listed and fingerprinted, never a whole folder (ALB and classic ELB files
 * share folders; flat layouts hold every day in one folder).
 */
export function manifestText(raw: S3Location, objects: readonly RawObject[]): string {
  return objects.map((object) => `${s3Url(raw.bucket, keyIn(raw, object.key))}\n`).join('');
}
