import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBookmarkStore, ensureBookmarkTable } from '../../shared/bookmarks/dynamodb-store.js';
import { nodeArgsFor } from '../../shared/bookmarks/node-script.js';
import type { PartitionKey } from '../../shared/bookmarks/types.js';
import { startMemoryDynalite } from './helpers.js';

const RACER = new URL('./fixtures/race-acquirer.ts', import.meta.url);
const ROUNDS = 20;
const KEY: PartitionKey = {
  lake: '/lake',
  source: 'cloudtrail',
  account: '123456789012',
  region: 'us-east-1',
  date: '2024-06-01',
};
const FINGERPRINT = { objects: 2, bytes: 2048, newestModified: '2024-06-02T00:00:00.000Z' };
const FIGURES = { rowsIn: 1, rowsOut: 1, rowsRejected: 0, bytesIn: 2048, seconds: 0.1 };

/** A racer process, spoken to one JSON line at a time. */
class Racer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private stderr = '';
  private exited: Promise<number | null>;

  constructor(
    readonly owner: string,
    endpoint: string,
    table: string,
  ) {
    this.child = spawn(process.execPath, [...nodeArgsFor(RACER), endpoint, table, owner]);
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting) waiting(line);
      else this.lines.push(line);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', resolve));
  }

  /** The next line the racer prints; rejects if it exits first. */
  next(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return Promise.race([
      new Promise<string>((resolve) => (this.waiting = resolve)),
      this.exited.then((code) => Promise.reject(new Error(`${this.owner} exited (${code}): ${this.stderr}`))),
    ]);
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async stop(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

let dynamo: Awaited<ReturnType<typeof startMemoryDynalite>>;
let racers: Racer[] = [];

beforeAll(async () => {
  dynamo = await startMemoryDynalite();
});

afterAll(async () => {
  await Promise.all(racers.map((racer) => racer.stop()));
  await dynamo.close();
});

describe('lease exclusion across processes', () => {
  it(`lets exactly one of two processes take the lease, ${ROUNDS} rounds over`, async () => {
    const table = 'lease_race';
    await ensureBookmarkTable(dynamo.client, table);
    const store = new DynamoBookmarkStore(dynamo.client, table);
    racers = ['racer-a', 'racer-b'].map((owner) => new Racer(owner, dynamo.endpoint, table));
    for (const racer of racers) expect(await racer.next()).toBe('ready');

    const wins = new Map<string, number>();
    const request = JSON.stringify({ key: KEY, fingerprint: FINGERPRINT, leaseMs: 60_000 });
    for (let round = 1; round <= ROUNDS; round++) {
      // Both get the request at the same moment: each reads the bookmark, then writes conditionally.
      for (const racer of racers) racer.send(request);
      const results = await Promise.all(
        racers.map(async (racer) => JSON.parse(await racer.next()) as { acquired: boolean; holder?: string }),
      );
      const winners = racers.filter((_, i) => results[i]?.acquired);
      expect(winners, `round ${round}`).toHaveLength(1);
      const winner = winners[0]?.owner ?? '';
      // The loser is told who holds the lease.
      for (const result of results) expect(result.holder).toBe(winner);
      wins.set(winner, (wins.get(winner) ?? 0) + 1);
      // Release for the next round, as the winner's conversion would.
      await store.succeed(KEY, winner, FIGURES);
    }

    // Every round's single win was one attempt, none more.
    expect((await store.get(KEY))?.attempts).toBe(ROUNDS);
    expect([...wins.values()].reduce((a, b) => a + b, 0)).toBe(ROUNDS);
  });
});
