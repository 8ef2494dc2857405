import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BookmarkStoreError } from '../errors.js';
import { isPidAlive } from '../process.js';
import { storeFailure } from './failure.js';
import { nodeArgsFor, siblingScript } from './node-script.js';
import {
  endpointOf,
  EXIT_STORE_LOCKED,
  isServerAlive,
  readServerInfo,
  serverInfoPath,
  serverLogPath,
  type ServerInfo,
} from './server-info.js';
import { tryTakeStartLock, type StartLock } from './start-lock.js';

const START_TIMEOUT_MS = 15_000;
const POLL_MS = 50;
const LOCK_REFRESH_MS = 1_000;

/** Calls of this process in progress, per folder: concurrent callers share one. */
const pending = new Map<string, Promise<{ endpoint: string }>>();

/**
 * Returns the endpoint of the dynalite server that serves the bookmarks folder `dir`, starting
 * it (detached, so it outlives this process and serves the next ones) when none is alive.
 * Every process on a folder ends up sharing one server: starting is serialised by
 * `<dir>/start.lock`, and LevelDB's own lock stops any second server from serving.
 *
 * @throws BookmarkStoreError when no server is serving within 15 seconds.
 */
export function ensureLocalBookmarkServer(dir: string): Promise<{ endpoint: string }> {
  const folder = resolve(dir);
  let call = pending.get(folder);
  if (call === undefined) {
    call = ensure(folder).finally(() => pending.delete(folder));
    pending.set(folder, call);
  }
  return call;
}

async function ensure(dir: string): Promise<{ endpoint: string }> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw storeFailure(`create the bookmarks folder ${dir}`, err);
  }
  try {
    return await ensureIn(dir);
  } catch (err) {
    if (err instanceof BookmarkStoreError) throw err;
    // File system trouble with server.json, start.lock or the spawn itself.
    throw storeFailure(`start or find the local bookmark server for ${dir}`, err);
  }
}

async function ensureIn(dir: string): Promise<{ endpoint: string }> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let problem = '';
  while (Date.now() < deadline) {
    const running = await aliveServer(dir);
    if (running !== undefined) return { endpoint: endpointOf(running) };
    const lock = await tryTakeStartLock(dir);
    if (lock === undefined) {
      // Another process is starting the server: its server.json will show up.
      await sleep(POLL_MS * 2);
      continue;
    }
    try {
      const again = await aliveServer(dir);
      if (again !== undefined) return { endpoint: endpointOf(again) };
      // Stale (dead pid, silent port or garbage): only the lock holder may remove it.
      await rm(serverInfoPath(dir), { force: true });
      const outcome = await startServer(dir, lock, deadline);
      if (typeof outcome !== 'string') return { endpoint: endpointOf(outcome) };
      problem = outcome;
    } finally {
      await lock.release();
    }
    await sleep(POLL_MS * 2);
  }
  throw new BookmarkStoreError(
    `The local bookmark server for ${dir} did not start within ${START_TIMEOUT_MS / 1000} seconds` +
      `${problem === '' ? '' : ` (${problem})`}; its log is ${serverLogPath(dir)}.`,
  );
}

async function aliveServer(dir: string): Promise<ServerInfo | undefined> {
  const info = await readServerInfo(dir);
  return info !== undefined && (await isServerAlive(info)) ? info : undefined;
}

/**
 * Spawns the server script and waits for it to advertise itself. Returns its info, or why it did
 * not (a retryable condition, e.g. an exiting server still held the store).
 */
async function startServer(dir: string, lock: StartLock, deadline: number): Promise<ServerInfo | string> {
  const script = siblingScript(import.meta.url, 'dynalite-server');
  // Our execArgv is left out on purpose: test runners' and debuggers' flags are not the server's.
  const child = spawn(process.execPath, [...nodeArgsFor(script), dir], {
    detached: true,
    stdio: 'ignore',
    cwd: dir,
  });
  let exitCode: number | undefined;
  let spawnError: Error | undefined;
  child.once('exit', (code, signal) => (exitCode = code ?? (signal === null ? 1 : 128)));
  child.once('error', (err) => (spawnError = err));
  child.unref();

  let refreshed = Date.now();
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    if (Date.now() - refreshed >= LOCK_REFRESH_MS) {
      await lock.refresh();
      refreshed = Date.now();
    }
    const info = await readServerInfo(dir);
    // Our child writes server.json only once it serves; any other live server is as good.
    if (info !== undefined && (info.pid === child.pid || (await isServerAlive(info)))) return info;
    if (spawnError !== undefined) {
      throw new BookmarkStoreError(
        `Could not start the local bookmark server for ${dir}: ${spawnError.message}.`,
        {
          cause: spawnError,
        },
      );
    }
    if (exitCode === EXIT_STORE_LOCKED) return 'another server process still held the store';
    if (exitCode !== undefined) {
      throw new BookmarkStoreError(
        `The local bookmark server for ${dir} exited with code ${exitCode} before serving` +
          `${await lastLogLine(dir)}; its log is ${serverLogPath(dir)}.`,
      );
    }
  }
  return 'it did not advertise itself in server.json';
}

async function lastLogLine(dir: string): Promise<string> {
  const text = await readFile(serverLogPath(dir), 'utf8').catch(() => '');
  const line = text.trimEnd().split('\n').pop() ?? '';
  return line === '' ? '' : ` (${line.slice(0, 500)})`;
}

/**
 * Stops the server of a bookmarks folder, if one runs, and waits (up to `timeoutMs`) until it has
 * exited — so that the folder can be removed without racing its last writes.
 */
export async function stopLocalBookmarkServer(dir: string, timeoutMs = 5_000): Promise<void> {
  const info = await readServerInfo(dir).catch(() => undefined);
  if (!info || !isPidAlive(info.pid)) return;
  try {
    process.kill(info.pid, 'SIGTERM');
  } catch {
    return; // it exited meanwhile
  }
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline && isPidAlive(info.pid);) {
    await sleep(POLL_MS);
  }
}
