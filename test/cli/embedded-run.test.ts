import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yesterdayUtc, addDays } from '../../shared/plan/dates.js';
import { CLI, runCli, parseSummary, stopBookmarkServer } from '../fixtures/cli-runner.js';
import { spawnSync } from 'node:child_process';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

// The newcomer's path: `npm start` = `run --lookback 2` on the embedded default (demo data).
/** 2 accounts × 2 regions × 3 days for five sources, and CloudFront's one account × `global` × 3 days. */
const DEMO_PARTITIONS = 5 * 12 + 3;

describe('run on the embedded default', () => {
  let workdir: string;
  let reader: DuckDBReader;

  beforeAll(async () => {
    workdir = await makeTempDir('embedded');
    reader = await DuckDBReader.open();
  });

  afterAll(async () => {
    reader.close();
    await stopBookmarkServer(workdir);
    await removeTempDir(workdir);
  });

  it('generates demo data of all six sources, converts every partition and answers top talkers', async () => {
    // Act
    const first = await runCli(['run', '--lookback', '2', '--workdir', workdir]);

    // Assess
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(
      /Generated \d+ demo log objects \(vpc_flow, s3_access, cloudtrail, alb, elb, cloudfront\)/,
    );
    expect(first.stdout).toMatch(
      new RegExp(`Converted ${DEMO_PARTITIONS}, failed 0, skipped 0, up to date 0`),
    );
    for (const source of ['vpc_flow', 's3_access', 'cloudtrail', 'alb', 'elb', 'cloudfront'])
      expect(await readdir(join(workdir, 'lake', source))).not.toEqual([]);
    expect(first.stdout).toMatch(/Top talkers, vpc_flow/);
    const talkerLines = first.stdout.split('Top talkers')[1]?.trim().split('\n') ?? [];
    expect(talkerLines.length).toBe(1 + 2 + 50); // title, header + rule, 50 pairs
    const days = [addDays(yesterdayUtc(), -2), addDays(yesterdayUtc(), -1), yesterdayUtc()];
    for (const day of days) {
      const [year, month, dd] = day.split('-');
      const folder = join(
        workdir,
        'lake',
        'vpc_flow',
        'account=012345678901',
        'region=eu-west-1',
        `year=${year}`,
        `month=${month}`,
        `day=${dd}`,
      );
      expect(await readdir(folder)).toEqual(['part-00000.snappy.parquet']);
    }
  });

  it('converts nothing the second time and says so', async () => {
    const second = await runCli(['run', '--lookback', '2', '--workdir', workdir]);

    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(`Nothing to convert: all ${DEMO_PARTITIONS} partition\\(s\\) are up to date`),
    );
  });

  it('reports every partition in --json and status agrees with the lake', async () => {
    const summary = parseSummary(await runCli(['run', '--lookback', '2', '--workdir', workdir, '--json']));
    const status = parseSummary(await runCli(['status', '--workdir', workdir, '--json']));

    expect(summary.partitions).toHaveLength(DEMO_PARTITIONS);
    expect(
      summary.partitions.every((entry) => entry.action === 'up-to-date' && entry.state === 'SUCCEEDED'),
    ).toBe(true);
    expect(status.partitions.map((entry) => entry.state)).toEqual(Array(DEMO_PARTITIONS).fill('SUCCEEDED'));
    const [lakeRows] = await reader.rows(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${join(workdir, 'lake', 'vpc_flow')}/*/*/*/*/*/*.parquet')`,
    );
    const recorded = status.partitions
      .filter((entry) => entry.source === 'vpc_flow')
      .reduce((sum, entry) => sum + (entry.rowsOut ?? 0), 0);
    expect(lakeRows?.n).toBe(recorded);
    for (const entry of status.partitions)
      expect(entry.rowsIn).toBe((entry.rowsOut ?? 0) + (entry.rowsRejected ?? 0));
  });

  it('writes all of a large --json answer into a slow pipe before exiting', () => {
    const days = [addDays(yesterdayUtc(), -2), yesterdayUtc()];
    const query = `query flows-for-account --account 012345678901 --from ${days[0]} --to ${days[1]} --workdir '${workdir}' --json`;
    // The reader starts a second late, after the CLI has finished writing: a pipe holds only 64 KiB.
    const reader = `let s='';process.stdin.on('data',(d)=>s+=d).on('end',()=>console.log(s.length, JSON.parse(s).rows.length))`;

    const piped = spawnSync('sh', ['-c', `node '${CLI}' ${query} | (sleep 1; node -e "${reader}")`], {
      encoding: 'utf8',
    });

    const [length, rows] = piped.stdout.trim().split(' ').map(Number);
    expect(piped.stderr).toBe('');
    expect(length).toBeGreaterThan(200_000);
    expect(rows).toBe(1000);
  });

  it('stops quietly when the reader of its output closes the pipe early (| head)', () => {
    const days = [addDays(yesterdayUtc(), -2), yesterdayUtc()];
    const query = `query flows-for-account --account 012345678901 --from ${days[0]} --to ${days[1]} --workdir '${workdir}'`;

    const piped = spawnSync('sh', ['-c', `node '${CLI}' ${query} | head -1`], {
      encoding: 'utf8',
    });

    expect(piped.stdout.split('\n')[0]).toMatch(/start_local/);
    expect(piped.stderr).toBe('');
  });

  it('keeps leading zeros of account ids and writes Snappy', async () => {
    const files = await readdir(join(workdir, 'lake', 'vpc_flow', 'account=012345678901'), {
      recursive: true,
    });
    const file = join(
      workdir,
      'lake',
      'vpc_flow',
      'account=012345678901',
      files.find((name) => name.endsWith('.parquet'))!,
    );

    const accounts = await reader.rows(`SELECT DISTINCT account_id FROM read_parquet('${file}')`);
    expect(accounts).toEqual([{ account_id: '012345678901' }]);
    expect(await reader.parquetCodecs(file)).toEqual(['SNAPPY']);
    expect((await stat(file)).size).toBeGreaterThan(0);
  });
});
