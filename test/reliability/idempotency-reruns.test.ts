import { readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_CLOUDFRONT_ACCOUNT, DEMO_REGIONS } from '../../shared/demo/seed-demo.js';
import type { SourceName } from '../../shared/sources/types.js';
import { parseSummary, writeConfig, type JsonSummary } from '../fixtures/cli-runner.js';
import { addLateObject, recordsOf, rowSetOf, writeSmallDemoDay, type RowSet } from '../fixtures/demo-lake.js';
import { LakeRun } from '../fixtures/lake-run.js';

// The same days converted again and again give the same lake: a run with nothing new converts
// nothing, a forced re-conversion of every partition (new modification times) replaces each
// file with identical rows, never appends; late objects re-convert only their partitions and add
// exactly their records.
const SOURCES = [
  'vpc_flow',
  's3_access',
  'cloudtrail',
  'alb',
  'elb',
  'cloudfront',
] as const satisfies readonly SourceName[];
const DAYS = { from: '2026-02-10', to: '2026-02-11' };
const PLACES = DEMO_ACCOUNTS.flatMap((account) => DEMO_REGIONS.map((region) => ({ account, region })));
const placesOf = (source: SourceName) =>
  source === 'cloudfront' ? [{ account: DEMO_CLOUDFRONT_ACCOUNT, region: 'global' }] : PLACES;
/** 5 sources × 2 accounts × 2 regions × 2 days, and CloudFront's one account × 2 days. */
const PARTITIONS = 5 * 4 * 2 + 2;

const key = (entry: { source: string; account: string; region: string; date: string }) =>
  `${entry.source}/${entry.account}/${entry.region}/${entry.date}`;
const actions = (summary: JsonSummary) => {
  const counts: Record<string, number> = {};
  for (const entry of summary.partitions) counts[entry.action] = (counts[entry.action] ?? 0) + 1;
  return counts;
};

async function parquetFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true });
  return entries.filter((entry) => entry.endsWith('.parquet')).sort();
}

describe('re-runs of the same days, all six sources', () => {
  let run: LakeRun;
  let config: string;
  /** Records each partition's raw objects hold (demo data has no rejects). */
  const records = new Map<string, number>();
  let firstRows: Map<string, RowSet>;
  let firstFiles: string[];

  const rowSets = async (): Promise<Map<string, RowSet>> => {
    const sets = new Map<string, RowSet>();
    for (const source of SOURCES)
      sets.set(source, await rowSetOf(run.reader, join(run.lake, source, '**', '*.parquet')));
    return sets;
  };
  const rowsOutOf = (summary: JsonSummary) =>
    new Map(summary.partitions.map((entry) => [key(entry), entry.rowsOut]));

  beforeAll(async () => {
    run = await LakeRun.create('idempotency');
    config = await writeConfig(run.workdir, {
      sources: [...SOURCES],
      flatLayouts: { cloudfront: { account: DEMO_CLOUDFRONT_ACCOUNT } },
    });
    for (const date of [DAYS.from, DAYS.to]) {
      for (const source of SOURCES) {
        for (const place of placesOf(source)) {
          const objects = await writeSmallDemoDay(source, run.raw, { ...place, date });
          records.set(key({ source, ...place, date }), recordsOf(source, objects));
        }
      }
    }
  });

  afterAll(async () => {
    await run.close();
  });

  it('converts every partition once, with every record a row', async () => {
    const result = await run.backfill(DAYS, '--config', config, '--json');

    expect(result.code, result.stderr).toBe(0);
    const summary = parseSummary(result);
    expect(actions(summary)).toEqual({ converted: PARTITIONS });
    expect(records.size).toBe(PARTITIONS);
    for (const entry of summary.partitions) {
      const expected = records.get(key(entry));
      expect(
        { rowsIn: entry.rowsIn, rowsOut: entry.rowsOut, rowsRejected: entry.rowsRejected },
        key(entry),
      ).toEqual({ rowsIn: expected, rowsOut: expected, rowsRejected: 0 });
    }
    firstRows = await rowSets();
    firstFiles = await parquetFiles(run.lake);
    expect(firstFiles).toHaveLength(PARTITIONS);
    for (const source of SOURCES) {
      const total = [...records]
        .filter(([name]) => name.startsWith(`${source}/`))
        .reduce((sum, [, n]) => sum + n, 0);
      expect(firstRows.get(source)?.rows, source).toBe(total);
    }
  });

  it('converts nothing the second time and leaves the lake as it was', async () => {
    const result = await run.backfill(DAYS, '--config', config, '--json');

    expect(result.code, result.stderr).toBe(0);
    expect(actions(parseSummary(result))).toEqual({ 'up-to-date': PARTITIONS });
    expect(await rowSets()).toEqual(firstRows);
    expect(await parquetFiles(run.lake)).toEqual(firstFiles);
  });

  it('replaces every partition with identical rows when all raw objects are re-delivered', async () => {
    // Prepare: every object gets a new modification time, so every fingerprint changes.
    const later = new Date(Date.now() + 3_600_000);
    for (const entry of await readdir(run.raw, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) await utimes(join(entry.parentPath, entry.name), later, later);
    }

    // Act
    const result = await run.backfill(DAYS, '--config', config, '--json');

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = parseSummary(result);
    expect(actions(summary)).toEqual({ converted: PARTITIONS });
    for (const entry of summary.partitions) expect(entry.rowsOut, key(entry)).toBe(records.get(key(entry)));
    expect(await rowSets()).toEqual(firstRows);
    expect(await parquetFiles(run.lake)).toEqual(firstFiles);
  });

  it('adds exactly the records of late objects, converting only their partitions', async () => {
    // Prepare: one late object per source, in the second day's partition of the first account.
    const late = new Map<string, number>();
    for (const source of SOURCES) {
      const place = placesOf(source)[0] ?? PLACES[0];
      if (!place) throw new Error('no demo place');
      const object = await addLateObject(source, run.raw, { ...place, date: DAYS.to });
      expect(object.records, source).toBeGreaterThan(0);
      late.set(key({ source, ...place, date: DAYS.to }), object.records);
    }
    const before = await rowSets();

    // Act
    const result = await run.backfill(DAYS, '--config', config, '--json');

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = parseSummary(result);
    expect(actions(summary)).toEqual({
      converted: SOURCES.length,
      'up-to-date': PARTITIONS - SOURCES.length,
    });
    const rowsOut = rowsOutOf(summary);
    for (const [name, added] of late) {
      expect(rowsOut.get(name), name).toBe((records.get(name) ?? 0) + added);
      expect(summary.partitions.find((entry) => key(entry) === name)?.rowsRejected, name).toBe(0);
    }
    const after = await rowSets();
    for (const source of SOURCES) {
      const added = [...late]
        .filter(([name]) => name.startsWith(`${source}/`))
        .reduce((sum, [, n]) => sum + n, 0);
      expect(after.get(source)?.rows, source).toBe((before.get(source)?.rows ?? 0) + added);
    }
    expect(await parquetFiles(run.lake)).toEqual(firstFiles);
  });
});
