import type { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureMetrics } from './emf.js';
import {
  asTestHandler,
  lambdaContext,
  LAKE_URL,
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
  for (const account of [LOST, FLAKY]) {
    const folder = `AWSLogs/${account}/elasticloadbalancing/eu-west-1/2026/11/21/`;
    world.addRaw(
      `${folder}${account}_elasticloadbalancing_eu-west-1_app.web.0f1e2d3c4b5a6978_20261121T0005Z_10.0.0.1_x1.log.gz`,
      'gz',
    );
  }
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  handlers = {
    nightly: asTestHandler((await import('../../functions/nightly.js')).handler),
    onConversionEvent: asTestHandler((await import('../../functions/on-conversion-event.js')).handler),
    sweeper: asTestHandler((await import('../../functions/sweeper.js')).handler),
  };
  store = (await import('../../functions/lib/runtime.js')).runtime().deps.store;
});
afterAll(async () => {
  vi.useRealTimers();
  await world.close();
});

const key = (account: string) => ({
  lake: LAKE_URL,
  source: 'alb',
  account,
  region: 'eu-west-1',
  date: '2026-11-21',
});

async function deliverAll(): Promise<void> {
  while (world.running().length > 0)
    await handlers.onConversionEvent(world.finish(world.running()[0]!), lambdaContext());
}

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
    await deliverAll();
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
    await deliverAll();
    expect(await store.get(key(LOST))).toMatchObject({ state: 'SUCCEEDED', attempts: 2 });
    expect(await (await import('../../functions/lib/runtime.js')).runtime().deps.slots.holders()).toEqual([]);
    emitted.restore();
  });
});
