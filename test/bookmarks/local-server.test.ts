import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BookmarkStoreError } from '../../shared/errors.js';
import { openLocalBookmarks } from '../../shared/bookmarks/local.js';
import { ensureLocalBookmarkServer } from '../../shared/bookmarks/local-server.js';
import {
  endpointOf,
  IDLE_ENV,
  isPidAlive,
  isServerAlive,
  readServerInfo,
  serverInfoPath,
  serverLogPath,
  writeServerInfo,
  type ServerInfo,
} from '../../shared/bookmarks/server-info.js';
import type { PartitionKey } from '../../shared/bookmarks/types.js';
import { runScript, TempDirs, waitFor } from './helpers.js';

const ENSURE = new URL('./fixtures/ensure-server.ts', import.meta.url);
const SERVER = new URL('../../shared/bookmarks/dynalite-server.ts', import.meta.url);

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid ?? -1;
}

/** A port that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Ensures a server and checks that server.json names it and that it answers. */
async function ensureAndCheck(dir: string): Promise<ServerInfo> {
  const { endpoint } = await ensureLocalBookmarkServer(dir);
  await dirs.track(dir);
  const info = await readServerInfo(dir);
  expect(info).toBeDefined();
  expect(endpoint).toBe(endpointOf(info as ServerInfo));
  expect(await isServerAlive(info as ServerInfo)).toBe(true);
  return info as ServerInfo;
}

describe('ensureLocalBookmarkServer', () => {
  it('gives two processes starting at once the same server', async () => {
    // A folder that does not exist yet: ensuring creates it.
    const dir = join(await dirs.make(), 'work', 'bookmarks');
    const startAt = String(Date.now() + 1_500);
    const runs = await Promise.all([runScript(ENSURE, [dir, startAt]), runScript(ENSURE, [dir, startAt])]);
    const seen = runs.map((run) => {
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as { endpoint: string; pid: number };
    });
    for (const { pid } of seen) dirs.serverPids.add(pid);

    expect(seen[1]).toEqual(seen[0]);
    const info = await readServerInfo(dir);
    expect(info?.pid).toBe(seen[0]?.pid);
    expect(isPidAlive(seen[0]?.pid ?? -1)).toBe(true);
    // Only one server ever served the folder.
    const log = await readFile(serverLogPath(dir), 'utf8');
    expect(log.match(/ serving /g)).toHaveLength(1);
  });

  it('replaces a server.json whose process is dead', async () => {
    const dir = await dirs.make();
    const stale: ServerInfo = {
      port: await closedPort(),
      pid: await deadPid(),
      startedAt: new Date().toISOString(),
    };
    await writeServerInfo(dir, stale);
    const info = await ensureAndCheck(dir);
    expect(info.pid).not.toBe(stale.pid);
  });

  it('replaces a server.json whose process lives but whose port is closed, or that is garbage', async () => {
    const dir = await dirs.make();
    // Our own pid: alive, but not a server.
    await writeServerInfo(dir, {
      port: await closedPort(),
      pid: process.pid,
      startedAt: new Date().toISOString(),
    });
    const first = await ensureAndCheck(dir);
    expect(first.pid).not.toBe(process.pid);

    const other = await dirs.make();
    await writeFile(serverInfoPath(other), '{"port":', 'utf8');
    await ensureAndCheck(other);
  });

  it('returns the running server without starting another', async () => {
    const dir = await dirs.make();
    const first = await ensureAndCheck(dir);
    expect(await ensureAndCheck(dir)).toEqual(first);
  });

  it('lets a second server on the folder exit with code 3, leaving server.json alone', async () => {
    const dir = await dirs.make();
    await ensureAndCheck(dir);
    const before = await readFile(serverInfoPath(dir), 'utf8');
    const second = await runScript(SERVER, [dir]);
    expect(second.code).toBe(3);
    expect(await readFile(serverInfoPath(dir), 'utf8')).toBe(before);
  });

  it('names the folder when it cannot be created', async () => {
    const file = join(await dirs.make(), 'a-file');
    await writeFile(file, '', 'utf8');
    const error = await ensureLocalBookmarkServer(join(file, 'bookmarks')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BookmarkStoreError);
    expect((error as Error).message).toContain(join(file, 'bookmarks'));
  });

  it('exits when idle; the next request restarts it and finds the data on disk', async () => {
    const workdir = await dirs.make();
    const dir = join(workdir, 'bookmarks');
    const key: PartitionKey = {
      lake: workdir,
      source: 'alb',
      account: '1',
      region: 'eu-west-1',
      date: '2024-05-01',
    };
    const figures = { rowsIn: 3, rowsOut: 3, rowsRejected: 0, bytesIn: 300, seconds: 0.5 };

    // Only the server started now idles out quickly; the restarted one keeps the default.
    const previous = process.env[IDLE_ENV];
    process.env[IDLE_ENV] = '1500';
    const local = await openLocalBookmarks(workdir).finally(() => {
      if (previous === undefined) delete process.env[IDLE_ENV];
      else process.env[IDLE_ENV] = previous;
    });
    try {
      const first = await dirs.track(dir);
      const fingerprint = { objects: 1, bytes: 300, newestModified: '2024-05-02T00:00:00.000Z' };
      await local.store.acquire(key, { owner: 'a', leaseMs: 60_000, fingerprint });
      await local.store.succeed(key, 'a', figures);

      expect(await waitFor(() => !isPidAlive(first ?? -1), 10_000)).toBe(true);
      expect(await readServerInfo(dir)).toBeUndefined();

      // Same client: its refused request starts a new server and is sent again.
      const bookmark = await local.store.get(key);
      const second = await dirs.track(dir);
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      expect(bookmark).toMatchObject({ ...key, ...figures, state: 'SUCCEEDED', attempts: 1 });
    } finally {
      local.close();
    }
  });
});
