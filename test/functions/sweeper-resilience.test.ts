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
  type LambdaWorld,
  type TestHandler,
} from './lambda-harness.js';

const LOST = '111122223333';
const FLAKY = '012345678901';
const T0 = Date.parse('2026-11-22T01:30:00Z');

let world: LambdaWorld;
let handlers: Record<'nightly' | 'onConversionEvent' | 'sweeper', TestHandler>;
let store: ConversionStore;

beforeAll(async () => {
  world = await startLambdaWorld({ RETRY_BUDGET: '3', STUCK_AFTER_MINUTES: '30' });
  for (const account of [LOST, FLAKY]) world.addRaw(albRawKey(account, 'eu-west-1', '2026-11-21'), 'gz');
  ({ handlers, store } = await loadHandlers(['nightly', 'onConversionEvent', 'sweeper'], { fakeNow: T0 }));
});
afterAll(async () => {
  vi.useRealTimers();
  await world.close();
});

const key = (account: string) => albPartition(account, '2026-11-21');

describe('the sweeper, when one conversion cannot be polled', () => {
  it('still starts the retries, reports the gauges, and in the end retries the unreachable conversion', async () => {
    const emitted = captureMetrics();
    // The first parse of FLAKY fails (a retry waits out its backoff).
    let flakyFailures = 1;
    world.failWhen((sql) =>
      sql.includes(`'${FLAKY}'`) && sql.includes('_raw_lines') && flakyFailures-- > 0
        ? 'HIVE_BAD_DATA: Error parsing field value'
        : undefined,
    );
    await handlers.nightly({ time: new Date(T0).toISOString() }, lambdaContext());
    const flaky = world.running().find((query) => query.sql.includes(`'${FLAKY}'`))!;
    await handlers.onConversionEvent(world.finish(flaky), lambdaContext());
    expect(await store.get(key(FLAKY))).toMatchObject({ state: 'PENDING', attempts: 1 });
    // LOST's query is no longer known to Athena (GetQueryExecution refuses its id), and its
    // event never comes: polling it fails every time.
    const lost = world.running().find((query) => query.sql.includes(`'${LOST}'`))!;
    Object.assign(lost, { id: `forgotten-${lost.id}`, state: 'FAILED' });

    vi.setSystemTime(T0 + 31 * 60_000);
    const swept = (await handlers.sweeper({ time: new Date().toISOString() }, lambdaContext())) as {
      start: { started: number };
    };

    // FLAKY's retry was started although LOST could not be polled, and the freshness gauge was sent.
    expect(swept.start.started).toBe(1);
    expect(emitted.metrics().filter((metric) => metric.name === 'OldestLagHours')).toEqual([
      { name: 'OldestLagHours', value: 0, dimensions: { service: 'athena-logs-test' } },
    ]);
    // Neither configured source (alb, vpc_flow) has converted a day yet.
    expect(emitted.metrics().filter((metric) => metric.name === 'SourcesNeverConverted')).toEqual([
      { name: 'SourcesNeverConverted', value: 2, dimensions: { service: 'athena-logs-test' } },
    ]);
    await deliverAll(world, handlers.onConversionEvent);
    expect(await store.get(key(FLAKY))).toMatchObject({ state: 'SUCCEEDED', attempts: 2 });
    expect(await store.get(key(LOST))).toMatchObject({ state: 'RUNNING', attempts: 1 });

    // Once nothing could look after LOST for its whole lease, its attempt fails and is retried.
    vi.setSystemTime(T0 + 31 * 60_000 + 2 * 3_600_000 + 60_000);
    await handlers.sweeper({ time: new Date().toISOString() }, lambdaContext());
    const retried = await store.get(key(LOST));
    expect(retried).toMatchObject({ state: 'PENDING', attempts: 1 });
    expect(retried?.error).toContain(`alb ${LOST}/eu-west-1/2026-11-21`);
    vi.setSystemTime(Date.now() + 6 * 60_000);
    await handlers.sweeper({ time: new Date().toISOString() }, lambdaContext());
    await deliverAll(world, handlers.onConversionEvent);
    expect(await store.get(key(LOST))).toMatchObject({ state: 'SUCCEEDED', attempts: 2 });
    expect(await (await import('../../functions/lib/runtime.js')).runtime().deps.slots.holders()).toEqual([]);
    emitted.restore();
  });
});
