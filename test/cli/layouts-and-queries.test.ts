import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillArgs, parseSummary, runCli, stopBookmarkServer } from '../fixtures/cli-runner.js';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import { writeRawObject } from '../fixtures/raw-objects.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const ACCOUNT = '044444444444';
const DAY = '2026-06-15';
// A v5 custom format in its own order, with the v4 region field (which the partition serves).
const CUSTOM_HEADER =
  'version interface-id account-id region srcaddr dstaddr dstport srcport protocol bytes packets start end action log-status flow-direction traffic-path';
const customLine = (src: string, dst: string, bytes: number, start: number) =>
  `5 eni-0abc ${ACCOUNT} ap-northeast-1 ${src} ${dst} 443 50000 6 ${bytes} 3 ${start} ${start + 60} ACCEPT OK egress 1`;

describe('layouts, custom formats and named queries through the CLI', () => {
  let workdir: string;
  let raw: string;
  let lake: string;
  let reader: DuckDBReader;
  const cli = (...args: string[]) => runCli([...args, '--raw', raw, '--lake', lake, '--workdir', workdir]);

  beforeAll(async () => {
    workdir = await makeTempDir('layouts');
    raw = join(workdir, 'raw');
    lake = join(workdir, 'lake');
    reader = await DuckDBReader.open();
    // Hive-compatible prefix with an organization level and an hour folder, below a bucket prefix.
    const hiveKey = `flow/AWSLogs/o-abcdefghij/aws-account-id=${ACCOUNT}/aws-service=vpcflowlogs/aws-region=ap-northeast-1/year=2026/month=06/day=15/hour=03/${ACCOUNT}_vpcflowlogs_ap-northeast-1_fl-1_20260615T0300Z_a.log.gz`;
    const lines = [
      CUSTOM_HEADER,
      customLine('10.0.0.1', '10.0.0.2', 5000, 1781492400), // 2026-06-15T03:00:00Z = 12:00 JST
      customLine('10.0.0.1', '10.0.0.2', 7000, 1781492460),
      customLine('10.0.0.3', '10.0.0.4', 1000, 1781492520),
      customLine('10.0.0.5', '10.0.0.6', 900, 1781492580).replace('ap-northeast-1', 'us-west-2'),
      `5 eni-0abc ${ACCOUNT} ap-northeast-1 - - - - - - - 1781492400 1781492460 - NODATA - -`,
    ];
    await writeRawObject(raw, hiveKey, lines.join('\n') + '\n');
  });

  afterAll(async () => {
    reader.close();
    await stopBookmarkServer(workdir);
    await removeTempDir(workdir);
  });

  it('converts a Hive-layout custom-format object, rejecting the record from another region', async () => {
    const result = await cli('backfill', '--from', DAY, '--to', DAY);

    expect(result.code, result.stderr).toBe(0);
    // Not a terminal: one plain line per partition, no progress-bar control characters.
    expect(result.stderr).toContain(
      `converted vpc_flow ${ACCOUNT} ap-northeast-1 ${DAY}: 4 rows, 1 rejected`,
    );
    expect(result.stderr).not.toContain('\r');
    const file = join(
      lake,
      'vpc_flow',
      `account=${ACCOUNT}`,
      'region=ap-northeast-1',
      'year=2026',
      'month=06',
      'day=15',
      'part-00000.snappy.parquet',
    );
    const rows = await reader.rows(
      `SELECT srcaddr, bytes, packets, flow_direction, traffic_path, log_status FROM read_parquet('${file}') ORDER BY start, bytes NULLS FIRST`,
    );
    expect(rows).toEqual([
      {
        srcaddr: null,
        bytes: null,
        packets: null,
        flow_direction: null,
        traffic_path: null,
        log_status: 'NODATA',
      },
      {
        srcaddr: '10.0.0.1',
        bytes: 5000n,
        packets: 3n,
        flow_direction: 'egress',
        traffic_path: 1,
        log_status: 'OK',
      },
      {
        srcaddr: '10.0.0.1',
        bytes: 7000n,
        packets: 3n,
        flow_direction: 'egress',
        traffic_path: 1,
        log_status: 'OK',
      },
      {
        srcaddr: '10.0.0.3',
        bytes: 1000n,
        packets: 3n,
        flow_direction: 'egress',
        traffic_path: 1,
        log_status: 'OK',
      },
    ]);
    // The file itself holds no region column (read_parquet would add one from the Hive path).
    const stored = await reader.rows(`SELECT name FROM parquet_schema('${file}')`);
    expect(stored.map((row) => row.name)).not.toContain('region');
    expect(stored.map((row) => row.name)).toContain('flow_direction');
  });

  it('answers top-talkers from the lake', async () => {
    const result = await cli('query', 'top-talkers', '--date', DAY, '--json');

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).rows).toEqual([
      { srcaddr: '10.0.0.1', dstaddr: '10.0.0.2', total_bytes: 12000 },
      { srcaddr: '10.0.0.3', dstaddr: '10.0.0.4', total_bytes: 1000 },
      // The NODATA record's pair: the users' query text is kept as it is, NULLs sort last.
      { srcaddr: null, dstaddr: null, total_bytes: null },
    ]);
  });

  it('shows flows of an account in Japan time by default, and in the zone asked for', async () => {
    const flows = (...extra: string[]) =>
      cli('query', 'flows-for-account', '--date', DAY, '--account', ACCOUNT, ...extra);

    const jst = JSON.parse((await flows('--json')).stdout);
    const utc = JSON.parse((await flows('--param', 'zone=UTC', '--json')).stdout);
    const bad = await flows('--param', "zone=UTC'; DROP TABLE x; --");

    expect(jst.rows[0]).toMatchObject({
      start_local: '2026-06-15 12:00:00',
      srcaddr: '10.0.0.1',
      dstport: 443,
    });
    expect(utc.rows[0]).toMatchObject({ start_local: '2026-06-15 03:00:00' });
    expect(jst.rows).toHaveLength(3);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--param zone=.* is not valid/);
  });

  it.each([
    [['query', 'flows-for-account', '--date', DAY], /needs --account/],
    [
      ['query', 'flows-for-account', '--date', DAY, '--account', ACCOUNT, '--param', 'zone=Not/AZone'],
      /--param zone=.* is not valid/,
    ],
    [['query', 'top-talkers', '--date', DAY, '--from', DAY], /either --date or --from\/--to/],
    [['query', 'top-talkers', '--to', DAY], /--to needs --from/],
    [
      ['query', 'flows-for-account', '--account', ACCOUNT, '--param', 'zone=UTC', '--param', 'zone=UTC'],
      /given twice/,
    ],
    [['query', 'no-such-query'], /Unknown query "no-such-query"/],
  ])('refuses a query it cannot answer as asked, exit 2: %j', async (args, message) => {
    const result = await cli(...args);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('says so when a query has no rows', async () => {
    const result = await cli('query', 'top-talkers', '--date', '2026-06-20');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^No rows: the lake .* has no vpc_flow data for 2026-06-20\.\.2026-06-20/);
  });

  it('limits status and queries to the days asked for', async () => {
    const before = parseSummary(await cli('status', '--from', '2026-06-01', '--to', '2026-06-14', '--json'));
    const on = parseSummary(await cli('status', '--from', DAY, '--to', DAY, '--json'));
    const otherDays = await cli(
      'query',
      'top-talkers',
      '--from',
      '2026-06-16',
      '--to',
      '2026-06-20',
      '--json',
    );

    expect(before.partitions).toEqual([]);
    expect(on.partitions.map((entry) => entry.date)).toEqual([DAY]);
    expect(JSON.parse(otherDays.stdout).rows).toEqual([]);
  });

  it('prints the bookmarks as a table, and reports a fresh lake as empty', async () => {
    const status = await cli('status');
    const empty = await runCli(['status', '--lake', join(workdir, 'other-lake'), '--workdir', workdir]);

    expect(status.stdout).toMatch(
      new RegExp(`vpc_flow\\s+${ACCOUNT}\\s+ap-northeast-1\\s+${DAY}\\s+SUCCEEDED\\s+1\\s+4\\s+1`),
    );
    expect(empty.stdout).toMatch(/No bookmarks for lake .*other-lake yet/);
  });

  it('converts afresh into a new lake: bookmarks are keyed by the lake', async () => {
    const other = join(workdir, 'lake-2');
    const summary = parseSummary(
      await runCli(backfillArgs({ from: DAY, to: DAY }, { raw, lake: other, workdir }, '--json')),
    );

    expect(summary.partitions.map((entry) => entry.action)).toEqual(['converted']);
  });

  it('says how many raw objects match no key layout instead of ignoring them silently', async () => {
    const stray = `AWSLogs/o-abc123/${ACCOUNT}/vpcflowlogs/us-east-1/2026/06/15/too-short-org-id.log.gz`;
    await writeRawObject(raw, stray, `${CUSTOM_HEADER}\n`);

    const result = await cli('backfill', '--from', DAY, '--to', DAY);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `1 raw object(s) match no key layout of any source and are left out (e.g. ${stray})`,
    );
  });

  it('runs as `npx athena-logs` from the checkout', () => {
    const root = resolve(import.meta.dirname, '..', '..');
    const result = spawnSync('npx', ['--no-install', 'athena-logs', '--help'], {
      cwd: root,
      encoding: 'utf8',
    });

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Usage: athena-logs/);
    expect(result.stdout).toMatch(/backfill/);
  });
});
