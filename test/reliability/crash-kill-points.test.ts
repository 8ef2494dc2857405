import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeVpcFlowDay } from '../../shared/demo/vpc-flow-generator.js';
import type { SourceName } from '../../shared/sources/types.js';
import {
  backfillArgs,
  parseSummary,
  runCli,
  startCli,
  waitForFile,
  writeConfig,
  type JsonSummary,
} from '../fixtures/cli-runner.js';
import { addLateObject, recordsOf, rowSetOf, writeSmallDemoDay, type RowSet } from '../fixtures/demo-lake.js';
import { LakeRun, type Partition } from '../fixtures/lake-run.js';

// A conversion killed outright (SIGKILL) while reading its objects, just before DuckDB writes the
// Parquet file, between the write and the swap, and between the swap and the bookmark: for a
// regex source (alb), JSON records (cloudtrail) and header-delimited text (vpc_flow). Each kill
// hits its own partition (one day per point), all of which converted once before and then got a
// late object: after the kill the partition folder holds exactly one complete version (the
// previous one, or the new one once swapped), and one re-run converges on exactly the rows of an
// uninterrupted run (the same raw data converted into a reference lake).
const SOURCES = ['alb', 'cloudtrail', 'vpc_flow'] as const satisfies readonly SourceName[];
const POINTS = ['during-staging', 'during-write', 'before-commit', 'after-commit'] as const;
const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'] as const;
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const [FIRST, , , LAST] = DAYS;

const dayOf = (point: (typeof POINTS)[number]): string => DAYS[POINTS.indexOf(point)] ?? FIRST;
const partitionOf = (date: string): Partition => ({ account: ACCOUNT, region: REGION, date });
const id = (source: string, date: string): string => `${source} ${date}`;

describe('SIGKILL at every point of a conversion', () => {
  let run: LakeRun;
  let config: string;
  const refLake = () => join(run.workdir, 'reference-lake');
  /** Records per partition before the late objects, and after them. */
  const before = new Map<string, number>();
  const after = new Map<string, number>();
  /** Row sets of the first version of each partition, and of an uninterrupted conversion of all data. */
  const previous = new Map<string, RowSet>();
  const reference = new Map<string, RowSet>();
  const fileOf = (lake: string, source: string, date: string) =>
    join(
      lake,
      source,
      `account=${ACCOUNT}`,
      `region=${REGION}`,
      `year=${date.slice(0, 4)}`,
      `month=${date.slice(5, 7)}`,
      `day=${date.slice(8, 10)}`,
      'part-00000.snappy.parquet',
    );
  const converted = (summary: JsonSummary) =>
    new Map(
      summary.partitions
        .filter((entry) => entry.action === 'converted')
        .map((entry) => [id(entry.source, entry.date), entry]),
    );

  beforeAll(async () => {
    run = await LakeRun.create('crash-points');
    // The default five-minute lease: a re-run sees the killed holder (a process of this host) is
    // gone and takes its partitions over at once.
    config = await writeConfig(run.workdir, { leaseSeconds: 300, sources: [...SOURCES] });
    for (const source of SOURCES) {
      for (const date of DAYS) {
        const objects = await writeSmallDemoDay(source, run.raw, { account: ACCOUNT, region: REGION, date });
        before.set(id(source, date), recordsOf(source, objects));
      }
    }
    const first = await run.backfill({ from: FIRST, to: LAST }, '--config', config, '--json');
    expect(first.code, first.stderr).toBe(0);
    const firstConverted = converted(parseSummary(first));
    expect(firstConverted.size).toBe(SOURCES.length * DAYS.length);
    for (const [key, records] of before) {
      expect(firstConverted.get(key), key).toMatchObject({
        rowsIn: records,
        rowsOut: records,
        rowsRejected: 0,
      });
    }
    for (const source of SOURCES) {
      for (const date of DAYS) {
        previous.set(id(source, date), await rowSetOf(run.reader, fileOf(run.lake, source, date)));
        const late = await addLateObject(source, run.raw, { account: ACCOUNT, region: REGION, date });
        after.set(id(source, date), (before.get(id(source, date)) ?? 0) + late.records);
      }
    }
    const uninterrupted = await runCli(
      backfillArgs(
        { from: FIRST, to: LAST },
        { raw: run.raw, lake: refLake(), workdir: run.workdir },
        '--config',
        config,
        '--json',
      ),
    );
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
    const refConverted = converted(parseSummary(uninterrupted));
    expect(refConverted.size).toBe(SOURCES.length * DAYS.length);
    for (const source of SOURCES) {
      for (const date of DAYS) {
        const key = id(source, date);
        expect(refConverted.get(key), key).toMatchObject({ rowsOut: after.get(key), rowsRejected: 0 });
        reference.set(key, await rowSetOf(run.reader, fileOf(refLake(), source, date)));
      }
    }
  }, 180_000);

  afterAll(async () => {
    await run.close();
  });

  const cases = SOURCES.flatMap((source) => POINTS.map((point) => ({ source, point })));
  it.each(cases)('$source killed $point keeps one complete version visible', async ({ source, point }) => {
    // Prepare
    const date = dayOf(point);
    const key = id(source, date);
    const marker = join(run.workdir, `${source}-${point}.marker`);
    const { child, done } = startCli(
      backfillArgs({ from: date, to: date }, run, '--source', source, '--config', config),
      { ATHENA_LOGS_FAULT_POINT: point, ATHENA_LOGS_FAULT_MARKER: marker },
    );
    await waitForFile(marker);

    // Act
    child.kill('SIGKILL');
    const killed = await done;

    // Assess: one file, complete — the previous version before the swap, the new one after it.
    expect(killed.code).toBeNull();
    const folder = run.partitionDir(source, partitionOf(date));
    expect(await readdir(folder)).toEqual(['part-00000.snappy.parquet']);
    const visible = await rowSetOf(run.reader, fileOf(run.lake, source, date));
    if (point === 'after-commit') {
      expect(visible).toEqual(reference.get(key));
      expect(visible.rows).toBe(after.get(key));
    } else {
      expect(visible).toEqual(previous.get(key));
      expect(visible.rows).toBe(before.get(key));
    }
    // Demo data has no rejects: no rejects file appeared, partial or not.
    expect(await readdir(join(run.lake, '_rejects')).catch(() => [])).toEqual([]);
  });

  it('converges on re-run to exactly the rows of an uninterrupted run', async () => {
    const rerun = await run.backfill({ from: FIRST, to: LAST }, '--config', config, '--json');

    expect(rerun.code, rerun.stderr).toBe(0);
    const rerunConverted = converted(parseSummary(rerun));
    expect(rerunConverted.size).toBe(SOURCES.length * DAYS.length);
    for (const source of SOURCES) {
      for (const date of DAYS) {
        const key = id(source, date);
        expect(rerunConverted.get(key), key).toMatchObject({
          rowsIn: after.get(key),
          rowsOut: after.get(key),
          rowsRejected: 0,
        });
        expect(await readdir(run.partitionDir(source, partitionOf(date)))).toEqual([
          'part-00000.snappy.parquet',
        ]);
        expect(await rowSetOf(run.reader, fileOf(run.lake, source, date)), key).toEqual(reference.get(key));
      }
    }
    // The killed runs' staging and scratch folders went with the re-run (their runners are gone).
    expect(await readdir(join(run.lake, '_staging')).catch(() => [])).toEqual([]);
    expect((await readdir(join(run.workdir, 'tmp'))).filter((entry) => entry !== 'duckdb')).toEqual([]);
    const status = parseSummary(await run.cli('status', '--json'));
    expect(status.partitions.map((entry) => entry.state)).toEqual(
      Array(SOURCES.length * DAYS.length).fill('SUCCEEDED'),
    );
  });
});

