import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

// The benchmark's figures are read by people, not asserted; this only keeps the script working
// and its answers consistent on a tiny corpus.
describe('bench/convert on a tiny corpus', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('bench');
  });

  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('prints every figure, converts every line, and gets the same top talkers from text and lake', () => {
    const script = resolve(import.meta.dirname, '..', '..', 'dist', 'bench', 'convert.js');
    const args = [
      '--size-mb',
      '2',
      '--files',
      '4',
      '--accounts',
      '2',
      '--regions',
      '1',
      '--days',
      '2',
      '--runs',
      '1',
    ];

    const result = spawnSync(process.execPath, [script, ...args, '--corpus', join(dir, 'corpus')], {
      encoding: 'utf8',
    });

    expect(result.status, result.stderr).toBe(0);
    const figures = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(Object.keys(figures)).toEqual(
      expect.arrayContaining([
        'gzipFloorSeconds',
        'conversionSeconds',
        'ratioToGzipFloor',
        'peakRssMiB',
        'querySpeedup',
        'columnChunkShareOfGzip',
      ]),
    );
    expect(figures.rowsIn).toBe(figures.rowsOut);
    expect(figures.rowsIn).toBeGreaterThan(10_000);
    expect(figures.sameAnswer).toBe(true);
  });
});
