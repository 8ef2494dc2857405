/**
 * Orchestration benchmark of the deployed, event-driven path on a simulated clock: a night of N
 * partitions queued PENDING by the product's `planConversions` in the real DynamoDB bookmarks (an
 * in-process dynalite), started under the real `InFlightSlots` cap by `startPending`, each converted
 * by the real Athena step engine (three CTAS queries: parse, rows, rejects) against a simulated
 * Athena, carried on by `onRunEnded` + `startPending` when each query's state-change event arrives,
 * and by the sweeper (`sweep` + `startPending`) every 5 simulated minutes (the deployed default). Query times are
 * lognormal; a share of StartQueryExecution calls is throttled (the engine's full-jitter retry
 * waits on the simulated clock) and a share of conversion attempts fails (one query ends FAILED),
 * retried after the product's backoff up to the retry budget, then FAILED.
 *
 * Prints partitions SUCCEEDED/FAILED, attempts, slot utilisation, makespan against the ideal
 * (Athena work / cap), the peak in flight (slot holders, RUNNING bookmarks, Athena queries
 * running), DynamoDB requests per partition, and the wall time; the last line is the figures as
 * JSON. Exits 1 if anything was ever in flight above the cap, a partition did not end SUCCEEDED
 * or FAILED, a partition whose conversion had ended was started again, or an invocation failed.
 *
 *   npm run bench:orchestration:events -- [--partitions 1000 --cap 20 --median-s 40 --sigma 0.6
 *     --throttle-pct 10 --fail-pct 5 --lost-pct 0 --duplicate-pct 0 --retry-budget 3 --sweep-min 5 --poll-min 10 --stuck-min 30 --aws-ms 0 --seed 1]
 */
import { benchArgs } from './args.js';
import { simulateEventNight } from './sim-events-night.js';
import { printFigures } from './print-figures.js';

const args = benchArgs({
  partitions: 1000,
  cap: 20,
  'median-s': 40,
  sigma: 0.6,
  'throttle-pct': 10,
  'fail-pct': 5,
  // A text flag: benchArgs refuses 0 for numbers, and no event is lost unless asked (e.g. --lost-pct 1).
  'lost-pct': '0',
  'duplicate-pct': '0',
  'retry-budget': 3,
  'sweep-min': 5,
  'poll-min': 10,
  'stuck-min': 30,
  'max-hours': 48,
  // Text: 0 (the default) is refused by benchArgs for numbers. Simulated ms each AWS call takes.
  'aws-ms': '0',
  seed: 1,
});

/** A percentage flag given as text (benchArgs refuses 0 for numbers). */
function percentage(name: 'lost-pct' | 'duplicate-pct'): number {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    console.error(`--${name} must be a percentage from 0 to 100, not "${args[name]}".`);
    process.exit(2);
  }
  return value;
}

const awsMs = Number(args['aws-ms']);
if (!Number.isFinite(awsMs) || awsMs < 0) {
  console.error(`--aws-ms must be a number of milliseconds ≥ 0, not "${args['aws-ms']}".`);
  process.exit(2);
}

const figures = await simulateEventNight({
  partitions: Math.round(args.partitions),
  cap: Math.round(args.cap),
  medianS: args['median-s'],
  sigma: args.sigma,
  throttlePct: args['throttle-pct'],
  failPct: args['fail-pct'],
  lostPct: percentage('lost-pct'),
  duplicatePct: percentage('duplicate-pct'),
  retryBudget: Math.round(args['retry-budget']),
  sweepMin: args['sweep-min'],
  pollMin: args['poll-min'],
  stuckMin: args['stuck-min'],
  seed: Math.round(args.seed),
  maxHours: args['max-hours'],
  awsMs,
});

printFigures(figures);

if (figures.peakInFlight > figures.cap) {
  console.error(
    `The number of conversions in flight exceeded the cap of ${figures.cap} (${figures.peakInFlight}).`,
  );
  process.exitCode = 1;
}
if (
  figures.succeeded + figures.failed !== figures.partitions ||
  figures.leftPending + figures.leftRunning > 0 ||
  figures.bookmarks !== figures.partitions
) {
  console.error(
    `Not every partition ended SUCCEEDED or FAILED: ${figures.succeeded} succeeded, ${figures.failed} failed, ` +
      `${figures.leftPending} PENDING, ${figures.leftRunning} RUNNING of ${figures.partitions}.`,
  );
  process.exitCode = 1;
}
if (figures.leasesTakenOnSucceeded + figures.leasesTakenOnFailed > 0) {
  console.error(
    `A starter took the lease of partitions whose conversion had ended (${figures.leasesTakenOnSucceeded} SUCCEEDED, ` +
      `${figures.leasesTakenOnFailed} FAILED): it went on down a page of the PENDING queue it had read before.`,
  );
  process.exitCode = 1;
}
if (figures.handlerErrors > 0) {
  console.error(
    `${figures.handlerErrors} function invocation(s) failed; the first: ${figures.firstHandlerError}`,
  );
  process.exitCode = 1;
}
