import { createHash } from 'node:crypto';
import type { LogSource } from '../../sources/types.js';
import { keyIn, type S3Location } from '../../storage/s3-location.js';
import type { PartitionRef } from '../types.js';
import { partitionPath } from '../../sources/partition.js';

/** The three CTAS tables of one conversion: the parsed lines, the staged rows, the staged rejects. */
export interface ScratchTables {
  parsed: string;
  rows: string;
  rejects: string;
}

/**
 * Names for a conversion's CTAS tables, unique per run and partition, that say which source and
 * day they belong to: `vpc_flow_tmp_20261121_<16 hex>_parsed` (Athena's rules: lowercase letters,
 * digits, underscore). The conversion drops them when it ends; the name tells a leftover of a
 * runner that died from a table of the project.
 */
export function scratchTables(source: LogSource, partition: PartitionRef, runId: string): ScratchTables {
  const digest = createHash('sha256')
    .update([runId, partition.account, partition.region, partition.date].join('\u0000'))
    .digest('hex')
    .slice(0, 16);
  const stem = `${source.name}_tmp_${partition.date.replaceAll('-', '')}_${digest}`;
  return { parsed: `${stem}_parsed`, rows: `${stem}_rows`, rejects: `${stem}_rejects` };
}

/**
 * Where the parsed lines of a conversion go: `<lake>/_staging/<source>/account=…/…/day=DD/v=<runId>/`,
 * outside every table, fresh for every run (CTAS needs an empty folder), deleted when the
 * conversion ends.
 */
export function parsedFolder(
  lake: S3Location,
  source: LogSource,
  partition: PartitionRef,
  runId: string,
): S3Location {
  return {
    bucket: lake.bucket,
    prefix: keyIn(lake, `_staging/${source.name}/${partitionPath(partition)}/v=${runId}/`),
  };
}
