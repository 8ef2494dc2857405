import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The timings are read by people, not asserted; this keeps the script working and its counts exact.
describe('bench/plan on a small listing', () => {
  it('finds every partition and registers and batches them in calls of at most 100', () => {
    const script = resolve(import.meta.dirname, '..', '..', 'dist', 'bench', 'plan.js');
    const args = [
      '--accounts',
      '3',
      '--regions',
      '4',
      '--days',
      '10',
      '--objects',
      '2',
      '--first-day',
      '2026-02-25',
    ];

    const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

    expect(result.status, result.stderr).toBe(0);
    const figures = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
    expect(figures.objects).toBe(240);
    expect(figures.unmatchedObjects).toBe(0);
    expect(figures.partitions).toBe(120);
    expect(figures.toConvert).toBe(120);
    expect(figures.rawPartitions).toBe(120);
    expect(figures.partitionsCreated).toBe(120);
    expect(figures.batchCreatePartitionCalls).toBe(Math.ceil(120 / 100));
    expect(figures.batchCreatePartitionLargest).toBe(100);
    expect(figures.convertBatches).toBe(Math.ceil(120 / 100));
    expect(figures.convertBatchLargest).toBe(100);
    expect(figures.athenaDdlStatements).toBe(1);
    expect(figures.athenaDdlLargestBytes).toBeLessThanOrEqual(figures.athenaDdlLimitBytes!);
    expect(figures.peakRssMiB).toBeGreaterThan(0);
  });
});
