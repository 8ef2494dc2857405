import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { isPidAlive } from '../process.js';

/** What `<dir>/server.json` says about the dynalite server that serves a bookmarks folder. */
export interface ServerInfo {
  port: number;
  pid: number;
  /** ISO-8601 UTC. */
  startedAt: string;
}

/** Exit code of a server that found another server holding the store's LevelDB lock. */
export const EXIT_STORE_LOCKED = 3;

/** Environment variable: milliseconds without a request after which the server exits. */
export const IDLE_ENV = 'ATHENA_LOGS_DYNALITE_IDLE_MS';

/** Where the detached server (whose stdio goes nowhere) writes its life cycle and failures. */
export function serverLogPath(dir: string): string {
  return join(dir, 'server.log');
}

/** The file through which every process on a workdir finds the one shared server. */
export function serverInfoPath(dir: string): string {
  return join(dir, 'server.json');
}

/** The DynamoDB endpoint a server listens on. */
export function endpointOf(info: ServerInfo): string {
  return `http://127.0.0.1:${info.port}`;
}

/** Reads server.json; undefined when it is missing or not a server description (treated as stale). */
export async function readServerInfo(dir: string): Promise<ServerInfo | undefined> {
  let text: string;
  try {
    text = await readFile(serverInfoPath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const value = JSON.parse(text) as Partial<ServerInfo>;
    if (Number.isInteger(value.port) && Number.isInteger(value.pid) && typeof value.startedAt === 'string') {
      return value as ServerInfo;
    }
  } catch {
    // Unparseable content is as good as no server: the caller replaces it.
  }
  return undefined;
}

/** Writes server.json atomically (temp file + rename), so a reader never sees half of it. */
export async function writeServerInfo(dir: string, info: ServerInfo): Promise<void> {
  const temp = join(dir, `server.json.${process.pid}.${randomUUID()}.tmp`);
  await writeFile(temp, JSON.stringify(info), 'utf8');
  try {
    await rename(temp, serverInfoPath(dir));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

export { isPidAlive } from '../process.js';

/**
 * True when the port answers dynalite's health check (GET / → "healthy: …") within the timeout.
 * An HTTP answer, not a bare TCP connect, so that a reused port held by another program does not
 * pass for our server.
 */
export function answersHealthCheck(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', method: 'GET', timeout: timeoutMs, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(res.statusCode === 200 && body.startsWith('healthy')));
        res.on('error', () => resolve(false));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** A server is alive when its process exists and it answers on its port. */
export async function isServerAlive(info: ServerInfo): Promise<boolean> {
  return isPidAlive(info.pid) && (await answersHealthCheck(info.port));
}
