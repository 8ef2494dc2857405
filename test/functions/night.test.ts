import type { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneValidStatement, trino } from '../sql/athena-parsers.js';
import { captureMetrics } from './emf.js';
import {
  albRawKey,
  lambdaContext,
  LAKE_URL,
  loadHandlers,
  startLambdaWorld,
  type LambdaWorld,
  type TestHandler,
} from './lambda-harness.js';

const NIGHT = '2026-11-21';
const ACCOUNTS = ['111122223333', '012345678901'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];

let world: LambdaWorld;
let handlers: Record<'nightly' | 'onConversionEvent' | 'sweeper', TestHandler>;
let store: ConversionStore;

beforeAll(async () => {
  world = await startLambdaWorld();
  for (const account of ACCOUNTS)
    for (const region of REGIONS) world.addRaw(albRawKey(account, region, NIGHT), 'gz');
  ({ handlers, store } = await loadHandlers(['nightly', 'onConversionEvent', 'sweeper']));
});
afterAll(async () => {
  await world.close();
});

async function states(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const bookmark of await store.list({ lake: LAKE_URL }))
    counts[bookmark.state] = (counts[bookmark.state] ?? 0) + 1;
  return counts;
}

/** Partitions with a query in flight: what the cap bounds. */
function partitionsInFlight(): number {
  return new Set(world.running().map((query) => /_tmp_\d+_([0-9a-f]+)_/.exec(query.sql)?.[1] ?? query.id))
    .size;
}

describe('a night through the handlers (schedule → starts ≤ cap → completion events → next starts)', () => {
  it('converts every partition, never more than the cap at once, and is idempotent', async () => {
    const emitted = captureMetrics();
    const night = (await handlers.nightly(
      { time: '2026-11-22T01:30:00Z', 'detail-type': 'Scheduled Event' },
      lambdaContext(),
    )) as {
      dates: string[];
      plan: { partitions: number; queued: number };
      start: { started: number };
    };

    expect(night.dates).toEqual([NIGHT]);
    expect(night.plan).toMatchObject({ partitions: 6, queued: 6 });
    expect(night.start.started).toBe(3);
    expect(await states()).toEqual({ RUNNING: 3, PENDING: 3 });

    let peak = partitionsInFlight();
    let events = 0;
    while (world.running().length > 0) {
      const [query] = world.running();
      await handlers.onConversionEvent(world.finish(query!), lambdaContext());
      events += 1;
      peak = Math.max(peak, partitionsInFlight());
    }

    expect(peak).toBe(3);
    expect(events).toBe(18); // three queries per partition
    expect(await states()).toEqual({ SUCCEEDED: 6 });
    const bookmarks = await store.list({ lake: LAKE_URL, source: 'alb' });
    for (const bookmark of bookmarks) {
      expect(bookmark).toMatchObject({
        rowsIn: 10,
        rowsOut: 9,
        rowsRejected: 1,
        attempts: 1,
        bytesScanned: 15000,
      });
      expect(bookmark.activeRunId).toBeUndefined();
      const values = [bookmark.account, bookmark.region, '2026', '11', '21'].join('/');
      expect(world.locations.get(`alb|${values}`)).toBe(bookmark.location);
      expect(bookmark.location).toMatch(
        /^s3:\/\/lake-bucket\/lake\/alb\/account=\d{12}\/region=[a-z0-9-]+\/year=2026\/month=11\/day=21\/v=[^/]+\/$/,
      );
    }
    // Scratch, plans and staging are gone; only the committed versions and rejects remain.
    const keys = world.lakeKeys();
    expect(keys.filter((key) => key.includes('/_staging/') || key.includes('/_plans/'))).toEqual([]);
    expect(keys.filter((key) => /^lake\/alb\/.*\/v=[^/]+\/part-0\.parquet$/.test(key))).toHaveLength(6);
    // Every statement sent to Athena parses as Trino SQL.
    for (const query of world.queries) expectOneValidStatement(trino, query.sql);

    expect(emitted.total('ConversionsStarted')).toBe(6);
    expect(emitted.total('ConversionsSucceeded')).toBe(6);
    expect(emitted.total('ConversionsSucceeded', { Source: 'alb' })).toBe(6);
    expect(emitted.total('RowsOut')).toBe(54);
    expect(emitted.total('PartitionsPlanned')).toBe(6);

    const again = (await handlers.nightly({ time: '2026-11-22T01:30:00Z' }, lambdaContext())) as {
      plan: { queued: number; upToDate: number };
    };
    expect(again.plan).toMatchObject({ queued: 0, upToDate: 6 });
    expect(world.running()).toEqual([]);
    emitted.restore();
  });

  it('ignores duplicated and foreign events', async () => {
    const [first] = world.queries;
    const duplicate = (await handlers.onConversionEvent(
      {
        source: 'aws.athena',
        'detail-type': 'Athena Query State Change',
        detail: { queryExecutionId: first!.id, currentState: 'SUCCEEDED', workgroupName: 'athena-logs' },
      },
      lambdaContext(),
    )) as { outcome: string };
    const foreign = (await handlers.onConversionEvent(
      {
        source: 'aws.athena',
        'detail-type': 'Athena Query State Change',
        detail: { queryExecutionId: 'q-other', currentState: 'SUCCEEDED', workgroupName: 'primary' },
      },
      lambdaContext(),
    )) as { outcome: string };

    expect(duplicate.outcome).toBe('unknown-run');
    expect(foreign.outcome).toBe('not-ours');
    expect(await states()).toEqual({ SUCCEEDED: 6 });
  });

  it('refuses an event that is not a state change, naming the field', async () => {
    await expect(
      handlers.onConversionEvent({ source: 'aws.s3', detail: {} }, lambdaContext()),
    ).rejects.toThrow(
      'The conversion state-change event is invalid: the event lacks the field "detail-type"; source must be one of aws.athena, aws.glue, not "aws.s3".',
    );
    await expect(handlers.nightly({ time: 'yesterday' }, lambdaContext())).rejects.toThrow(
      /^The nightly schedule event is invalid: time must match pattern ".*", not "yesterday"\.$/,
    );
  });
});
