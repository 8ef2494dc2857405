import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodeArgsFor } from '../../shared/bookmarks/node-script.js';
import { isPidAlive, readServerInfo } from '../../shared/bookmarks/server-info.js';

/** A DynamoDB client for a local endpoint; the credentials are placeholders dynalite ignores. */
export function localClient(endpoint: string, maxAttempts = 3): DynamoDBClient {
  return new DynamoDBClient({
    region: 'local',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts,
  });
}

/** An in-process, in-memory dynalite on 127.0.0.1 (fast: no LevelDB files). */
export async function startMemoryDynalite(): Promise<{
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = localClient(endpoint);
  return {
    endpoint,
    client,
    async close() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Temporary folders, removed (with the servers they hold) by `cleanup`. */
export class TempDirs {
  private readonly dirs: string[] = [];
  /** Every server pid seen, killed at cleanup even if server.json no longer names it. */
  readonly serverPids = new Set<number>();

  async make(prefix = 'athena-logs-bookmarks-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Notes the server of a bookmarks folder, so that cleanup kills it. */
  async track(bookmarksDir: string): Promise<number | undefined> {
    const pid = (await readServerInfo(bookmarksDir))?.pid;
    if (pid !== undefined) this.serverPids.add(pid);
    return pid;
  }

  async cleanup(): Promise<void> {
    for (const pid of this.serverPids) {
      if (isPidAlive(pid)) process.kill(pid, 'SIGTERM');
    }
    await Promise.all(
      [...this.serverPids].map(async (pid) => {
        if (!(await waitFor(() => !isPidAlive(pid), 5_000))) process.kill(pid, 'SIGKILL');
      }),
    );
    await Promise.all(this.dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/** Polls until `condition` holds; false on timeout. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(50);
  }
  return condition();
}

/** Runs a script (TypeScript through tsx) in its own Node process and collects its output. */
export function runScript(
  script: URL,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgsFor(script), ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
