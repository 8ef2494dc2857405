import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import {
  backfillArgs,
  parseSummary,
  runCli,
  startCli,
  stopBookmarkServer,
  waitForFile,
  writeConfig,
} from '../fixtures/cli-runner.js';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import { flowKey, flowLine, V2_HEADER, writeRawObject } from '../fixtures/raw-objects.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const ACCOUNT = '111111111111';
const DAY = '2026-04-10';
const lines = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => flowLine(ACCOUNT, from + index));

// A conversion killed (SIGKILL) at any point leaves the previous version complete and nothing
// partial in the partition folder; the next run finishes with the same rows as an uninterrupted run.
describe.each(['after-staging', 'before-commit', 'after-commit'] as const)('SIGKILL %s', (point) => {
  let workdir: string;
  let raw: string;
  let lake: string;
  let config: string;
  let reader: DuckDBReader;
  const folder = () =>
    join(lake, 'vpc_flow', `account=${ACCOUNT}`, 'region=us-east-1', 'year=2026', 'month=04', 'day=10');
  const countRows = async () =>
    (
      await reader.rows(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT srcport)::INTEGER AS d FROM read_parquet('${folder()}/*.parquet')`,
      )
    )[0];

  beforeAll(async () => {
    reader = await DuckDBReader.open();
    workdir = await makeTempDir(`crash-${point}`);
    raw = join(workdir, 'raw');
    lake = join(workdir, 'lake');
    // The default five-minute lease: the re-run sees that its holder (a process of this host) died
    // and takes the partition over at once.
    config = await writeConfig(workdir, { leaseSeconds: 300 });
    await writeRawObject(
      raw,
      flowKey(ACCOUNT, 'us-east-1', DAY, 'first'),
      [V2_HEADER, ...lines(0, 300)].join('\n') + '\n',
    );
    const first = await runCli(
      backfillArgs({ from: DAY, to: DAY }, { raw, lake, workdir }, '--config', config),
    );
    expect(first.code, first.stderr).toBe(0);
  });

  afterEach(async () => {
    await stopBookmarkServer(workdir);
  });

  afterAll(async () => {
    reader.close();
    await removeTempDir(workdir);
  });

  it('keeps a complete version visible and converges on re-run', async () => {
    // Prepare: late data makes the partition convert again, and the runner is stopped at the point.
    await writeRawObject(
      raw,
      flowKey(ACCOUNT, 'us-east-1', DAY, 'late'),
      [V2_HEADER, ...lines(1000, 200)].join('\n') + '\n',
    );
    const marker = join(workdir, `${point}.marker`);
    const { child, done } = startCli(
      backfillArgs({ from: DAY, to: DAY }, { raw, lake, workdir }, '--config', config),
      {
        ATHENA_LOGS_FAULT_POINT: point,
        ATHENA_LOGS_FAULT_MARKER: marker,
      },
    );
    await waitForFile(marker);

    // Act
    child.kill('SIGKILL');
    await done;

    // Assess: exactly one complete file, the old version before the commit, the new one after it.
    expect(await readdir(folder())).toEqual(['part-00000.snappy.parquet']);
    expect(await countRows()).toEqual(point === 'after-commit' ? { n: 500, d: 500 } : { n: 300, d: 300 });
    const rerun = await runCli(
      backfillArgs({ from: DAY, to: DAY }, { raw, lake, workdir }, '--config', config, '--json'),
    );
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(parseSummary(rerun).partitions[0]).toMatchObject({
      action: 'converted',
      rowsIn: 500,
      rowsOut: 500,
      rowsRejected: 0,
    });
    expect(await readdir(folder())).toEqual(['part-00000.snappy.parquet']);
    expect(await countRows()).toEqual({ n: 500, d: 500 });
    // The killed run's staging and scratch folders went with the re-run (their runner is gone).
    expect(await readdir(join(lake, '_staging')).catch(() => [])).toEqual([]);
    expect((await readdir(join(workdir, 'tmp'))).filter((entry) => entry !== 'duckdb')).toEqual([]);
  });
});

// Ctrl-C hands the lease back: the partition is PENDING ("interrupted"), the attempt is not
// counted (a retry budget of 1 still converts it), and the next run converts it at once.
describe('SIGINT during a conversion', () => {
  let workdir: string;
  let raw: string;
  let lake: string;

  beforeAll(async () => {
    workdir = await makeTempDir('interrupt');
    raw = join(workdir, 'raw');
    lake = join(workdir, 'lake');
    await writeRawObject(
      raw,
      flowKey(ACCOUNT, 'us-east-1', DAY, 'only'),
      [V2_HEADER, ...lines(0, 50)].join('\n') + '\n',
    );
  });

  afterAll(async () => {
    await stopBookmarkServer(workdir);
    await removeTempDir(workdir);
  });

  it('marks the partition interrupted, exits 130, and the next run converts it without waiting', async () => {
    const marker = join(workdir, 'interrupt.marker');
    const config = await writeConfig(workdir, { retryBudget: 1 });
    const { child, done } = startCli(
      backfillArgs({ from: DAY, to: DAY }, { raw, lake, workdir }, '--config', config),
      {
        ATHENA_LOGS_FAULT_POINT: 'after-staging',
        ATHENA_LOGS_FAULT_MARKER: marker,
      },
    );
    await waitForFile(marker);

    child.kill('SIGINT');
    const interrupted = await done;
    const status = parseSummary(await runCli(['status', '--lake', lake, '--workdir', workdir, '--json']));
    const rerun = parseSummary(
      await runCli([
        'run',
        '--date',
        DAY,
        '--raw',
        raw,
        '--lake',
        lake,
        '--workdir',
        workdir,
        '--config',
        config,
        '--json',
      ]),
    );

    expect(interrupted.code).toBe(130);
    expect(status.partitions[0]).toMatchObject({
      state: 'PENDING',
      attempts: 0,
      error: 'interrupted by SIGINT',
    });
    expect(rerun.partitions[0]).toMatchObject({ action: 'converted', rowsOut: 50 });
  });
});
