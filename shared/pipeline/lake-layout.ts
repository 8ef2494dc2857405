import { join } from 'node:path';
import type { PartitionRef } from '../engines/types.js';
import { partitionPath } from '../sources/partition.js';

/** The one data file of a partition: a fixed name, so a rename replaces the previous version atomically. */
export const DATA_FILE_NAME = 'part-00000.snappy.parquet';
export const REJECTS_FILE_NAME = 'rejects.jsonl';

export { partitionPath };

export function dataFolder(lake: string, source: string, partition: PartitionRef): string {
  return join(lake, source, partitionPath(partition));
}

export function rejectsFolder(lake: string, source: string, partition: PartitionRef): string {
  return join(lake, '_rejects', source, partitionPath(partition));
}

/** Staging lives beside the lake (same file system, so the commit is a rename) but outside any table. */
export function stagingFolder(lake: string, runId: string): string {
  return join(lake, '_staging', runId);
}
