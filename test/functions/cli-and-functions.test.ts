import type { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../shared/plan/discover.js';
import {
  albPartition,
  albRawKey,
  deliverAll,
  lambdaContext,
  LAKE_URL,
  loadHandlers,
  startLambdaWorld,
  type LambdaWorld,
  type TestHandler,
} from './lambda-harness.js';

const ACCOUNT = '111122223333';
const DELIVERED = new Date('2026-11-22T03:00:00Z');

let world: LambdaWorld;
let handlers: Record<'nightly' | 'onConversionEvent', TestHandler>;
let store: ConversionStore;

beforeAll(async () => {
  world = await startLambdaWorld({ MAX_IN_FLIGHT: '1' });
  ({ handlers, store } = await loadHandlers(['nightly', 'onConversionEvent']));
});
afterAll(async () => {
  await world.close();
});

const key = (region: string, date: string) => albPartition(ACCOUNT, date, region);

/** Adds one raw object of a day; returns it as a listing shows it. */
function addRaw(region: string, date: string, name: string, body: string) {
  const raw = albRawKey(ACCOUNT, region, date, name);
  world.addRaw(raw, body, DELIVERED);
  return { key: raw, size: Buffer.byteLength(body), lastModified: DELIVERED };
}

/**
 * What `athena-logs run --engine athena` with `"bookmarks": "aws"` does to a partition when it is
 * interrupted (Ctrl-C) mid-conversion: it took the lease with the fingerprint of the objects it
 * listed, then released it (PENDING, the attempt given back).
 */
async function cliInterruptedOn(region: string, date: string, objects: ReturnType<typeof addRaw>[]) {
  const owner = 'laptop-4242-cli';
  const lease = await store.acquire(key(region, date), {
    owner,
    leaseMs: 60_000,
    fingerprint: fingerprintOf(objects),
    skipIfSucceeded: true,
  });
  expect(lease.acquired).toBe(true);
  await store.release(key(region, date), owner, 'interrupted by SIGINT');
}

describe('the CLI on the deployment bookmarks, and the functions', () => {
  it('converts a partition that an interrupted CLI run left PENDING', async () => {
    const objects = [addRaw('eu-west-1', '2026-11-20', 'a', 'gz')];
    await cliInterruptedOn('eu-west-1', '2026-11-20', objects);
    expect(await store.get(key('eu-west-1', '2026-11-20'))).toMatchObject({ state: 'PENDING', attempts: 0 });

    await handlers.nightly({ time: '2026-11-21T01:30:00Z' }, lambdaContext());
    await deliverAll(world, handlers.onConversionEvent);

    expect(await store.get(key('eu-west-1', '2026-11-20'))).toMatchObject({
      state: 'SUCCEEDED',
      attempts: 1,
      bytesIn: 2,
    });
  });

  it('never converts a queued plan under the fingerprint of other objects that a CLI run left', async () => {
    // The nightly queues two partitions; the cap (1) starts one, the other waits with its plan.
    const first = addRaw('us-east-1', '2026-11-21', 'a', 'gz');
    addRaw('eu-west-1', '2026-11-21', 'a', 'gz');
    await handlers.nightly({ time: '2026-11-22T01:30:00Z' }, lambdaContext());
    const waiting = (
      await store.list({ lake: LAKE_URL, source: 'alb', from: '2026-11-21', to: '2026-11-21' })
    ).find((bookmark) => bookmark.state === 'PENDING');
    expect(waiting).toBeDefined();
    const region = waiting!.region;
    const queued =
      region === 'us-east-1' ? first : { ...first, key: first.key.replaceAll('us-east-1', region) };

    // Late data arrives; a CLI run sees it, takes the waiting partition, and is interrupted.
    const late = addRaw(region, '2026-11-21', 'late', 'late logs');
    await cliInterruptedOn(region, '2026-11-21', [queued, late]);

    // The functions carry on: the night ends, and the next night re-plans.
    await deliverAll(world, handlers.onConversionEvent);
    await handlers.nightly({ time: '2026-11-22T01:30:00Z' }, lambdaContext());
    await deliverAll(world, handlers.onConversionEvent);

    const converted = await store.get(key(region, '2026-11-21'));
    expect(converted).toMatchObject({ state: 'SUCCEEDED', fingerprint: fingerprintOf([queued, late]) });
    // What was converted is what the fingerprint says: both objects.
    expect(converted?.bytesIn).toBe(2 + Buffer.byteLength('late logs'));
  });

  it('converts a partition whose CLI runner died holding it, once its lease expired', async () => {
    const objects = [addRaw('ap-northeast-1', '2026-11-21', 'a', 'gz')];
    // A laptop's run took the partition and was killed outright (no release): its lease runs out.
    const lease = await store.acquire(key('ap-northeast-1', '2026-11-21'), {
      owner: 'laptop-999-cli',
      leaseMs: 15 * 60_000,
      fingerprint: fingerprintOf(objects),
      now: Date.parse('2026-11-22T00:00:00Z'),
    });
    expect(lease.acquired).toBe(true);

    const night = (await handlers.nightly({ time: '2026-11-22T01:30:00Z' }, lambdaContext())) as {
      plan: { queued: number };
    };
    await deliverAll(world, handlers.onConversionEvent);

    expect(night.plan.queued).toBe(1);
    expect(await store.get(key('ap-northeast-1', '2026-11-21'))).toMatchObject({
      state: 'SUCCEEDED',
      attempts: 2,
    });
  });

  it('leaves alone a partition a live CLI runner holds', async () => {
    const objects = [addRaw('sa-east-1', '2026-11-21', 'a', 'gz')];
    const lease = await store.acquire(key('sa-east-1', '2026-11-21'), {
      owner: 'laptop-1000-cli',
      leaseMs: 15 * 60_000,
      fingerprint: fingerprintOf(objects),
    });
    expect(lease.acquired).toBe(true);

    await handlers.nightly({ time: '2026-11-22T01:30:00Z' }, lambdaContext());
    await deliverAll(world, handlers.onConversionEvent);

    expect(await store.get(key('sa-east-1', '2026-11-21'))).toMatchObject({
      state: 'RUNNING',
      leaseOwner: 'laptop-1000-cli',
      attempts: 1,
    });
  });
});
