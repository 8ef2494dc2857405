/**
 * One night of the deployed (event-driven) orchestration on a simulated clock: the product's own
 * `planConversions`, `startPending`, `onRunEnded` and `sweep`, wired as the Lambda functions wire
 * them (functions/nightly.ts, on-conversion-event.ts, sweeper.ts), with the real `ConversionStore`
 * and `InFlightSlots` on an in-process dynalite and the real Athena step engine over a simulated
 * Athena (bench/sim-events-services.ts). Every state-change event is delivered when its query ends
 * and handled to completion before simulated time moves on; the sweeper runs every `sweepMin` simulated
 * minutes. Returns the figures bench/orchestration-events.ts prints.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ensureBookmarkTable } from '../shared/bookmarks/bookmark-table.js';
import { ConversionStore } from '../shared/bookmarks/conversion-store.js';
import { InFlightSlots } from '../shared/bookmarks/in-flight-slots.js';
import type { Bookmark, BookmarkState, PartitionKey } from '../shared/bookmarks/types.js';
import { partitionCatalog } from '../shared/catalog/glue-catalog.js';
import { seededRandom } from '../shared/demo/random.js';
import { createAthenaStepEngine } from '../shared/engines/athena/steps.js';
import type { RawObject } from '../shared/engines/types.js';
import type { ContinueOutcome } from '../shared/pipeline/events/continue-conversion.js';
import { onRunEnded } from '../shared/pipeline/events/continue-conversion.js';
import { planConversions } from '../shared/pipeline/events/plan-conversions.js';
import { startPending } from '../shared/pipeline/events/start-pending.js';
import { sweep } from '../shared/pipeline/events/sweep.js';
import { defaultRetryDelayMs, type EventDrivenDeps } from '../shared/pipeline/events/types.js';
import { SOURCES } from '../shared/sources/index.js';
import { s3Url } from '../shared/storage/s3-location.js';
import { logNormal, peakOverlap, queryTimeFigures, round } from './sim-athena.js';
import { EventClock } from './sim-events-clock.js';
import { SimGlueCatalog, SimS3Store, simulatedStepAthena, type SimQuery } from './sim-events-services.js';
import { BENCH_REGIONS, vpcFlowListing } from './vpc-flow-listing.js';
import { partitionOf } from '../shared/bookmarks/keys.js';

export interface NightOptions {
  partitions: number;
  cap: number;
  /** Median of one query's run time, in seconds (lognormal). */
  medianS: number;
  sigma: number;
  /** Share of StartQueryExecution calls throttled, in %. */
  throttlePct: number;
  /** Share of conversion attempts whose query ends FAILED, in %. */
  failPct: number;
  /** Share of state-change events never delivered (the sweeper polls those runs), in %. */
  lostPct: number;
  /** Share of state-change events delivered twice (EventBridge delivers at least once), in %. */
  duplicatePct: number;
  retryBudget: number;
  /** The sweeper's period, in minutes. */
  sweepMin: number;
  /** `pollAfterMs` of the deps, in minutes. */
  pollMin: number;
  /** `stuckAfterMs` of the deps, in minutes. */
  stuckMin: number;
  seed: number;
  /** Simulated hours after which the night is abandoned (a partition that never ends). */
  maxHours: number;
  /**
   * Simulated latency of every AWS call (DynamoDB, S3, Glue, Athena), in ms. 0: an invocation takes
   * no simulated time, so invocations overlap only while one waits out a throttle; more makes
   * invocations whose events arrive close together run concurrently, as Lambda runs them.
   */
  awsMs: number;
}

const TABLE = 'athena-logs-bench-bookmarks';
const LAKE = { bucket: 'lake-bucket', prefix: 'lake/' };
const RAW = { bucket: 'raw-bucket', prefix: '' };
const LAKE_URL = s3Url(LAKE.bucket, LAKE.prefix);
const DATE = '2026-11-21';
/** The nightly schedule's instant (cron 30 1 * * ? *): the simulated clock's zero. */
const T0 = Date.parse('2026-11-22T01:30:00Z');
const SOURCE = SOURCES.vpc_flow;

