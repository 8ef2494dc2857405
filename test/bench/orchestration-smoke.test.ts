import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = resolve(import.meta.dirname, '..', '..', 'dist', 'bench', 'orchestration.js');

/** The figures the checks read. */
interface Figures {
  succeeded: number;
  failed: number;
  conversionAttempts: number;
  conversionRetries: number;
  startQueryExecutionCalls: number;
  throttled: number;
  throttleRetries: number;
  makespanSeconds: number;
  idealSeconds: number;
  peakInFlight: number;
  peakInFlightObserved: number;
  peakAthenaRunning: number;
}

/** Runs the benchmark; its last line is the figures as JSON. */
function orchestrate(...args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  const figures = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as Figures;
  return { result, figures };
}

// The figures are read by people, not asserted; this keeps the script working and its counts consistent.
describe('bench/orchestration on a small night', () => {
  it('never has more in flight than the cap, and accounts for every partition, attempt and throttle', () => {
    const { result, figures } = orchestrate('--partitions', '60', '--cap', '4', '--seed', '5');

    expect(result.status, result.stderr).toBe(0);
    expect(figures.peakInFlight).toBeLessThanOrEqual(4);
    expect(figures.peakInFlightObserved).toBeLessThanOrEqual(4);
    expect(figures.peakAthenaRunning).toBeLessThanOrEqual(4);
    expect(figures.peakInFlight).toBe(4);
    expect(figures.succeeded + figures.failed).toBe(60);
    expect(figures.conversionAttempts).toBe(60 + figures.conversionRetries);
    expect(figures.startQueryExecutionCalls).toBe(figures.conversionAttempts + figures.throttled);
    expect(figures.throttleRetries).toBe(figures.throttled);
    expect(figures.makespanSeconds).toBeGreaterThanOrEqual(figures.idealSeconds);
  });

  it('gives up on a partition once its retry budget is spent', () => {
    const { result, figures } = orchestrate(
      '--partitions',
      '40',
      '--cap',
      '5',
      '--fail-pct',
      '60',
      '--retry-budget',
      '2',
    );

    expect(result.status, result.stderr).toBe(0);
    expect(figures.failed).toBeGreaterThan(0);
    expect(figures.succeeded + figures.failed).toBe(40);
    expect(figures.conversionAttempts).toBeLessThanOrEqual(40 * 2);
  });

  it('prints the same figures for the same seed', () => {
    const first = orchestrate('--partitions', '30', '--cap', '3', '--seed', '9');
    const second = orchestrate('--partitions', '30', '--cap', '3', '--seed', '9');

    expect(second.result.stdout).toBe(first.result.stdout);
  });
});
