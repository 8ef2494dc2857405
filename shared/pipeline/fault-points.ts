import { access, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Places in a run where crash-safety and concurrency tests stop the process: `during-staging`
 * once an object of a partition is decompressed (others may still be), `during-write` just
 * before DuckDB's statement that writes the staged Parquet file.
 */
export type FaultPoint =
  'after-planning' | 'during-staging' | 'during-write' | 'after-staging' | 'before-commit' | 'after-commit';

/**
 * When ATHENA_LOGS_FAULT_POINT names this point, writes the marker file named by
 * ATHENA_LOGS_FAULT_MARKER, then waits: until the file named by ATHENA_LOGS_FAULT_RELEASE
 * exists, or for ever (so a test can SIGKILL the process exactly here). Does nothing otherwise.
 */
export async function faultPoint(point: FaultPoint): Promise<void> {
  if (process.env.ATHENA_LOGS_FAULT_POINT !== point) return;
  const marker = process.env.ATHENA_LOGS_FAULT_MARKER;
  if (marker) await writeFile(marker, point);
  const release = process.env.ATHENA_LOGS_FAULT_RELEASE;
  for (;;) {
    if (
      release &&
      (await access(release).then(
        () => true,
        () => false,
      ))
    )
      return;
    await sleep(20);
  }
}
