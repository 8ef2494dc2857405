/**
 * The local bookmark server: `node dynalite-server.js <dir>` serves `<dir>/data` (LevelDB) over the
 * DynamoDB API on 127.0.0.1, advertises itself in `<dir>/server.json`, and exits by itself when
 * idle. Every CLI process on a workdir shares it (see local-server.ts, which spawns it detached):
 * LevelDB admits one process per folder, so one process must own the data.
 *
 * Exit codes: 0 idle or signalled, 1 failure (see `<dir>/server.log`), 3 another server holds
 * the store's lock (server.json is left alone: it belongs to that server).
 */
import dynalite from 'dynalite';
import { appendFile, mkdir, rm, stat } from 'node:fs/promises';
import { request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import {
  EXIT_STORE_LOCKED,
  IDLE_ENV,
  readServerInfo,
  serverInfoPath,
  serverLogPath,
  writeServerInfo,
  type ServerInfo,
} from './server-info.js';

const DEFAULT_IDLE_MS = 120_000;
/** How long a graceful close may take before the process exits anyway. */
const CLOSE_GRACE_MS = 5_000;

interface LevelModule {
  Level: new (path: string) => { open(): Promise<void>; close(): Promise<void> };
}

function idleTimeoutMs(raw: string | undefined): number {
  const value = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(value) && value > 0 ? value : DEFAULT_IDLE_MS;
}

/** One line per event (stacks folded), so that a client can quote the last line of the log. */
function logger(dir: string): (line: string) => Promise<void> {
  return (line) =>
    appendFile(
      serverLogPath(dir),
      `${new Date().toISOString()} [${process.pid}] ${line.replace(/\n\s*/g, ' | ')}\n`,
    ).catch(() => undefined);
}

/**
 * True when another process holds the folder's LevelDB lock. dynalite opens LevelDB lazily and
 * swallows the open error (its requests then fail), so we try the lock ourselves first, with
 * dynalite's own copy of `level` so that the probe opens the folder exactly as dynalite will.
 */
async function storeIsLocked(path: string): Promise<boolean> {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = fromDynalite('level') as LevelModule;
  const db = new Level(path);
  try {
    await db.open();
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED') return true;
    throw err;
  }
  await db.close();
  return false;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Sends one ListTables to ourselves, which makes dynalite touch LevelDB: it fails when the store
 * did not open, so server.json is only written by a server that can serve. dynalite does not
 * check signatures, hence the placeholder authorization.
 */
function selfCheck(port: number): Promise<void> {
  return new Promise((resolveCheck, reject) => {
    const body = '{}';
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        timeout: 10_000,
        agent: false,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(body),
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          'x-amz-date': '20200101T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolveCheck()
            : reject(new Error(`self-check answered HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('self-check timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (arg === undefined || arg === '') {
    console.error('usage: dynalite-server <dir>');
    process.exit(2);
  }
  const dir = resolve(arg);
  const dataPath = join(dir, 'data');
  const idleMs = idleTimeoutMs(process.env[IDLE_ENV]);
  const log = logger(dir);
  await mkdir(dataPath, { recursive: true });

  if (await storeIsLocked(dataPath)) {
    await log('another server holds the store lock: leaving it the folder');
    process.exit(EXIT_STORE_LOCKED);
  }

  let ready = false;
  let stopping = false;
  let lastActivity = Date.now();
  let inFlight = 0;
  // Filled once serving; stop() may run before that (a crash while starting).
  const timer: { ticker?: NodeJS.Timeout } = {};
  let reasserting: Promise<unknown> = Promise.resolve();
  const server = dynalite({ path: dataPath, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const info: ServerInfo = { port: 0, pid: process.pid, startedAt: new Date().toISOString() };

  const stop = async (code: number, reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer.ticker);
    await reasserting;
    await log(`stopping (${reason})`);
    // Stop advertising first, so that no new client picks a server that is going away.
    if ((await readServerInfo(dir).catch(() => undefined))?.pid === process.pid) {
      await rm(serverInfoPath(dir), { force: true });
    }
    setTimeout(() => process.exit(code), CLOSE_GRACE_MS).unref();
    // dynalite's close also closes LevelDB cleanly, releasing its lock for the next server.
    server.close(() => process.exit(code));
  };

  process.on('uncaughtException', (err) => {
    // dynalite throws from its request handler when LevelDB did not open. Before we are ready
    // that means another server took the lock between our probe and dynalite's own open.
    const lockLost = !ready && (err as { code?: string }).code === 'LEVEL_DATABASE_NOT_OPEN';
    void log(`uncaught: ${err.stack ?? String(err)}`).then(() =>
      lockLost ? process.exit(EXIT_STORE_LOCKED) : stop(1, 'uncaught exception'),
    );
  });
  process.on('SIGTERM', () => void stop(0, 'SIGTERM'));
  process.on('SIGINT', () => void stop(0, 'SIGINT'));

  server.on('request', (_req, res) => {
    inFlight += 1;
    lastActivity = Date.now();
    res.on('close', () => {
      inFlight -= 1;
      lastActivity = Date.now();
    });
  });

  info.port = await listen(server);
  await selfCheck(info.port);
  if (stopping) return; // signalled while starting: never advertise a server that is going away
  // The store we serve, by inode: if its folder is deleted (or replaced), we serve nothing real.
  const storeIdentity = (await stat(dataPath)).ino;
  await writeServerInfo(dir, info);
  ready = true;
  await log(`serving ${dataPath} on 127.0.0.1:${info.port}, idle timeout ${idleMs} ms`);

  timer.ticker = setInterval(
    () => {
      if (inFlight === 0 && Date.now() - lastActivity >= idleMs) {
        void stop(0, 'idle');
        return;
      }
      // We hold the store's lock, so we are the one server of this folder: put server.json back
      // if a client wrongly judged us stale and removed it (e.g. we were too slow to answer) —
      // unless our store is gone (the workdir was deleted): then a new server may own the folder,
      // and we must leave, never fight it for server.json.
      reasserting = stat(dataPath)
        .then(
          (now) => now.ino === storeIdentity,
          () => false,
        )
        .then(async (ours) => {
          // stop() waits for this check to settle, so it runs after it.
          if (!ours) return void setImmediate(() => void stop(0, 'store folder deleted or replaced'));
          const current = await readServerInfo(dir);
          if (current?.pid !== process.pid && !stopping) await writeServerInfo(dir, info);
        })
        .catch((err: Error) => log(`could not check server.json: ${err.message}`));
    },
    Math.max(100, Math.min(1_000, idleMs / 4)),
  );
}

main().catch(async (err: Error) => {
  await logger(resolve(process.argv[2] ?? '.'))(`failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
