import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSummary, runCli, stopBookmarkServer } from '../fixtures/cli-runner.js';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import { flowKey, flowLine, V2_HEADER, writeRawObject } from '../fixtures/raw-objects.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const ACCOUNT = '000000000042';
const lines = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => flowLine(ACCOUNT, from + index));

describe('backfill with --raw and --lake', () => {
  let workdir: string;
  let raw: string;
  let lake: string;
  let reader: DuckDBReader;
  const cli = (...args: string[]) => runCli([...args, '--raw', raw, '--lake', lake, '--workdir', workdir]);
  const partitionFile = (region: string, day: string) =>
    join(
      lake,
      'vpc_flow',
      `account=${ACCOUNT}`,
      `region=${region}`,
      'year=2026',
      'month=03',
      `day=${day}`,
      'part-00000.snappy.parquet',
    );
  const rowsOf = async (file: string) =>
    reader.rows(`SELECT * FROM read_parquet('${file}') ORDER BY srcport`);

  beforeAll(async () => {
    workdir = await makeTempDir('backfill');
    raw = join(workdir, 'raw');
    lake = join(workdir, 'lake');
    reader = await DuckDBReader.open();
    await writeRawObject(
      raw,
      flowKey(ACCOUNT, 'us-east-1', '2026-03-01', 'a'),
      [V2_HEADER, ...lines(0, 40)].join('\n') + '\n',
    );
    await writeRawObject(
      raw,
      flowKey(ACCOUNT, 'us-east-1', '2026-03-02', 'a'),
      [V2_HEADER, ...lines(100, 30)].join('\n') + '\n',
    );
    await writeRawObject(
      raw,
      flowKey(ACCOUNT, 'eu-west-1', '2026-03-02', 'a'),
      [V2_HEADER, ...lines(200, 20)].join('\n') + '\n',
    );
  });

  afterAll(async () => {
    reader.close();
    await stopBookmarkServer(workdir);
    await removeTempDir(workdir);
  });

  it('converts each partition of the range once, with counts that reconcile', async () => {
    const result = await cli('backfill', '--from', '2026-03-01', '--to', '2026-03-02', '--json');

    expect(result.code, result.stderr).toBe(0);
    const summary = parseSummary(result);
    expect(
      summary.partitions.map((entry) => [
        entry.region,
        entry.date,
        entry.action,
        entry.rowsIn,
        entry.rowsOut,
        entry.rowsRejected,
      ]),
    ).toEqual([
      ['us-east-1', '2026-03-01', 'converted', 40, 40, 0],
      ['eu-west-1', '2026-03-02', 'converted', 20, 20, 0],
      ['us-east-1', '2026-03-02', 'converted', 30, 30, 0],
    ]);
    expect(await rowsOf(partitionFile('us-east-1', '01'))).toHaveLength(40);
  });

  it('is idempotent: a re-run converts nothing and the lake keeps the same rows', async () => {
    const before = await rowsOf(partitionFile('us-east-1', '02'));

    const rerun = parseSummary(await cli('backfill', '--from', '2026-03-01', '--to', '2026-03-02', '--json'));

    expect(rerun.partitions.map((entry) => entry.action)).toEqual(['up-to-date', 'up-to-date', 'up-to-date']);
    expect(await rowsOf(partitionFile('us-east-1', '02'))).toEqual(before);
  });

  it('re-converts a day whose raw data changed (late logs) and adds exactly those rows', async () => {
    await writeRawObject(
      raw,
      flowKey(ACCOUNT, 'us-east-1', '2026-03-02', 'late'),
      [V2_HEADER, ...lines(300, 7)].join('\n') + '\n',
    );

    const result = parseSummary(await cli('run', '--date', '2026-03-02', '--lookback', '1', '--json'));

    const changed = result.partitions.find(
      (entry) => entry.region === 'us-east-1' && entry.date === '2026-03-02',
    );
    expect(changed).toMatchObject({ action: 'converted', rowsIn: 37, rowsOut: 37, rowsRejected: 0 });
    expect(result.partitions.filter((entry) => entry.action === 'up-to-date')).toHaveLength(2);
    const rows = await rowsOf(partitionFile('us-east-1', '02'));
    expect(rows).toHaveLength(37);
    expect(new Set(rows.map((row) => row.srcport)).size).toBe(37);
  });

  it('quarantines malformed lines with key, line and reason, and still converts the partition', async () => {
    const key = flowKey(ACCOUNT, 'us-east-1', '2026-03-03', 'bad');
    const body = [
      V2_HEADER,
      flowLine(ACCOUNT, 1),
      '2 000000000042 eni-1 10.0.0.1',
      flowLine(ACCOUNT, 2).replace(' 6 ', ' six '),
      flowLine(ACCOUNT, 3),
    ];
    await writeRawObject(raw, key, body.join('\n') + '\n');

    const result = await cli('backfill', '--from', '2026-03-03', '--to', '2026-03-03', '--json');

    expect(result.code, result.stderr).toBe(0);
    expect(parseSummary(result).partitions[0]).toMatchObject({
      action: 'converted',
      rowsIn: 4,
      rowsOut: 2,
      rowsRejected: 2,
    });
    const rejectsFile = join(
      lake,
      '_rejects',
      'vpc_flow',
      `account=${ACCOUNT}`,
      'region=us-east-1',
      'year=2026',
      'month=03',
      'day=03',
      'rejects.jsonl',
    );
    const rejects = (await readFile(rejectsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rejects.map((reject) => [reject.key, reject.line])).toEqual([
      [key, 3],
      [key, 4],
    ]);
    expect(String(rejects[0]?.reason)).toMatch(/missing columns/i);
    expect(String(rejects[1]?.reason)).toMatch(/protocol/);
  });

  it('fails only the partition with an unreadable object, names the object, and exits 1', async () => {
    const key = flowKey(ACCOUNT, 'us-east-1', '2026-03-04', 'corrupt');
    const path = await writeRawObject(raw, key, [V2_HEADER, ...lines(0, 500)].join('\n') + '\n');
    const gzip = await readFile(path);
    await writeFile(path, gzip.subarray(0, Math.floor(gzip.length / 2)));
    await writeRawObject(
      raw,
      flowKey(ACCOUNT, 'eu-west-1', '2026-03-04', 'fine'),
      [V2_HEADER, ...lines(0, 5)].join('\n') + '\n',
    );

    const result = await cli('backfill', '--from', '2026-03-04', '--to', '2026-03-04', '--json');

    expect(result.code).toBe(1);
    const [fine, failed] = parseSummary(result).partitions;
    expect(fine).toMatchObject({ region: 'eu-west-1', action: 'converted', rowsOut: 5 });
    expect(failed).toMatchObject({ region: 'us-east-1', action: 'failed', state: 'FAILED' });
    expect(failed?.error).toContain(key);
    const folder = join(lake, 'vpc_flow', `account=${ACCOUNT}`, 'region=us-east-1', 'year=2026', 'month=03');
    expect(await readdir(folder)).not.toContain('day=04');
  });

  it("works in a lake whose path holds glob characters and quotes ('[prod] it's')", async () => {
    const oddLake = join(workdir, "lake [prod] it's {a,b}");

    const converted = await runCli([
      'backfill',
      '--from',
      '2026-03-01',
      '--to',
      '2026-03-01',
      '--raw',
      raw,
      '--lake',
      oddLake,
      '--workdir',
      workdir,
    ]);
    const answer = await runCli([
      'query',
      'top-talkers',
      '--date',
      '2026-03-01',
      '--lake',
      oddLake,
      '--workdir',
      workdir,
      '--json',
    ]);

    expect(converted.code, converted.stderr).toBe(0);
    expect(answer.code, answer.stderr).toBe(0);
    expect(JSON.parse(answer.stdout).rows.length).toBeGreaterThan(0);
  });

  it('exits 2 when the raw folder does not exist, and a read-only command never writes demo data', async () => {
    const missing = await runCli([
      'run',
      '--raw',
      join(workdir, 'no-such-folder'),
      '--lake',
      lake,
      '--workdir',
      workdir,
    ]);
    const fresh = join(workdir, 'fresh');
    const status = await runCli(['status', '--workdir', fresh]);

    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/The raw folder .*no-such-folder does not exist/);
    expect(status.code).toBe(0);
    expect(status.stderr).not.toMatch(/demo/);
    await expect(readdir(join(fresh, 'raw'))).rejects.toThrow(/ENOENT/);
    await stopBookmarkServer(fresh);
  });

  it.each([
    [['backfill', '--from', '2026-02-30', '--to', '2026-03-01'], /--from must be a real date/],
    [['backfill', '--from', '2026-03-02', '--to', '2026-03-01'], /is after --to/],
    [['run', '--engine', 'duckdb', '--lake', 's3://bucket/lake'], /s3:\/\//],
    [['run', '--source', 'nope'], /Unknown source "nope"/],
    [['run', '--lookback', 'two'], /--lookback must be a whole number/],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const result = await runCli([...args, '--workdir', workdir, '--raw', raw]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
