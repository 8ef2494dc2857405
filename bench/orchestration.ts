/**
 * Orchestration benchmark on a simulated clock: a night of N partition conversions on Athena
 * under the product's cap on work in flight (`InFlightCap`), each conversion run by the product's
 * query runner (`runQuery`: StartQueryExecution retried with the full-jitter backoff of
 * `shared/aws/throttle.ts`, then GetQueryExecution polled at growing intervals) against a
 * simulated Athena whose query times are lognormal (long tail), which refuses a share of the
 * StartQueryExecution calls (throttling) and fails a share of the queries. A failed conversion is
 * queued again until the retry budget is spent, then counted FAILED. Prints slot utilisation,
 * makespan against the ideal (Athena work / cap) and the peak in-flight count; exits 1 if the
 * peak ever exceeds the cap. Deterministic for a seed.
 *
 *   npm run build && node dist/bench/orchestration.js [--partitions 1000 --cap 20 --median-s 40 --sigma 0.6 --throttle-pct 10 --fail-pct 5 --retry-budget 3 --seed 1]
 */
import { InFlightCap } from '../shared/aws/in-flight-cap.js';
import { DEFAULT_THROTTLE_RETRY } from '../shared/aws/throttle.js';
import { seededRandom } from '../shared/demo/random.js';
import { runQuery } from '../shared/engines/athena/query-runner.js';
import { benchArgs } from './args.js';
import { logNormal, peakOverlap, queryTimeFigures, round, simulatedAthena } from './sim-athena.js';
import { SimClock } from './sim-clock.js';
import { printFigures } from './print-figures.js';

const args = benchArgs({
  partitions: 1000,
  cap: 20,
  'median-s': 40,
  sigma: 0.6,
  'throttle-pct': 10,
  'fail-pct': 5,
  'retry-budget': 3,
  seed: 1,
});

const clock = new SimClock();
// One stream per concern, so that changing one rate does not reshuffle every other draw.
const athena = simulatedAthena({
  clock,
  random: seededRandom(args.seed * 3 + 1),
  durationMs: logNormal(seededRandom(args.seed * 3), args['median-s'] * 1000, args.sigma),
  throttleRate: args['throttle-pct'] / 100,
  failureRate: args['fail-pct'] / 100,
});
const backoffRandom = seededRandom(args.seed * 3 + 2);
const cap = new InFlightCap(args.cap);

let inFlight = 0;
let peakInFlight = 0;
let heldMs = 0;
let throttleRetries = 0;
let throttleWaitMs = 0;
let attempts = 0;
let succeeded = 0;
let failed = 0;

/** One conversion attempt, holding a place under the cap from its first StartQueryExecution to the poll that sees it end. */
async function attempt(partition: number): Promise<void> {
  await cap.run(async () => {
    // Counted here as well as by the cap, so the check does not rest on the cap's own bookkeeping.
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    attempts += 1;
    const since = clock.now;
    try {
      await runQuery(
        {
          client: athena.client,
          workGroup: 'primary',
          sleep: clock.sleep,
          retry: {
            sleep: clock.sleep,
            random: backoffRandom,
            onRetry: ({ delayMs }) => {
              throttleRetries += 1;
              throttleWaitMs += delayMs;
            },
          },
        },
        `SELECT 1 /* partition ${partition} */`,
        `partition ${partition}`,
      );
    } finally {
      inFlight -= 1;
      heldMs += clock.now - since;
    }
  });
}

/** A partition's conversion: attempts until one succeeds or the budget is spent (then FAILED). */
async function convert(partition: number): Promise<void> {
  for (let tries = 1; tries <= args['retry-budget']; tries += 1) {
    try {
      await attempt(partition);
      succeeded += 1;
      return;
    } catch {
      // A failed attempt frees its place; the retry queues behind the partitions already waiting.
    }
  }
  failed += 1;
}

const night = Promise.all(Array.from({ length: args.partitions }, (_, partition) => convert(partition)));
await clock.run();
await night;

const queries = athena.record.queries;
const athenaMs = queries.reduce((sum, query) => sum + (query.end - query.start), 0);
const makespanMs = clock.now;
const idealMs = athenaMs / args.cap;
const peakAthenaRunning = peakOverlap(queries);
const figures = {
  partitions: args.partitions,
  cap: args.cap,
  seed: args.seed,
  succeeded,
  failed,
  conversionAttempts: attempts,
  conversionRetries: attempts - args.partitions,
  startQueryExecutionCalls: athena.record.startCalls,
  throttled: athena.record.throttled,
  throttleRetries,
  throttleWaitSeconds: round(throttleWaitMs / 1000),
  backoff: `full jitter, ${DEFAULT_THROTTLE_RETRY.baseMs} ms doubling to ${DEFAULT_THROTTLE_RETRY.capMs} ms, ${DEFAULT_THROTTLE_RETRY.maxAttempts} calls`,
  ...queryTimeFigures(queries),
  athenaWorkSeconds: round(athenaMs / 1000),
  makespanSeconds: round(makespanMs / 1000),
  idealSeconds: round(idealMs / 1000),
  makespanVsIdeal: round(makespanMs / idealMs, 3),
  slotUtilisation: `${((heldMs / (args.cap * makespanMs)) * 100).toFixed(1)}%`,
  athenaShareOfSlots: `${((athenaMs / (args.cap * makespanMs)) * 100).toFixed(1)}%`,
  meanNoticeLagSeconds: round((heldMs - athenaMs - throttleWaitMs) / 1000 / Math.max(1, attempts), 2),
  peakInFlight: cap.peak,
  peakInFlightObserved: peakInFlight,
  peakAthenaRunning,
};
printFigures(figures);
if (Math.max(cap.peak, peakInFlight, peakAthenaRunning) > args.cap) {
  console.error(`The number of conversions in flight exceeded the cap of ${args.cap}.`);
  process.exitCode = 1;
}
if (succeeded + failed !== args.partitions) {
  console.error(`${succeeded} succeeded + ${failed} failed is not the ${args.partitions} partitions.`);
  process.exitCode = 1;
}
