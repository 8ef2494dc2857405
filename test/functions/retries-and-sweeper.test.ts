import type { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureMetrics } from './emf.js';
import {
  albPartition,
  albRawKey,
  deliverAll,
  lambdaContext,
  loadHandlers,
  startLambdaWorld,
  TOPIC,
  type LambdaWorld,
  type TestHandler,
} from './lambda-harness.js';

const GOOD = '111122223333';
const BAD = '012345678901';
const T0 = Date.parse('2026-11-22T01:30:00Z');

let world: LambdaWorld;
let handlers: Record<'nightly' | 'onConversionEvent' | 'sweeper', TestHandler>;
let store: ConversionStore;

beforeAll(async () => {
  world = await startLambdaWorld({ RETRY_BUDGET: '2', STUCK_AFTER_MINUTES: '30' });
  for (const account of [GOOD, BAD]) world.addRaw(albRawKey(account, 'eu-west-1', '2026-11-21'), 'gz');
  // Every parse of the bad account's partition fails, as a corrupt object would make it.
  world.failWhen((sql) =>
    sql.includes(`'${BAD}'`) && sql.includes('_raw_lines')
      ? 'HIVE_BAD_DATA: Error parsing field value'
      : undefined,
  );
  ({ handlers, store } = await loadHandlers(['nightly', 'onConversionEvent', 'sweeper'], { fakeNow: T0 }));
});
afterAll(async () => {
  vi.useRealTimers();
  await world.close();
});

const key = (account: string) => albPartition(account, '2026-11-21');

