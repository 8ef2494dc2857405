import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backfillArgs,
  parseSummary,
  runCli,
  startCli,
  stopBookmarkServer,
  waitForFile,
} from '../fixtures/cli-runner.js';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import { flowKey, flowLine, V2_HEADER, writeRawObject } from '../fixtures/raw-objects.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const ACCOUNTS = ['222222222222', '033333333333'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];

// Two CLI processes on the same days and workdir share one dynalite server: each partition is
// converted by exactly one of them, the other reports it as held (skipped) or up to date.
describe('two runners at once', () => {
  let workdir: string;
  let raw: string;
  let lake: string;
  let reader: DuckDBReader;

  beforeAll(async () => {
    reader = await DuckDBReader.open();
    workdir = await makeTempDir('lease');
    raw = join(workdir, 'raw');
    lake = join(workdir, 'lake');
    for (const account of ACCOUNTS) {
      for (const region of REGIONS) {
        const body = Array.from({ length: 2000 }, (_, index) => flowLine(account, index));
        await writeRawObject(
          raw,
          flowKey(account, region, '2026-05-01', 'x'),
          [V2_HEADER, ...body].join('\n') + '\n',
        );
      }
    }
  });

  afterAll(async () => {
    reader.close();
    await stopBookmarkServer(workdir);
    await removeTempDir(workdir);
  });

  it('converts every partition exactly once and duplicates no row', async () => {
    const args = backfillArgs({ from: '2026-05-01', to: '2026-05-01' }, { raw, lake, workdir }, '--json');

    const [first, second] = await Promise.all([startCli(args).done, startCli(args).done]);

    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const entries = [...parseSummary(first).partitions, ...parseSummary(second).partitions];
    const converted = entries.filter((entry) => entry.action === 'converted');
    expect(converted).toHaveLength(ACCOUNTS.length * REGIONS.length);
    expect(new Set(converted.map((entry) => `${entry.account}/${entry.region}`)).size).toBe(
      ACCOUNTS.length * REGIONS.length,
    );
    expect(
      entries
        .filter((entry) => entry.action !== 'converted')
        .every((entry) => ['skipped', 'up-to-date'].includes(entry.action)),
    ).toBe(true);
    const [total] = await reader.rows(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${lake}/vpc_flow/*/*/*/*/*/*.parquet')`,
    );
    expect(total?.n).toBe(ACCOUNTS.length * REGIONS.length * 2000);
    const status = parseSummary(await runCli(['status', '--lake', lake, '--workdir', workdir, '--json']));
    expect(status.partitions.every((entry) => entry.state === 'SUCCEEDED')).toBe(true);
  });

  it('never repeats a conversion another runner finished after this one planned it', async () => {
    // Prepare: late data for every partition, and runner B stops right after planning.
    for (const account of ACCOUNTS) {
      for (const region of REGIONS) {
        const body = Array.from({ length: 10 }, (_, index) => flowLine(account, 5000 + index));
        await writeRawObject(
          raw,
          flowKey(account, region, '2026-05-01', 'late'),
          [V2_HEADER, ...body].join('\n') + '\n',
        );
      }
    }
    const args = backfillArgs({ from: '2026-05-01', to: '2026-05-01' }, { raw, lake, workdir }, '--json');
    const marker = join(workdir, 'planned.marker');
    const release = join(workdir, 'planned.release');
    const planner = startCli(args, {
      ATHENA_LOGS_FAULT_POINT: 'after-planning',
      ATHENA_LOGS_FAULT_MARKER: marker,
      ATHENA_LOGS_FAULT_RELEASE: release,
    });
    await waitForFile(marker);

    // Act: runner A converts everything while B waits, then B goes on with its stale plan.
    const first = parseSummary(await runCli(args));
    await writeFile(release, 'go');
    const second = await planner.done;

    // Assess
    expect(first.partitions.map((entry) => entry.action)).toEqual(Array(6).fill('converted'));
    expect(second.code, second.stderr).toBe(0);
    expect(parseSummary(second).partitions.map((entry) => entry.action)).toEqual(Array(6).fill('up-to-date'));
    const [total] = await reader.rows(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${lake}/vpc_flow/*/*/*/*/*/*.parquet')`,
    );
    expect(total?.n).toBe(ACCOUNTS.length * REGIONS.length * 2010);
  });
});