// A kill while DuckDB writes the Parquet file itself: the runner cannot commit (it would wait at
// before-commit), and it is killed the moment a staged Parquet file appears — in the middle of the
// write, or at the latest between the write and the swap. The partition is large enough (about
// 100,000 flow records) for the write to take a while.
describe('SIGKILL as the staged Parquet file appears (vpc_flow)', () => {
  const DAY = '2026-03-05';
  let run: LakeRun;
  let config: string;
  let firstRows: RowSet;
  let records = 0;
  const file = () => run.partitionFile('vpc_flow', partitionOf(DAY));

  beforeAll(async () => {
    run = await LakeRun.create('crash-mid-write');
    config = await writeConfig(run.workdir, { sources: ['vpc_flow'] });
    const objects = await writeVpcFlowDay(run.raw, {
      account: ACCOUNT,
      region: REGION,
      date: DAY,
      files: 2,
      bytesPerFile: 4_000_000,
      interfaces: 300,
    });
    records = recordsOf('vpc_flow', objects);
    const first = await run.backfill({ from: DAY, to: DAY }, '--config', config, '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(parseSummary(first).partitions).toMatchObject([{ action: 'converted', rowsOut: records }]);
    firstRows = await rowSetOf(run.reader, file());
  }, 120_000);

  afterAll(async () => {
    await run.close();
  });

  it('keeps the previous version and converges on re-run', async () => {
    // Prepare: a late object, and a runner that can never reach the swap.
    const late = await addLateObject('vpc_flow', run.raw, { account: ACCOUNT, region: REGION, date: DAY });
    const marker = join(run.workdir, 'never.marker');
    const { child, done } = startCli(backfillArgs({ from: DAY, to: DAY }, run, '--config', config), {
      ATHENA_LOGS_FAULT_POINT: 'before-commit',
      ATHENA_LOGS_FAULT_MARKER: marker,
    });
    const staging = join(run.lake, '_staging');
    const deadline = Date.now() + 60_000;
    let seen: string | undefined;
    while (seen === undefined && Date.now() < deadline) {
      const entries = await readdir(staging, { recursive: true }).catch(() => [] as string[]);
      seen = entries.find((entry) => entry.endsWith('.parquet'));
      if (seen === undefined) await sleep(2);
    }

    // Act
    child.kill('SIGKILL');
    await done;

    // Assess
    expect(seen).toMatch(/data\.parquet$/);
    expect(await readdir(run.partitionDir('vpc_flow', partitionOf(DAY)))).toEqual([
      'part-00000.snappy.parquet',
    ]);
    expect(await rowSetOf(run.reader, file())).toEqual(firstRows);
    expect(firstRows.rows).toBe(records);
    const rerun = await run.backfill({ from: DAY, to: DAY }, '--config', config, '--json');
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(parseSummary(rerun).partitions).toMatchObject([
      {
        action: 'converted',
        rowsIn: records + late.records,
        rowsOut: records + late.records,
        rowsRejected: 0,
      },
    ]);
    const reference = await runCli(
      backfillArgs(
        { from: DAY, to: DAY },
        { raw: run.raw, lake: join(run.workdir, 'reference-lake'), workdir: run.workdir },
        '--config',
        config,
      ),
    );
    expect(reference.code, reference.stderr).toBe(0);
    expect(await rowSetOf(run.reader, file())).toEqual(
      await rowSetOf(
        run.reader,
        join(
          run.workdir,
          'reference-lake',
          'vpc_flow',
          `account=${ACCOUNT}`,
          `region=${REGION}`,
          'year=2026',
          'month=03',
          'day=05',
          'part-00000.snappy.parquet',
        ),
      ),
    );
    expect(await readdir(staging)).toEqual([]);
  });
});