/** The in-process, in-memory dynalite (as test/bookmarks/helpers.ts starts it; bench does not import tests). */
async function startMemoryDynalite(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    region: 'local',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** What the product's DynamoDB calls cost, per Lambda function (the phase a call was made in). */
interface DynamoMeter {
  requests: Record<string, number>;
  byPhase: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

/**
 * Counts every request a client sends, by command and by the phase (function) it was sent from,
 * and the capacity units dynalite reports for it (ReturnConsumedCapacity TOTAL added).
 */
function meterClient(
  client: DynamoDBClient,
  clock: EventClock,
  phase: AsyncLocalStorage<string>,
  latency: () => Promise<void>,
): DynamoMeter {
  const meter: DynamoMeter = { requests: {}, byPhase: {}, readUnits: 0, writeUnits: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      meter.requests[command] = (meter.requests[command] ?? 0) + 1;
      const where = phase.getStore() ?? 'other';
      meter.byPhase[where] = (meter.byPhase[where] ?? 0) + 1;
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      await latency();
      const result = await clock.io(() => next(args));
      const units =
        (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity
          ?.CapacityUnits ?? 0;
      if (command === 'UpdateItem' || command === 'PutItem') meter.writeUnits += units;
      else meter.readUnits += units;
      return result;
    },
    { step: 'initialize', name: 'benchDynamoMeter' },
  );
  return meter;
}

/** The clock waits for every request of a client (the bench's own looks at the table). */
function settleOn(client: DynamoDBClient, clock: EventClock): void {
  client.middlewareStack.add((next) => (args) => clock.io(() => next(args)), {
    step: 'initialize',
    name: 'benchEventClock',
  });
}

/**
 * The product's slots, timed: how long each id held a slot (slot-seconds), and a look at the
 * holders item after every take (the moment the count can grow).
 */
class MeteredSlots extends InFlightSlots {
  heldMs = 0;
  takes = 0;

  private readonly since = new Map<string, number>();

  constructor(
    client: DynamoDBClient,
    lake: string,
    cap: number,
    private readonly meter: { now(): number; afterTake(): Promise<void> },
  ) {
    super(client, TABLE, lake, cap);
  }

  override async take(id: string): Promise<boolean> {
    const taken = await super.take(id);
    if (taken) {
      this.takes += 1;
      if (!this.since.has(id)) this.since.set(id, this.meter.now());
      await this.meter.afterTake();
    }
    return taken;
  }

  override async give(...ids: string[]): Promise<void> {
    await super.give(...ids);
    for (const id of ids) {
      const since = this.since.get(id);
      if (since === undefined) continue;
      this.heldMs += this.meter.now() - since;
      this.since.delete(id);
    }
  }

  /** Slots still held at the end (they count up to `now`). */
  heldUntil(now: number): number {
    return [...this.since.values()].reduce((sum, since) => sum + (now - since), this.heldMs);
  }
}

const idOf = (key: PartitionKey) => `${key.source}|${key.date}|${key.account}|${key.region}`;

/**
 * The product's store, watched: each lease taken (a conversion attempt starting: the RUNNING
 * bookmarks are counted then, from the table), and how long a retry waited past its `retryAt`.
 */
class MeteredStore extends ConversionStore {
  readonly retryLagMs: number[] = [];
  /** Retries the sweeper's pass started (no event came after their backoff ended), and their lag. */
  readonly sweeperRetryLagMs: number[] = [];
  /**
   * Leases taken on a bookmark that was not waiting to start: SUCCEEDED or FAILED already, or
   * PENDING before its `retryAt` (a starter working through a page of the queue read earlier).
   */
  readonly leasesOn = { succeeded: 0, failed: 0, beforeRetryAt: 0 };
  /** Simulated ms when the last partition never tried before started. */
  lastFirstStartMs = 0;
  private readonly retryAt = new Map<string, number>();

  constructor(
    client: DynamoDBClient,
    private readonly meter: {
      now(): number;
      phase(): string | undefined;
      /** The bookmark as it is, read apart from the product's requests. */
      peek(key: PartitionKey): Promise<Bookmark | undefined>;
      afterAcquire(): Promise<void>;
    },
  ) {
    super(client, TABLE);
  }

  override async retryLater(
    key: PartitionKey,
    owner: string,
    error: string,
    retryAt: number,
    now?: number,
  ): Promise<void> {
    await super.retryLater(key, owner, error, retryAt, now);
    this.retryAt.set(idOf(key), retryAt);
  }

  override async startQueued(
    queued: Bookmark,
    options: { owner: string; leaseMs: number; now?: number },
  ): Promise<Bookmark | undefined> {
    const key = partitionOf(queued);
    const before = await this.meter.peek(key);
    const lease = await super.startQueued(queued, options);
    if (lease !== undefined) {
      if (before?.state === 'SUCCEEDED') this.leasesOn.succeeded += 1;
      if (before?.state === 'FAILED') this.leasesOn.failed += 1;
      if (before?.state === 'PENDING' && (before.retryAt ?? 0) > (options.now ?? 0))
        this.leasesOn.beforeRetryAt += 1;
      const due = this.retryAt.get(idOf(key));
      this.retryAt.delete(idOf(key));
      if (due !== undefined) {
        this.retryLagMs.push((options.now ?? due) - due);
        if (this.meter.phase() === 'sweeper') this.sweeperRetryLagMs.push((options.now ?? due) - due);
      } else this.lastFirstStartMs = this.meter.now();
      await this.meter.afterAcquire();
    }
    return lease;
  }
}

/** A listing of `partitions` vpc_flow partitions of one day: accounts × 20 regions, 3 objects each. */
function nightListing(partitions: number): RawObject[] {
  const regions = Math.min(partitions, BENCH_REGIONS.length);
  const objects = vpcFlowListing({
    accounts: Math.ceil(partitions / regions),
    regions,
    days: 1,
    firstDay: DATE,
    objectsPerPartition: 3,
  });
  const kept = new Set<string>();
  return objects.filter((object) => {
    const [, account, , region] = object.key.split('/');
    const id = `${account}/${region}`;
    if (!kept.has(id) && kept.size < partitions) kept.add(id);
    return kept.has(id);
  });
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** Simulates the night; the figures are plain numbers and strings (printed, and parsed by the smoke test). */
export async function simulateEventNight(options: NightOptions) {
  const wallStart = performance.now();
  const dynamo = await startMemoryDynalite();
  const phase = new AsyncLocalStorage<string>();
  // The product's client is metered; the bench's own looks (peaks, final states) go through another.
  const productClient = localClient(dynamo.endpoint);
  const benchClient = localClient(dynamo.endpoint);
  const clock = new EventClock();
  const latency = options.awsMs > 0 ? () => clock.sleep(options.awsMs) : async () => undefined;
  const meter = meterClient(productClient, clock, phase, latency);
  settleOn(benchClient, clock);
  await ensureBookmarkTable(benchClient, TABLE);
  const benchStore = new ConversionStore(benchClient, TABLE);
  const benchSlots = new InFlightSlots(benchClient, TABLE, LAKE_URL, options.cap);

  const now = () => T0 + clock.now;
  // One stream per concern, so that changing one rate does not reshuffle every other draw.
  const seed = options.seed * 7;
  const durationMs = logNormal(seededRandom(seed), options.medianS * 1000, options.sigma);
  const lostRandom = seededRandom(seed + 4);
  const duplicateRandom = seededRandom(seed + 5);
  const backoffRandom = seededRandom(seed + 3);

  const s3 = new SimS3Store(now, latency);
  const glue = new SimGlueCatalog(latency);
  const warnings: string[] = [];
  const retryErrors: Record<string, number> = {};
  const events = {
    delivered: 0,
    lost: 0,
    duplicated: 0,
    outcomes: {} as Partial<Record<ContinueOutcome, number>>,
  };
  let throttleRetries = 0;
  let throttleWaitMs = 0;

  const peaks = { slotHolders: 0, runningBookmarks: 0 };
  let samples = 0;

  const athena = simulatedStepAthena({
    clock,
    durationMs,
    throttleRandom: seededRandom(seed + 2),
    throttleRate: options.throttlePct / 100,
    failureRandom: seededRandom(seed + 1),
    failureRate: options.failPct / 100,
    latency,
    write: (bucket, key, body) => s3.put(bucket, key, body),
    onEnded: (query: SimQuery) => deliver(query),
  });
  const engine = createAthenaStepEngine({
    client: athena.client,
    workGroup: 'athena-logs',
    glue,
    store: s3,
    database: 'athena_logs',
    lake: LAKE,
    onWarning: (message) => warnings.push(message),
    retry: {
      sleep: clock.sleep,
      random: backoffRandom,
      onRetry: ({ delayMs }) => {
        throttleRetries += 1;
        throttleWaitMs += delayMs;
      },
    },
  });

  const slots = new MeteredSlots(productClient, LAKE_URL, options.cap, {
    now: () => clock.now,
    // The holders item can only grow at a take: look at it then.
    afterTake: async () => {
      samples += 1;
      peaks.slotHolders = Math.max(peaks.slotHolders, (await benchSlots.holders()).length);
    },
  });
  // RUNNING bookmarks can only grow when a lease is taken; Athena's running queries are counted exactly.
  const store = new MeteredStore(productClient, {
    now: () => clock.now,
    phase: () => phase.getStore(),
    peek: (key) => benchStore.get(key),
    afterAcquire: async () => {
      samples += 1;
      const running = await benchStore.countInState(LAKE_URL, 'RUNNING');
      peaks.runningBookmarks = Math.max(peaks.runningBookmarks, running);
    },
  });
  /** As the observer heard them (a partition started again after it ended counts twice). */
  const outcomes = { started: 0, retried: 0, succeeded: 0, failed: 0, failedToStart: 0, lastEndMs: 0 };
  const deps: EventDrivenDeps = {
    lakeUrl: LAKE_URL,
    lake: LAKE,
    raw: RAW,
    store,
    slots,
    engine,
    objects: s3,
    catalog: partitionCatalog(glue, 'athena_logs'),
    retryBudget: options.retryBudget,
    pollAfterMs: options.pollMin * 60_000,
    stuckAfterMs: options.stuckMin * 60_000,
    retryDelayMs: defaultRetryDelayMs,
    observer: {
      planned: () => undefined,
      started: () => {
        outcomes.started += 1;
      },
      succeeded: () => {
        outcomes.succeeded += 1;
        outcomes.lastEndMs = clock.now;
      },
      retried: (_source, error) => {
        outcomes.retried += 1;
        // Grouped by what went wrong: ids, accounts, regions and digests left out.
        const kind = error.replace(/q-\d+|[0-9a-f]{16}|\d{12}|[a-z]{2}-[a-z]+-\d|v=[^/]+/g, '…');
        retryErrors[kind] = (retryErrors[kind] ?? 0) + 1;
      },
      failed: async () => {
        outcomes.failed += 1;
        outcomes.lastEndMs = clock.now;
      },
    },
    onWarning: (message) => warnings.push(message),
    now,
  };
  /** on-conversion-event: continue the conversion whose run ended, then fill the freed slot. */
  function deliver(query: SimQuery): void {
    if (lostRandom() < options.lostPct / 100) {
      events.lost += 1;
      return;
    }
    handle(query);
    // A duplicate arrives a moment later (up to 2 s), perhaps while the first is being handled.
    if (duplicateRandom() < options.duplicatePct / 100) {
      events.duplicated += 1;
      clock.at(duplicateRandom() * 2_000, () => handle(query));
    }
  }

  function handle(query: SimQuery): void {
    events.delivered += 1;
    clock.spawn('on-conversion-event', () =>
      phase.run('on-conversion-event', async () => {
        const outcome = await onRunEnded(deps, query.id);
        events.outcomes[outcome] = (events.outcomes[outcome] ?? 0) + 1;
        const start = await startPending(deps);
        outcomes.failedToStart += start.failedToStart;
      }),
    );
  }

  /** sweeper: the safety net, then starts what its backoff released; every `sweepMin` until the night ends. */
  const sweeps = {
    runs: 0,
    polled: {} as Partial<Record<ContinueOutcome, number>>,
    abandoned: 0,
    slotsFreed: 0,
  };
  const sweepMs = options.sweepMin * 60_000;
  /**
   * The next tick is set at the end of each sweep (at the fixed cadence), until a sweep finds
   * nothing PENDING or RUNNING: the night is over (an invocation that failed does not stop it).
   */
  function scheduleSweep(at: number): void {
    clock.at(at - clock.now, () => {
      let over = clock.now > options.maxHours * 3_600_000;
      clock.spawn('sweeper', () =>
        phase
          .run('sweeper', async () => {
            const summary = await sweep(deps, [SOURCE]);
            const start = await startPending(deps);
            sweeps.runs += 1;
            sweeps.abandoned += summary.abandoned;
            sweeps.slotsFreed += summary.slotsFreed;
            for (const [outcome, count] of Object.entries(summary.polled))
              sweeps.polled[outcome as ContinueOutcome] =
                (sweeps.polled[outcome as ContinueOutcome] ?? 0) + count;
            outcomes.failedToStart += start.failedToStart;
            peaks.runningBookmarks = Math.max(peaks.runningBookmarks, summary.running);
            over ||= summary.pending + summary.running + start.started === 0;
          })
          .finally(() => {
            if (!over) scheduleSweep(at + sweepMs);
          }),
      );
    });
  }

  // nightly: plan the day, queue every partition, start up to the cap.
  const listing = nightListing(options.partitions);
  let planned = { partitions: 0, queued: 0 };
  clock.spawn('nightly', () =>
    phase.run('nightly', async () => {
      planned = await planConversions(deps, {
        sources: [SOURCE],
        dates: [DATE],
        listRaw: async () => listing,
        backfill: false,
      });
      const start = await startPending(deps);
      outcomes.failedToStart += start.failedToStart;
    }),
  );
  scheduleSweep(sweepMs);

  await clock.run();
  const wallMs = performance.now() - wallStart;

  // Where every partition ended, read from the bookmarks themselves.
  const bookmarks = await benchStore.list({ lake: LAKE_URL, source: SOURCE.name });
  const states: Record<BookmarkState, number> = { PENDING: 0, RUNNING: 0, SUCCEEDED: 0, FAILED: 0 };
  for (const bookmark of bookmarks) states[bookmark.state] += 1;
  // Every time the product wrote must come from deps.now (the simulated clock), not the host's.
  const simulated = (stamp: string | undefined) =>
    stamp === undefined || (Date.parse(stamp) >= T0 && Date.parse(stamp) <= T0 + clock.now);
  const offClockStamps = bookmarks.filter(
    (bookmark) =>
      !simulated(bookmark.updatedAt) || !simulated(bookmark.startedAt) || !simulated(bookmark.finishedAt),
  ).length;
  const holdersLeft = (await benchSlots.holders()).length;
  // FAILED because a starter re-took a partition whose conversion had ended (its plan was deleted).
  const failedForLostPlan = bookmarks.filter(
    (bookmark) => bookmark.state === 'FAILED' && /_plans\/.* does not exist/.test(bookmark.error ?? ''),
  ).length;
  await dynamo.close();
  productClient.destroy();
  benchClient.destroy();

  // What the lake holds: one version per converted partition, no scratch, no plan left behind.
  const scratchLeft = s3.keys(LAKE.bucket, `${LAKE.prefix}_staging/`).length;
  const plansLeft = s3.keys(LAKE.bucket, `${LAKE.prefix}_plans/`).length;
  const dataVersions = new Map<string, Set<string>>();
  for (const key of s3.keys(LAKE.bucket, `${LAKE.prefix}${SOURCE.name}/`)) {
    const match = /^(.*)\/(v=[^/]+)\//.exec(key);
    if (!match) continue;
    dataVersions.set(match[1]!, (dataVersions.get(match[1]!) ?? new Set()).add(match[2]!));
  }
  const partitionsWithOneVersion = [...dataVersions.values()].filter(
    (versions) => versions.size === 1,
  ).length;

  const queries = athena.record.queries;
  const athenaMs = queries.reduce((sum, query) => sum + (query.end - query.start), 0);
  const makespanMs = outcomes.lastEndMs;
  const idealMs = athenaMs / options.cap;
  const heldMs = slots.heldUntil(clock.now);
  const attempts = outcomes.started + outcomes.failedToStart;
  const dynamoRequests = Object.values(meter.requests).reduce((sum, count) => sum + count, 0);
  const sum = (calls: Record<string, number>) =>
    Object.values(calls).reduce((total, count) => total + count, 0);
  const athenaCalls =
    athena.record.startCalls + athena.record.getQueryExecutionCalls + athena.record.getQueryResultsCalls;
  const perPartition = (count: number) => round(count / options.partitions, 2);
  const peakInFlight = Math.max(peaks.slotHolders, peaks.runningBookmarks, peakOverlap(queries));

  return {
    partitions: options.partitions,
    cap: options.cap,
    seed: options.seed,
    awsMs: options.awsMs,
    planned: planned.partitions,
    queued: planned.queued,
    succeeded: states.SUCCEEDED,
    failed: states.FAILED,
    leftPending: states.PENDING,
    leftRunning: states.RUNNING,
    bookmarks: bookmarks.length,
    conversionAttempts: attempts,
    conversionRetries: outcomes.retried,
    failedToStart: outcomes.failedToStart,
    athenaQueries: queries.length,
    athenaQueriesFailed: queries.filter((query) => query.failed).length,
    startQueryExecutionCalls: athena.record.startCalls,
    throttled: athena.record.throttled,
    throttleRetries,
    throttleWaitSeconds: round(throttleWaitMs / 1000),
    ...queryTimeFigures(queries),
    athenaWorkSeconds: round(athenaMs / 1000),
    makespanSeconds: round(makespanMs / 1000),
    idealSeconds: round(idealMs / 1000),
    makespanVsIdeal: round(makespanMs / idealMs, 3),
    lastFirstAttemptStartSeconds: round(store.lastFirstStartMs / 1000),
    retryStartLagSecondsMean: round(mean(store.retryLagMs) / 1000),
    retryStartLagSecondsMax: round(Math.max(0, ...store.retryLagMs) / 1000),
    retriesStartedBySweeper: store.sweeperRetryLagMs.length,
    sweeperRetryLagSecondsMean: round(mean(store.sweeperRetryLagMs) / 1000),
    leasesTakenOnSucceeded: store.leasesOn.succeeded,
    leasesTakenOnFailed: store.leasesOn.failed,
    leasesTakenBeforeRetryAt: store.leasesOn.beforeRetryAt,
    failedForLostPlan,
    slotUtilisation: percent(heldMs / (options.cap * makespanMs)),
    athenaShareOfSlots: percent(athenaMs / (options.cap * makespanMs)),
    slotSeconds: round(heldMs / 1000),
    peakInFlight,
    peakSlotHolders: peaks.slotHolders,
    peakRunningBookmarks: peaks.runningBookmarks,
    peakAthenaRunning: peakOverlap(queries),
    peakSamples: samples,
    slotTakes: slots.takes,
    eventsDelivered: events.delivered,
    eventsLost: events.lost,
    eventsDuplicated: events.duplicated,
    eventOutcomes: JSON.stringify(events.outcomes),
    sweeps: sweeps.runs,
    sweepPolled: JSON.stringify(sweeps.polled),
    sweepAbandoned: sweeps.abandoned,
    sweepSlotsFreed: sweeps.slotsFreed,
    dynamoRequests,
    dynamoRequestsPerPartition: perPartition(dynamoRequests),
    dynamoRequestsPerAttempt: round(dynamoRequests / Math.max(1, attempts), 2),
    dynamoRequestsByCommand: JSON.stringify(meter.requests),
    dynamoRequestsByFunction: JSON.stringify(meter.byPhase),
    dynamoReadUnitsPerPartition: perPartition(meter.readUnits),
    dynamoWriteUnitsPerPartition: perPartition(meter.writeUnits),
    athenaCallsPerPartition: perPartition(athenaCalls),
    s3CallsPerPartition: perPartition(sum(s3.calls)),
    glueCallsPerPartition: perPartition(sum(glue.calls)),
    holdersLeft,
    offClockStamps,
    scratchObjectsLeft: scratchLeft,
    plansLeft,
    partitionsWithOneVersion,
    handlerErrors: clock.failures.length,
    firstHandlerError:
      clock.failures[0] === undefined
        ? ''
        : `${clock.failures[0].task} at ${round(clock.failures[0].at / 1000)} s: ${String(clock.failures[0].error)}`,
    retryErrors: JSON.stringify(retryErrors),
    warnings: warnings.length,
    firstWarning: warnings[0] ?? '',
    simulatedHours: round(clock.now / 3_600_000, 2),
    wallSeconds: round(wallMs / 1000, 1),
  };
}

export type NightFigures = Awaited<ReturnType<typeof simulateEventNight>>;