describe('failures, retries and the sweeper', () => {
  it('retries a failed conversion after a backoff, then marks it FAILED for good with a metric and an alert', async () => {
    const emitted = captureMetrics();
    await handlers.nightly({ time: new Date(T0).toISOString() }, lambdaContext());
    await deliverAll(world, handlers.onConversionEvent);

    expect(await store.get(key(GOOD))).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
    const waiting = await store.get(key(BAD));
    expect(waiting).toMatchObject({ state: 'PENDING', attempts: 1 });
    expect(waiting?.error).toContain('HIVE_BAD_DATA');
    expect(waiting?.retryAt).toBe(T0 + 5 * 60_000);
    expect(emitted.total('ConversionRetries', { Source: 'alb' })).toBe(1);

    // Before the backoff ends the sweeper starts nothing; after it, the retry runs (and fails again).
    const early = (await handlers.sweeper(
      { time: new Date(T0 + 60_000).toISOString() },
      lambdaContext(),
    )) as { start: { started: number } };
    expect(early.start.started).toBe(0);
    vi.setSystemTime(T0 + 6 * 60_000);
    const later = (await handlers.sweeper({ time: new Date().toISOString() }, lambdaContext())) as {
      start: { started: number };
    };
    expect(later.start.started).toBe(1);
    await deliverAll(world, handlers.onConversionEvent);

    const failed = await store.get(key(BAD));
    expect(failed).toMatchObject({ state: 'FAILED', attempts: 2 });
    expect(emitted.total('ConversionsFailed')).toBe(1);
    expect(emitted.total('ConversionsFailed', { Source: 'alb' })).toBe(1);
    expect(world.published).toHaveLength(1);
    expect(world.published[0]).toMatchObject({
      TopicArn: TOPIC,
      Subject: `athena-logs: alb ${BAD}/eu-west-1/2026-11-21 FAILED`,
    });
    expect(world.published[0]?.Message).toContain('HIVE_BAD_DATA');
    expect(world.published[0]?.Message).toContain(
      `{"from":"2026-11-21","to":"2026-11-21","source":"alb","account":"${BAD}","region":"eu-west-1"}`,
    );
    // The failed attempts' staging and scratch are gone (the plan and the raw lines' manifest stay for a retry).
    const left = world.lakeKeys().filter((k) => k.includes(`account=${BAD}`));
    expect(left.filter((k) => !k.includes('/_plans/') && !k.includes('/_manifests/'))).toEqual([]);

    // FAILED is final: the next night leaves it alone.
    vi.setSystemTime(T0 + 24 * 3_600_000);
    const next = (await handlers.nightly({ time: new Date().toISOString() }, lambdaContext())) as {
      plan: { queued: number };
    };
    expect(next.plan.queued).toBe(0);
    emitted.restore();
  });

  it('continues a conversion whose completion event was lost, when the sweeper polls it', async () => {
    world.addRaw(albRawKey(GOOD, 'eu-west-1', '2026-11-22'), 'gz');
    vi.setSystemTime(Date.parse('2026-11-23T01:30:00Z'));
    await handlers.nightly({ time: new Date().toISOString() }, lambdaContext());
    const [parse] = world.running();
    world.finish(parse!); // the event is never delivered

    const soon = (await handlers.sweeper({ time: new Date().toISOString() }, lambdaContext())) as {
      polled: object;
    };
    expect(soon.polled).toEqual({});
    // Polled once quiet for POLL_AFTER_MINUTES (10), long before STUCK_AFTER_MINUTES (30).
    vi.setSystemTime(Date.now() + 9 * 60_000);
    const early = (await handlers.sweeper({ time: new Date().toISOString() }, lambdaContext())) as {
      polled: object;
    };
    expect(early.polled).toEqual({});
    vi.setSystemTime(Date.now() + 2 * 60_000);
    const swept = (await handlers.sweeper({ time: new Date().toISOString() }, lambdaContext())) as {
      polled: Record<string, number>;
      hoursSinceLastSuccess: Record<string, number>;
      neverConverted: string[];
    };

    expect(swept.polled).toEqual({ advanced: 1 });
    expect((await store.get({ ...key(GOOD), date: '2026-11-22' }))?.step).toBe('rows');
    await deliverAll(world, handlers.onConversionEvent);
    expect((await store.get({ ...key(GOOD), date: '2026-11-22' }))?.state).toBe('SUCCEEDED');
    // Freshness: the newest converted day then (2026-11-21) ended 25 h 41 min before that sweep.
    expect(swept.hoursSinceLastSuccess.alb).toBeCloseTo(25 + 41 / 60, 5);
    // vpc_flow is configured but has no logs: watched by its own alarm, not by the lag.
    expect(swept.neverConverted).toEqual(['vpc_flow']);
    expect(Object.keys(swept.hoursSinceLastSuccess)).toEqual(['alb']);
  });

  it('polls a run that is still going without touching it, and leaves it for the next quiet spell', async () => {
    world.addRaw(albRawKey(GOOD, 'eu-west-1', '2026-11-23'), 'gz');
    vi.setSystemTime(Date.parse('2026-11-24T01:30:00Z'));
    await handlers.nightly({ time: new Date().toISOString() }, lambdaContext());
    vi.setSystemTime(Date.now() + 31 * 60_000);

    const first = (await handlers.sweeper({ time: new Date().toISOString() }, lambdaContext())) as {
      polled: object;
    };
    const second = (await handlers.sweeper({ time: new Date().toISOString() }, lambdaContext())) as {
      polled: object;
    };

    expect(first.polled).toEqual({ 'still-running': 1 });
    expect(second.polled).toEqual({});
    expect((await store.get({ ...key(GOOD), date: '2026-11-23' }))?.state).toBe('RUNNING');
    await deliverAll(world, handlers.onConversionEvent);
    expect((await store.get({ ...key(GOOD), date: '2026-11-23' }))?.state).toBe('SUCCEEDED');
  });

  it('removes the scratch that dead conversions left, older than a day, and nothing else', async () => {
    const now = Date.now();
    const old = new Date(now - 25 * 3_600_000);
    world.extraTables.push(
      { Name: 'alb_tmp_20261101_0123456789abcdef_parsed', CreateTime: old },
      { Name: 'alb_tmp_20261123_fedcba9876543210_rows', CreateTime: new Date(now - 3_600_000) },
      { Name: 'sales_tmp_report', CreateTime: old },
    );
    world.addLake('lake/_staging/alb/account=1/region=r/year=2026/month=11/day=01/v=dead/part-0', 'x', old);

    const swept = (await handlers.sweeper({ time: new Date(now).toISOString() }, lambdaContext())) as {
      leftovers: { tablesDropped: number; objectsDeleted: number; failures: string[] };
    };

    expect(swept.leftovers).toEqual({ tablesDropped: 1, objectsDeleted: 1, failures: [] });
    expect(world.droppedTables).toContain('alb_tmp_20261101_0123456789abcdef_parsed');
    expect(world.droppedTables).not.toContain('sales_tmp_report');
    expect(world.droppedTables).not.toContain('alb_tmp_20261123_fedcba9876543210_rows');
    expect(world.lakeKeys().some((k) => k.includes('v=dead'))).toBe(false);
  });
});
