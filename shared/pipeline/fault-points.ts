import { writeFile } from 'node:fs/promises';

/** Places in a conversion where crash-safety tests stop the process (then SIGKILL it). */
export type FaultPoint = 'after-staging' | 'before-commit' | 'after-commit';

/**
 * When ATHENA_LOGS_FAULT_POINT names this point, writes the marker file named by
 * ATHENA_LOGS_FAULT_MARKER and never returns, so a test can kill the process exactly here.
 * Does nothing otherwise.
 */
export async function faultPoint(point: FaultPoint): Promise<void> {
  if (process.env.ATHENA_LOGS_FAULT_POINT !== point) return;
  const marker = process.env.ATHENA_LOGS_FAULT_MARKER;
  if (marker) await writeFile(marker, point);
  await new Promise<never>(() => setInterval(() => undefined, 60_000));
}
