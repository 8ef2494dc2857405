import type { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  albPartition,
  albRawKey,
  deliverAll,
  lambdaContext,
  loadHandlers,
  startLambdaWorld,
  type LambdaWorld,
  type TestHandler,
} from './lambda-harness.js';

const DATE = '2026-11-20';
/** The account whose conversion fails at each step, by the step. */
const FAILING = { parse: '111122223333', rows: '012345678901', rejects: '444455556666' } as const;
const T0 = Date.parse('2026-11-21T01:30:00Z');

let world: LambdaWorld;
let handlers: Record<'nightly' | 'onConversionEvent', TestHandler>;
let store: ConversionStore;

const key = (account: string) => albPartition(account, DATE);

function addRaw(account: string, name: string, body: string): void {
  world.addRaw(albRawKey(account, 'eu-west-1', DATE, name), body, new Date(T0 - 3_600_000));
}

/** Which step a statement is: the parse reads the lines table, the rejects CTAS writes JSON. */
function stepOf(sql: string): 'parse' | 'rows' | 'rejects' {
  return sql.includes('_raw_lines') ? 'parse' : sql.includes("format = 'JSON'") ? 'rejects' : 'rows';
}

beforeAll(async () => {
  world = await startLambdaWorld({ LOOKBACK_DAYS: '2', RETRY_BUDGET: '3' });
  for (const account of Object.values(FAILING)) addRaw(account, 'a', 'gz');
  ({ handlers, store } = await loadHandlers(['nightly', 'onConversionEvent'], { fakeNow: T0 }));
});
afterAll(async () => {
  vi.useRealTimers();
  await world.close();
});

describe('an Athena conversion failing at each of its three steps', () => {
  it('keeps the version served, discards what the attempt staged, drops its scratch, and waits out the backoff', async () => {
    // Night 1: the three partitions convert.
    await handlers.nightly({ time: new Date(T0).toISOString() }, lambdaContext());
    await deliverAll(world, handlers.onConversionEvent);
    const served = new Map<string, string>();
    for (const account of Object.values(FAILING)) {
      const bookmark = await store.get(key(account));
      expect(bookmark?.state).toBe('SUCCEEDED');
      served.set(account, bookmark!.location!);
    }

    // Late data for each; night 2 re-converts them, and each attempt fails at its own step.
    for (const account of Object.values(FAILING)) addRaw(account, 'late', 'late logs');
    world.failWhen((sql) => {
      const step = stepOf(sql);
      const account = FAILING[step];
      // The parse names the partition's values; the two later steps write into its folder.
      const ofAccount = sql.includes(`'${account}'`) || sql.includes(`account=${account}/`);
      return ofAccount ? `HIVE_CURSOR_ERROR: failure in the ${step} step` : undefined;
    });
    const dropped = world.droppedTables.length;
    const night2 = T0 + 24 * 3_600_000;
    vi.setSystemTime(night2);
    const planned = (await handlers.nightly({ time: new Date(night2).toISOString() }, lambdaContext())) as {
      plan: { queued: number };
    };
    expect(planned.plan.queued).toBe(3);
    expect(
      (await deliverAll(world, handlers.onConversionEvent)).filter((outcome) => outcome === 'retry'),
    ).toHaveLength(3);

    const labels = { parse: 'parsing the lines', rows: 'rows', rejects: 'rejects' };
    for (const [step, account] of Object.entries(FAILING) as [keyof typeof FAILING, string][]) {
      const bookmark = await store.get(key(account));
      expect(bookmark).toMatchObject({ state: 'PENDING', attempts: 1, retryAt: night2 + 5 * 60_000 });
      expect(bookmark?.error).toContain(`alb ${account}/eu-west-1/${DATE}`);
      expect(bookmark?.error).toContain(`failure in the ${step} step`);
      expect(bookmark?.error).toContain(labels[step]);
      // The catalog still serves night 1's version, whose data is still there.
      const values = [account, 'eu-west-1', '2026', '11', '20'].join('/');
      expect(world.locations.get(`alb|${values}`)).toBe(served.get(account));
      const live = served.get(account)!.replace('s3://lake-bucket/', '');
      expect(world.lakeKeys().filter((k) => k.startsWith(live))).toHaveLength(1);
      // Nothing else of the partition is left in the table's folder, nor in its rejects.
      const folder = live.replace(/v=[^/]+\/$/, '');
      expect(world.lakeKeys().filter((k) => k.startsWith(folder) && !k.startsWith(live))).toEqual([]);
    }
    // Each failed attempt dropped its three scratch tables, and left no parsed scratch files.
    expect(world.droppedTables.length - dropped).toBe(9);
    expect(world.lakeKeys().filter((k) => k.startsWith('lake/_staging/'))).toEqual([]);

    // The next planning during the backoff leaves the retries alone: same backoff, nothing started.
    vi.setSystemTime(night2 + 60_000);
    const replanned = (await handlers.nightly({ time: new Date(night2).toISOString() }, lambdaContext())) as {
      plan: { queued: number };
      start: { started: number };
    };
    expect(replanned.plan.queued).toBe(0);
    expect(replanned.start.started).toBe(0);
    for (const account of Object.values(FAILING))
      expect((await store.get(key(account)))?.retryAt).toBe(night2 + 5 * 60_000);
  });
});
