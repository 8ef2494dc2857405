import { randomUUID } from 'node:crypto';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { isPidAlive } from './server-info.js';

/** A lock older than this (since it was taken or last refreshed) belongs to a runner that hung. */
export const START_LOCK_STALE_MS = 10_000;

/** The right to start the bookmark server of one folder, held by one process at a time. */
export interface StartLock {
  /** Marks the lock as still in use, so that a slow start is not mistaken for a dead one. */
  refresh(): Promise<void>;
  release(): Promise<void>;
}

interface LockContent {
  pid: number;
  token: string;
}

function lockPath(dir: string): string {
  return join(dir, 'start.lock');
}

async function readLock(path: string): Promise<{ raw: string; content?: LockContent } | undefined> {
  try {
    const raw = await readFile(path, 'utf8');
    try {
      return { raw, content: JSON.parse(raw) as LockContent };
    } catch {
      // Taken but not yet written (open 'wx' then write): only its age can tell it is stale.
      return { raw };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Removes the lock when its holder is dead or it has not been refreshed for START_LOCK_STALE_MS.
 * Re-reading before removal narrows, but cannot close, the window in which two processes judge
 * the same lock stale; if both then start a server, LevelDB's own lock lets only one serve.
 */
async function removeIfStale(path: string): Promise<void> {
  const before = await readLock(path);
  if (before === undefined) return;
  let modified: number;
  try {
    modified = (await stat(path)).mtimeMs;
  } catch {
    return;
  }
  const holderDead = before.content !== undefined && !isPidAlive(before.content.pid);
  if (!holderDead && Date.now() - modified <= START_LOCK_STALE_MS) return;
  if ((await readLock(path))?.raw === before.raw) await rm(path, { force: true });
}

/**
 * Takes `<dir>/start.lock` with an exclusive create, or returns undefined when another live
 * process holds it (a stale lock is removed, so the next try can succeed).
 */
export async function tryTakeStartLock(dir: string): Promise<StartLock | undefined> {
  const path = lockPath(dir);
  const token = randomUUID();
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(JSON.stringify({ pid: process.pid, token } satisfies LockContent), 'utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    await removeIfStale(path);
    return undefined;
  }
  const stillOurs = async (): Promise<boolean> => (await readLock(path))?.content?.token === token;
  return {
    async refresh() {
      const now = new Date();
      if (await stillOurs()) await utimes(path, now, now).catch(() => undefined);
    },
    async release() {
      // Only our own lock: if ours was judged stale and replaced, the new one is not ours to drop.
      if (await stillOurs()) await rm(path, { force: true });
    },
  };
}
