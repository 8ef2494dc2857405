import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartitionRef, RejectRecord } from '../engines/types.js';
import { DATA_FILE_NAME, REJECTS_FILE_NAME, dataFolder, rejectsFolder } from './lake-layout.js';

/** Writes the partition's rejects as JSON lines next to the staged data (not yet visible). */
export async function stageRejects(
  stagedRejectsFile: string,
  rejects: readonly RejectRecord[],
): Promise<void> {
  await writeFile(
    stagedRejectsFile,
    rejects.map((reject) => JSON.stringify(reject)).join('\n') + (rejects.length ? '\n' : ''),
  );
}

/**
 * Makes a staged version the current one. Each rename is atomic, so a reader (or a crash) sees
 * the previous version or the new one, never a partial file. Anything else in the partition
 * folder (a former layout's files) is removed after the swap.
 */
export async function commitPartition(options: {
  lake: string;
  source: string;
  partition: PartitionRef;
  stagedDataFile: string;
  stagedRejectsFile: string;
  rejectCount: number;
}): Promise<void> {
  const { lake, source, partition } = options;
  const target = dataFolder(lake, source, partition);
  await mkdir(target, { recursive: true });
  await rename(options.stagedDataFile, join(target, DATA_FILE_NAME));
  const rejectsTarget = rejectsFolder(lake, source, partition);
  if (options.rejectCount > 0) {
    await mkdir(rejectsTarget, { recursive: true });
    await rename(options.stagedRejectsFile, join(rejectsTarget, REJECTS_FILE_NAME));
  } else {
    await rm(join(rejectsTarget, REJECTS_FILE_NAME), { force: true });
  }
  for (const entry of await readdir(target)) {
    if (entry !== DATA_FILE_NAME) await rm(join(target, entry), { recursive: true, force: true });
  }
}
