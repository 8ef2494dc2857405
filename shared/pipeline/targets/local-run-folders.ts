import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeadLocalRunner } from '../runner-id.js';

/** Staging folders of crashed runs are removed once they are this old. */
const STALE_STAGING_MS = 6 * 3_600_000;

/** Each run's staging and scratch folders name their runner, so a later run can tell it died. */
const RUN_MARKER = 'run.json';

export async function markRunFolder(folder: string, runnerId: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, RUN_MARKER), JSON.stringify({ runnerId }));
}

function runnerOf(marker: string | undefined): string | undefined {
  try {
    const runnerId =
      marker === undefined ? undefined : (JSON.parse(marker) as { runnerId?: unknown }).runnerId;
    return typeof runnerId === 'string' ? runnerId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the folders crashed runs left below `root`: at once when their runner was a process of
 * this host that no longer exists, otherwise once they are old enough to be abandoned.
 */
export async function removeStaleRunFolders(root: string, now: number): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const folder = join(root, entry);
    const marker = await readFile(join(folder, RUN_MARKER), 'utf8').catch(() => undefined);
    const runnerId = runnerOf(marker);
    const info = await stat(folder).catch(() => undefined);
    const abandoned = runnerId !== undefined && isDeadLocalRunner(runnerId);
    if (info && (abandoned || now - info.mtimeMs > STALE_STAGING_MS)) {
      await rm(folder, { recursive: true, force: true });
    }
  }
}
