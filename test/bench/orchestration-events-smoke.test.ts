import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeArgsFor } from '../../shared/bookmarks/node-script.js';

// The source through tsx, not dist/: the smoke test follows the code without a build.
const script = new URL('../../bench/orchestration-events.ts', import.meta.url);

/** The figures the checks read. */
interface Figures {
  partitions: number;
  cap: number;
  succeeded: number;
  failed: number;
  leftPending: number;
  leftRunning: number;
  bookmarks: number;
  conversionAttempts: number;
  conversionRetries: number;
  athenaQueries: number;
  startQueryExecutionCalls: number;
  throttled: number;
  throttleRetries: number;
  makespanSeconds: number;
  idealSeconds: number;
  slotUtilisation: string;
  peakInFlight: number;
  peakSlotHolders: number;
  peakRunningBookmarks: number;
  peakAthenaRunning: number;
  eventsLost: number;
  sweepPolled: string;
  dynamoRequestsPerPartition: number;
  holdersLeft: number;
  scratchObjectsLeft: number;
  plansLeft: number;
  partitionsWithOneVersion: number;
  handlerErrors: number;
  offClockStamps: number;
  leasesTakenOnSucceeded: number;
  leasesTakenOnFailed: number;
  wallSeconds: number;
}

/** Runs the benchmark; its last line is the figures as JSON, the lines before them `name value`. */
function night(...args: string[]) {
  const result = spawnSync(process.execPath, [...nodeArgsFor(script), ...args], { encoding: 'utf8' });
  const lines = result.stdout.trim().split('\n');
  const figures = JSON.parse(lines.at(-1) ?? '{}') as Figures;
  const printed = new Map(
    lines
      .slice(0, -1)
      .map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ')).trim()]),
  );
  return { result, figures, printed };
}

/** Every partition ended SUCCEEDED or FAILED, nothing was ever in flight above the cap, nothing was left behind. */
function expectCompleteNight(figures: Figures, partitions: number, cap: number): void {
  expect(figures.partitions).toBe(partitions);
  expect(figures.succeeded + figures.failed).toBe(partitions);
  expect(figures.bookmarks).toBe(partitions);
  expect(figures.leftPending).toBe(0);
  expect(figures.leftRunning).toBe(0);
  for (const peak of [
    figures.peakInFlight,
    figures.peakSlotHolders,
    figures.peakRunningBookmarks,
    figures.peakAthenaRunning,
  ])
    expect(peak).toBeLessThanOrEqual(cap);
  expect(figures.holdersLeft).toBe(0);
  expect(figures.scratchObjectsLeft).toBe(0);
  expect(figures.plansLeft).toBe(0);
  expect(figures.partitionsWithOneVersion).toBe(figures.succeeded);
  expect(figures.handlerErrors).toBe(0);
  expect(figures.offClockStamps).toBe(0);
  expect(figures.leasesTakenOnSucceeded + figures.leasesTakenOnFailed).toBe(0);
}

// The figures are read by people, not asserted; this keeps the script working and its counts consistent.
describe('bench/orchestration-events on a small night', () => {
  it('converts every partition under the cap and prints figures that parse', () => {
    const { result, figures, printed } = night('--partitions', '60', '--cap', '5', '--seed', '3');

    expect(result.status, result.stderr).toBe(0);
    expectCompleteNight(figures, 60, 5);
    expect(figures.peakSlotHolders).toBe(5);
    expect(figures.conversionAttempts).toBe(60 + figures.conversionRetries);
    expect(figures.startQueryExecutionCalls).toBe(figures.athenaQueries + figures.throttled);
    expect(figures.throttleRetries).toBe(figures.throttled);
    expect(figures.makespanSeconds).toBeGreaterThanOrEqual(figures.idealSeconds);
    expect(figures.slotUtilisation).toMatch(/^\d+(\.\d)?%$/);
    expect(figures.dynamoRequestsPerPartition).toBeGreaterThan(0);
    expect(figures.wallSeconds).toBeGreaterThan(0);
    // The readable lines say the same as the JSON.
    expect(Number(printed.get('succeeded'))).toBe(figures.succeeded);
    expect(Number(printed.get('peakInFlight'))).toBe(figures.peakInFlight);
    expect(printed.get('slotUtilisation')).toBe(figures.slotUtilisation);
  });

  it('gives up after the retry budget and polls the runs whose events were lost', () => {
    const { result, figures } = night(
      ...['--partitions', '30', '--cap', '4', '--fail-pct', '50', '--retry-budget', '2'],
      ...['--lost-pct', '10', '--aws-ms', '20', '--seed', '2'],
    );

    expect(result.status, result.stderr).toBe(0);
    expectCompleteNight(figures, 30, 4);
    expect(figures.failed).toBeGreaterThan(0);
    expect(figures.conversionAttempts).toBeLessThanOrEqual(30 * 2);
    expect(figures.eventsLost).toBeGreaterThan(0);
    expect(Object.keys(JSON.parse(figures.sweepPolled) as object).length).toBeGreaterThan(0);
  });
});
