import type { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureMetrics } from './emf.js';
import {
  albPartition,
  albRawKey,
  lambdaContext,
  LAKE_URL,
  loadHandlers,
  startLambdaWorld,
  TOPIC,
  type LambdaWorld,
  type TestHandler,
} from './lambda-harness.js';

const JOB = 'athena-logs-convert';
const NIGHT = '2026-11-21';
const GOOD = ['111122223333', '012345678901'];
const BAD = '444455556666';
const REGIONS = ['us-east-1', 'eu-west-1'];
const T0 = Date.parse('2026-11-22T01:30:00Z');

let world: LambdaWorld;
let handlers: Record<'nightly' | 'onConversionEvent' | 'sweeper', TestHandler>;
let store: ConversionStore;

beforeAll(async () => {
  world = await startLambdaWorld({
    ENGINE: 'glue',
    GLUE_JOB_NAME: JOB,
    MAX_IN_FLIGHT: '3',
    RETRY_BUDGET: '2',
  });
  for (const account of [...GOOD, BAD])
    for (const region of REGIONS) {
      if (account === BAD && region !== 'eu-west-1') continue;
      world.addRaw(albRawKey(account, region, NIGHT), 'gz');
    }
  // Every run of the bad account's partition fails, as a corrupt object would make it.
  world.failJobWhen((run) =>
    run.arguments['--staging-data']?.includes(`account=${BAD}/`)
      ? { state: 'FAILED', error: 'An error occurred while calling o97.parquet. Malformed input' }
      : undefined,
  );
  ({ handlers, store } = await loadHandlers(['nightly', 'onConversionEvent', 'sweeper'], { fakeNow: T0 }));
});
afterAll(async () => {
  vi.useRealTimers();
  await world.close();
});

const key = (account: string, region = 'eu-west-1') => albPartition(account, NIGHT, region);

/** Running job runs of distinct partitions: what the cap bounds. */
function partitionsInFlight(): number {
  return new Set(world.runningJobs().map((run) => run.arguments['--staging-data'])).size;
}

/** Delivers the end of every running job run, as EventBridge would; returns the outcomes. */
async function deliverAll(): Promise<string[]> {
  const outcomes: string[] = [];
  while (world.runningJobs().length > 0) {
    const result = (await handlers.onConversionEvent(
      world.finishJob(world.runningJobs()[0]!),
      lambdaContext(),
    )) as { outcome: string };
    outcomes.push(result.outcome);
  }
  return outcomes;
}

