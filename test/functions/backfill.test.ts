import type { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { daysBetween } from '../../shared/plan/dates.js';
import {
  albRawKey,
  lambdaContext,
  LAKE_URL,
  loadHandlers,
  startLambdaWorld,
  type LambdaWorld,
  type TestHandler,
} from './lambda-harness.js';

const ACCOUNT = '111122223333';
const FROM = '2026-10-01';
const TO = '2026-10-20';

let world: LambdaWorld;
let handlers: Record<'backfill' | 'onConversionEvent', TestHandler>;
let store: ConversionStore;

beforeAll(async () => {
  world = await startLambdaWorld({ MAX_IN_FLIGHT: '4', BACKFILL_MAX_DAYS: '60' });
  for (const date of daysBetween(FROM, TO)) world.addRaw(albRawKey(ACCOUNT, 'eu-west-1', date), 'gz');
  ({ handlers, store } = await loadHandlers(['backfill', 'onConversionEvent']));
});
afterAll(async () => {
  await world.close();
});

/** A context short of time from the start: an invocation plans its one pass, then continues itself. */
function onePassContext() {
  return lambdaContext(() => 1_000);
}

describe('backfill', () => {
  it('plans a range larger than one invocation by re-invoking itself, and every partition converts under the cap', async () => {
    const payloads: unknown[] = [{ from: FROM, to: TO, source: 'alb' }];
    const results: { continues: boolean; plannedThrough: string; queued: number }[] = [];
    let peak = 0;
    while (payloads.length > 0) {
      results.push((await handlers.backfill(payloads.shift(), onePassContext())) as (typeof results)[number]);
      // Conversions go on between invocations, as they would on AWS.
      for (let event = 0; event < 5 && world.running().length > 0; event++) {
        peak = Math.max(
          peak,
          (await store.list({ lake: LAKE_URL })).filter((b) => b.state === 'RUNNING').length,
        );
        await handlers.onConversionEvent(world.finish(world.running()[0]!), lambdaContext());
      }
      const invoked = world.invocations.splice(0);
      for (const invocation of invoked) {
        expect(invocation).toMatchObject({
          FunctionName: 'athena-logs-test-backfill',
          InvocationType: 'Event',
        });
        payloads.push(JSON.parse(new TextDecoder().decode(invocation.Payload as Uint8Array)));
      }
    }
    while (world.running().length > 0) {
      peak = Math.max(
        peak,
        (await store.list({ lake: LAKE_URL })).filter((b) => b.state === 'RUNNING').length,
      );
      await handlers.onConversionEvent(world.finish(world.running()[0]!), lambdaContext());
    }

    expect(
      results.map(({ continues, plannedThrough, queued }) => ({ continues, plannedThrough, queued })),
    ).toEqual([
      { continues: true, plannedThrough: '2026-10-07', queued: 7 },
      { continues: true, plannedThrough: '2026-10-14', queued: 7 },
      { continues: false, plannedThrough: TO, queued: 6 },
    ]);
    const bookmarks = await store.list({ lake: LAKE_URL, source: 'alb' });
    expect(bookmarks.map((bookmark) => bookmark.date)).toEqual(daysBetween(FROM, TO));
    expect(bookmarks.every((bookmark) => bookmark.state === 'SUCCEEDED' && bookmark.attempts === 1)).toBe(
      true,
    );
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(0);

    // The same backfill again: every day is up to date, nothing is queued.
    const again = (await handlers.backfill({ from: FROM, to: TO }, lambdaContext())) as {
      queued: number;
      partitions: number;
    };
    expect(again).toMatchObject({ queued: 0, partitions: 20 });
  });

  it('plans a week in every invocation, even one that starts short of time, so its continuations never loop', async () => {
    const short = lambdaContext(() => 60_000);
    const result = (await handlers.backfill({ from: FROM, to: TO, source: 'alb' }, short)) as {
      continues: boolean;
      plannedThrough: string;
    };

    expect(result).toMatchObject({ continues: true, plannedThrough: '2026-10-07' });
    const [next] = world.invocations.splice(0);
    expect(JSON.parse(new TextDecoder().decode(next?.Payload as Uint8Array))).toMatchObject({
      continueFrom: '2026-10-08',
    });
  });

  it('continues itself only once its invocation succeeded, so a retried invocation never forks the chain', async () => {
    const { deps } = (await import('../../functions/lib/runtime.js')).runtime();
    // Starting conversions fails once (the table throttled); Lambda then retries the same event.
    const holders = vi.spyOn(deps.slots, 'holders').mockRejectedValueOnce(new Error('ThrottlingException'));
    const payload = { from: FROM, to: TO, source: 'alb' };
    await expect(
      handlers.backfill(
        payload,
        lambdaContext(() => 1_000),
      ),
    ).rejects.toThrow('ThrottlingException');
    await handlers.backfill(
      payload,
      lambdaContext(() => 1_000),
    );
    holders.mockRestore();

    const continuations = world.invocations
      .splice(0)
      .map((invocation) => JSON.parse(new TextDecoder().decode(invocation.Payload as Uint8Array)) as object);
    expect(continuations).toEqual([{ ...payload, continueFrom: '2026-10-08' }]);
  });

  it.each([
    [
      { from: '2026-10-05', to: '2026-10-01' },
      'The backfill range is empty: from (2026-10-05) is after to (2026-10-01).',
    ],
    [
      { from: '2026-02-30', to: '2026-03-01' },
      'The backfill field from must be a real date as YYYY-MM-DD, not "2026-02-30".',
    ],
    [
      { from: '2026-01-01', to: '2026-03-31' },
      'The backfill range 2026-01-01..2026-03-31 spans 90 days, more than the 60 allowed (BACKFILL_MAX_DAYS): split it, or raise the limit.',
    ],
    [
      { from: '2026-10-01', to: '2099-01-01' },
      /^The backfill field to \(2099-01-01\) is in the future \(today is \d{4}-\d{2}-\d{2}, UTC\)\.$/,
    ],
    [
      { from: '2026-10-01', to: '2026-10-02', source: 'cloudtrail' },
      'The backfill names source cloudtrail, which this deployment does not convert (SOURCES: alb, vpc_flow).',
    ],
    [
      { from: '2026-10-01', to: '2026-10-02', source: 'waf', account: '12' },
      'The backfill event is invalid: source must be one of vpc_flow, s3_access, cloudtrail, alb, elb, cloudfront, not "waf"; account must match pattern "^[0-9]{12}$|^unknown$", not "12".',
    ],
    [
      { from: '2026-10-01', until: '2026-10-02' },
      'The backfill event is invalid: the event lacks the field "to"; the event has an unknown field "until".',
    ],
  ])('refuses %j with a clear error', async (payload, message) => {
    await expect(handlers.backfill(payload, lambdaContext())).rejects.toThrow(message);
    expect(world.invocations).toEqual([]);
  });
});
