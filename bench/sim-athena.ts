import {
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import type { Random } from '../shared/demo/random.js';
import type { SimClock } from './sim-clock.js';

/** How the simulated Athena behaves. */
export interface SimAthenaOptions {
  clock: SimClock;
  /** Draws the throttles and failures. */
  random: Random;
  /** Draws how long a query runs, in ms. */
  durationMs: () => number;
  /** Share of StartQueryExecution calls refused with TooManyRequestsException, in [0, 1]. */
  throttleRate: number;
  /** Share of queries that end FAILED, in [0, 1] (part-way through their run). */
  failureRate: number;
}

/** What the simulated Athena saw. */
export interface SimAthenaRecord {
  /** StartQueryExecution calls, the throttled ones included. */
  startCalls: number;
  throttled: number;
  /** Each query Athena ran: when it started and ended (simulated ms), and whether it failed. */
  queries: { start: number; end: number; failed: boolean }[];
}

/** Lognormal draws with the given median and shape σ: most queries near the median, a long slow tail. */
export function logNormal(random: Random, median: number, sigma: number): () => number {
  return () => {
    // Box–Muller; 1 − u keeps the logarithm away from 0.
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return median * Math.exp(sigma * normal);
  };
}

/**
 * An Athena client answering StartQueryExecution and GetQueryExecution from a simulated clock, so
 * that the product's own query runner (its throttle retries and polling) drives it unchanged.
 */
export function simulatedAthena(options: SimAthenaOptions): {
  client: AthenaClient;
  record: SimAthenaRecord;
} {
  const record: SimAthenaRecord = { startCalls: 0, throttled: 0, queries: [] };
  const send = async (command: unknown): Promise<unknown> => {
    if (command instanceof StartQueryExecutionCommand) {
      record.startCalls += 1;
      if (options.random() < options.throttleRate) {
        record.throttled += 1;
        throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      }
      const start = options.clock.now;
      const failed = options.random() < options.failureRate;
      const runMs = options.durationMs() * (failed ? options.random() : 1);
      record.queries.push({ start, end: start + runMs, failed });
      return { QueryExecutionId: String(record.queries.length - 1) };
    }
    if (command instanceof GetQueryExecutionCommand) {
      const id = command.input.QueryExecutionId ?? '';
      const query = record.queries[Number(id)];
      if (!query) throw new Error(`No simulated query ${id}.`);
      const done = options.clock.now >= query.end;
      const state = !done ? 'RUNNING' : query.failed ? 'FAILED' : 'SUCCEEDED';
      return {
        QueryExecution: {
          QueryExecutionId: id,
          Status: { State: state, ...(query.failed ? { StateChangeReason: 'simulated failure' } : {}) },
          Statistics: {
            DataScannedInBytes: 0,
            EngineExecutionTimeInMillis: Math.round(query.end - query.start),
          },
        },
      };
    }
    throw new Error(`The simulated Athena does not answer ${(command as object).constructor.name}.`);
  };
  return { client: { send } as unknown as AthenaClient, record };
}

/** The most intervals that overlap at any instant (an interval ending when another starts does not overlap it). */
export function peakOverlap(intervals: readonly { start: number; end: number }[]): number {
  const edges = intervals.flatMap(({ start, end }) => [
    [start, 1],
    [end, -1],
  ]) as [number, number][];
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let peak = 0;
  for (const [, step] of edges) peak = Math.max(peak, (current += step));
  return peak;
}

/** A figure rounded for printing. */
export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** How long a night's queries ran, in seconds: the median, the 99th percentile and the longest. */
export function queryTimeFigures(queries: readonly { start: number; end: number }[]): {
  querySecondsP50: number;
  querySecondsP99: number;
  querySecondsMax: number;
} {
  const sorted = queries.map((query) => (query.end - query.start) / 1000).sort((a, b) => a - b);
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    querySecondsP50: round(quantile(0.5)),
    querySecondsP99: round(quantile(0.99)),
    querySecondsMax: round(sorted.at(-1) ?? 0),
  };
}