describe('a Glue night through the handlers (ENGINE=glue: one step, the job run)', () => {
  it('starts job runs up to the cap, commits each run that succeeded, and retries then fails the bad one', async () => {
    const emitted = captureMetrics();
    const night = (await handlers.nightly({ time: new Date(T0).toISOString() }, lambdaContext())) as {
      plan: { partitions: number; queued: number };
      start: { started: number };
    };
    expect(night.plan).toMatchObject({ partitions: 5, queued: 5 });
    expect(night.start.started).toBe(3);
    expect(world.jobRuns).toHaveLength(3);
    const [first] = world.jobRuns;
    expect(first!.jobName).toBe(JOB);
    expect(Object.keys(first!.arguments).sort()).toEqual([
      '--counts-output',
      '--manifest',
      '--source',
      '--staging-data',
      '--staging-rejects',
    ]);
    expect(first!.arguments['--manifest']).toMatch(/^s3:\/\/lake-bucket\/lake\/_staging\/glue\/alb\//);
    const running = (await store.list({ lake: LAKE_URL, source: 'alb' })).filter(
      (bookmark) => bookmark.state === 'RUNNING',
    );
    expect(running.map((bookmark) => bookmark.step)).toEqual(['job', 'job', 'job']);
    expect(running.map((bookmark) => bookmark.activeRunId).sort()).toEqual(
      world.jobRuns.map((run) => run.id).sort(),
    );

    // Events of another job, of an Athena query, and a run still going change nothing.
    const foreign = (await handlers.onConversionEvent(
      {
        source: 'aws.glue',
        'detail-type': 'Glue Job State Change',
        detail: { jobName: 'someone-elses-job', jobRunId: first!.id, state: 'SUCCEEDED' },
      },
      lambdaContext(),
    )) as { outcome: string };
    expect(foreign.outcome).toBe('not-ours');
    const athena = (await handlers.onConversionEvent(
      {
        source: 'aws.athena',
        'detail-type': 'Athena Query State Change',
        detail: { queryExecutionId: first!.id, currentState: 'SUCCEEDED', workgroupName: 'athena-logs' },
      },
      lambdaContext(),
    )) as { outcome: string };
    expect(athena.outcome).not.toBe('succeeded');
    const early = (await handlers.onConversionEvent(
      {
        source: 'aws.glue',
        'detail-type': 'Glue Job State Change',
        detail: { jobName: JOB, jobRunId: first!.id, state: 'SUCCEEDED' },
      },
      lambdaContext(),
    )) as { outcome: string };
    expect(early.outcome).toBe('still-running');

    let peak = partitionsInFlight();
    const outcomes: string[] = [];
    while (world.runningJobs().length > 0) {
      const run = world.runningJobs()[0]!;
      const event = world.finishJob(run);
      const result = (await handlers.onConversionEvent(event, lambdaContext())) as { outcome: string };
      outcomes.push(result.outcome);
      // EventBridge delivers at least once: the same event again does nothing.
      const again = (await handlers.onConversionEvent(event, lambdaContext())) as { outcome: string };
      expect(again.outcome).toBe('unknown-run');
      peak = Math.max(peak, partitionsInFlight());
    }
    expect(peak).toBe(3);
    expect(outcomes.filter((outcome) => outcome === 'succeeded')).toHaveLength(4);
    expect(outcomes.filter((outcome) => outcome === 'retry')).toHaveLength(1);

    for (const account of GOOD)
      for (const region of REGIONS) {
        const bookmark = await store.get(key(account, region));
        expect(bookmark).toMatchObject({
          state: 'SUCCEEDED',
          attempts: 1,
          rowsIn: 10,
          rowsOut: 9,
          rowsRejected: 1,
          bytesIn: 2,
          engineMs: 42_000,
        });
        expect(bookmark?.engineRunId).toMatch(/^jr_/);
        expect(bookmark?.activeRunId).toBeUndefined();
        const values = [account, region, '2026', '11', '21'].join('/');
        expect(world.locations.get(`alb|${values}`)).toBe(bookmark?.location);
        expect(bookmark?.location).toMatch(
          new RegExp(
            `^s3://lake-bucket/lake/alb/account=${account}/region=${region}/year=2026/month=11/day=21/v=[^/]+/$`,
          ),
        );
      }
    // The bad partition waits out its backoff; its failed run's staging is gone, its manifest kept.
    const waiting = await store.get(key(BAD));
    expect(waiting).toMatchObject({ state: 'PENDING', attempts: 1, retryAt: T0 + 5 * 60_000 });
    expect(waiting?.error).toContain(`alb ${BAD}/eu-west-1/${NIGHT}`);
    expect(waiting?.error).toContain('Malformed input');
    const keys = world.lakeKeys();
    expect(keys.filter((k) => k.startsWith('lake/alb/') && k.includes(`account=${BAD}`))).toEqual([]);
    expect(keys.filter((k) => k.startsWith('lake/_staging/glue/') && !k.includes(`/${BAD}/`))).toEqual([]);
    expect(
      keys.filter((k) => k.startsWith('lake/_staging/glue/') && k.endsWith('/manifest.json')),
    ).toHaveLength(1);
    expect(keys.filter((k) => /^lake\/alb\/.*\/v=[^/]+\/part-00000\.snappy\.parquet$/.test(k))).toHaveLength(
      4,
    );
    expect(keys.filter((k) => k.includes('/_plans/') && !k.includes(`account=${BAD}`))).toEqual([]);

    // After the backoff the sweeper starts the retry, which fails again: FAILED for good, alarmed.
    vi.setSystemTime(T0 + 6 * 60_000);
    const swept = (await handlers.sweeper({ time: new Date().toISOString() }, lambdaContext())) as {
      start: { started: number };
    };
    expect(swept.start.started).toBe(1);
    expect(await deliverAll()).toEqual(['failed']);
    expect(await store.get(key(BAD))).toMatchObject({ state: 'FAILED', attempts: 2 });
    expect(world.published).toHaveLength(1);
    expect(world.published[0]).toMatchObject({
      TopicArn: TOPIC,
      Subject: `athena-logs: alb ${BAD}/eu-west-1/${NIGHT} FAILED`,
    });
    expect(world.published[0]?.Message).toContain('Malformed input');

    expect(emitted.total('ConversionsStarted')).toBe(6);
    expect(emitted.total('ConversionsSucceeded')).toBe(4);
    expect(emitted.total('ConversionRetries')).toBe(1);
    expect(emitted.total('ConversionsFailed')).toBe(1);
    expect(emitted.total('ConversionsFailed', { Source: 'alb' })).toBe(1);
    expect(emitted.total('RowsOut')).toBe(36);
    emitted.restore();
  });

  it('fails an attempt whose counts do not reconcile, and never commits it', async () => {
    world.addRaw(albRawKey(GOOD[0]!, 'eu-west-1', '2026-11-22'), 'gz');
    vi.setSystemTime(Date.parse('2026-11-23T01:30:00Z'));
    await handlers.nightly({ time: new Date().toISOString() }, lambdaContext());
    const [run] = world.runningJobs();
    const result = (await handlers.onConversionEvent(
      world.finishJob(run!, { rowsOut: 8 }),
      lambdaContext(),
    )) as { outcome: string };

    expect(result.outcome).toBe('retry');
    const bookmark = await store.get({ ...key(GOOD[0]!), date: '2026-11-22' });
    expect(bookmark).toMatchObject({ state: 'PENDING', attempts: 1 });
    expect(bookmark?.error).toContain('Counts do not reconcile');
    expect(bookmark?.error).toContain(`alb ${GOOD[0]}/eu-west-1/2026-11-22`);
    expect(world.locations.has(`alb|${GOOD[0]}/eu-west-1/2026/11/22`)).toBe(false);
    expect(world.lakeKeys().filter((k) => k.startsWith('lake/alb/') && k.includes('day=22'))).toEqual([]);
  });

  it('keeps the committed version when the invocation that swapped it died before marking SUCCEEDED', async () => {
    world.addRaw(albRawKey(GOOD[1]!, 'eu-west-1', '2026-11-23'), 'gz');
    vi.setSystemTime(Date.parse('2026-11-24T01:30:00Z'));
    await handlers.nightly({ time: new Date().toISOString() }, lambdaContext());
    const run = world
      .runningJobs()
      .find((candidate) => candidate.arguments['--staging-data']?.includes('day=23'));
    const partition = `alb|${GOOD[1]}/eu-west-1/2026/11/23`;
    // The invocation stops for good between the catalog swap and the bookmark write (a Lambda
    // timeout or crash): its `succeed` never returns.
    const succeed = vi.spyOn(store, 'succeed').mockImplementationOnce(() => new Promise(() => undefined));
    void handlers.onConversionEvent(world.finishJob(run!), lambdaContext());
    await vi.waitFor(() => expect(world.locations.get(partition)).toBeDefined());
    await vi.waitFor(() => expect(succeed).toHaveBeenCalled());
    succeed.mockRestore();
    const live = world.locations.get(partition)!.replace('s3://lake-bucket/', '');
    expect(world.lakeKeys().filter((k) => k.startsWith(live))).not.toEqual([]);

    // The sweeper finds the conversion quiet, takes the run's end in hand again, and carries on.
    vi.setSystemTime(Date.now() + 31 * 60_000);
    await handlers.sweeper({ time: new Date().toISOString() }, lambdaContext());
    await deliverAll();

    // The version the catalog serves still has its data, whatever became of the bookmark.
    const served = world.locations.get(partition)!.replace('s3://lake-bucket/', '');
    expect(world.lakeKeys().filter((k) => k.startsWith(served))).not.toEqual([]);
    expect((await store.get({ ...key(GOOD[1]!), date: '2026-11-23' }))?.state).toBe('SUCCEEDED');
  });
});
