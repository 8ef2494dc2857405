import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../shared/plan/dates.js';
import { DEMO_WRITERS } from '../../shared/demo/seed-demo.js';
import { pick, seededRandom } from '../../shared/demo/random.js';
import type { SourceName } from '../../shared/sources/types.js';
import {
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

/*
 * The soak: night after night of demo data of all six sources through `athena-logs run --lookback 1`,
 * with random faults — the runner SIGKILLed at a fault point (then run again), an object whose
 * lines are partly corrupted, a late object for the day before. After every night the lake holds
 * exactly the raw records minus the rejects, per source, one Parquet file per partition.
 * `npm test` runs 3 nights; `npm run test:soak` (ATHENA_LOGS_SOAK=1) runs 30.
 * ATHENA_LOGS_SOAK_SEED replays a given seed.
 */

const LONG = process.env.ATHENA_LOGS_SOAK === '1';
const NIGHTS = LONG ? 30 : 3;
const SEED = Number(process.env.ATHENA_LOGS_SOAK_SEED ?? 20_241_105);
const FIRST_NIGHT = '2026-03-01';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const SOURCES: readonly SourceName[] = ['vpc_flow', 's3_access', 'cloudtrail', 'alb', 'elb', 'cloudfront'];
const FAULT_POINTS = ['after-planning', 'after-staging', 'before-commit', 'after-commit'] as const;
/** Sources whose records are lines a corrupted line can stand in for (never a header or comment). */
const LINE_SOURCES: readonly SourceName[] = ['vpc_flow', 's3_access', 'alb', 'elb'];

/** The records of a raw object, counted from its text the way the format defines them. */
function recordsOf(source: SourceName, text: string): number {
  if (source === 'cloudtrail') return (JSON.parse(text) as { Records: unknown[] }).Records.length;
  const lines = text.split('\n').filter((line) => line !== '' && line !== '\r');
  if (source === 'vpc_flow') return lines.length - 1;
  if (source === 'cloudfront') return lines.filter((line) => !line.startsWith('#')).length;
  return lines.length;
}

const isGzip = (body: Buffer) => body[0] === 0x1f && body[1] === 0x8b;

interface Totals {
  raw: Record<string, number>;
  corrupted: Record<string, number>;
}

describe(`soak: ${NIGHTS} nights of six sources with random faults`, () => {
  let workdir: string;
  let raw: string;
  let lake: string;
  let config: string;
  let reader: DuckDBReader;

  beforeAll(async () => {
    workdir = await makeTempDir('soak');
    raw = join(workdir, 'raw');
    lake = join(workdir, 'lake');
    reader = await DuckDBReader.open();
    config = await writeConfig(workdir, {
      sources: SOURCES,
      flatLayouts: { cloudfront: { account: ACCOUNT } },
      concurrency: 2,
    });
  });

  afterAll(async () => {
    reader?.close();
    await stopBookmarkServer(workdir);
    await removeTempDir(workdir);
  });

  const runArgs = (date: string) => [
    'run',
    '--date',
    date,
    '--lookback',
    '1',
    '--json',
    '--raw',
    raw,
    '--lake',
    lake,
    '--workdir',
    workdir,
    '--config',
    config,
  ];

  /** Writes a night of demo data; returns the paths and counted records of its objects. */
  async function writeNight(date: string, night: number, totals: Totals) {
    const objects: { source: SourceName; path: string }[] = [];
    for (const source of SOURCES) {
      const region = source === 'cloudfront' ? 'global' : REGION;
      const written = await DEMO_WRITERS[source](raw, {
        account: ACCOUNT,
        region,
        date,
        scale: 0.04,
        seed: night + 1,
      });
      for (const object of written) {
        const path = join(raw, object.key);
        const body = await readFile(path);
        totals.raw[source] =
          (totals.raw[source] ?? 0) + recordsOf(source, (isGzip(body) ? gunzipSync(body) : body).toString());
        objects.push({ source, path });
      }
    }
    return objects;
  }

  /** Replaces `count` record lines of an object with text no format reads; returns how many. */
  async function corrupt(path: string, source: SourceName, count: number): Promise<number> {
    const body = await readFile(path);
    const lines = (isGzip(body) ? gunzipSync(body) : body).toString().split('\n');
    const first = source === 'vpc_flow' ? 1 : 0;
    let done = 0;
    for (let at = first; at < lines.length && done < count; at += 3) {
      if (lines[at] === '') continue;
      lines[at] = `corrupted record ${at}`;
      done += 1;
    }
    const text = Buffer.from(lines.join('\n'));
    await writeFile(path, isGzip(body) ? gzipSync(text) : text);
    return done;
  }

  async function lakeCounts(source: SourceName): Promise<{ rows: number; rejects: number; files: string[] }> {
    const files = (await readdir(join(lake, source), { recursive: true }).catch(() => [] as string[]))
      .filter((file) => file.endsWith('.parquet'))
      .sort();
    const [row] = files.length
      ? await reader.rows(
          `SELECT count(*)::INTEGER AS n FROM read_parquet('${join(lake, source)}/**/*.parquet')`,
        )
      : [{ n: 0 }];
    const rejectsDir = join(lake, '_rejects', source);
    const rejectFiles = (await readdir(rejectsDir, { recursive: true }).catch(() => [] as string[])).filter(
      (file) => file.endsWith('rejects.jsonl'),
    );
    let rejects = 0;
    for (const file of rejectFiles)
      rejects += (await readFile(join(rejectsDir, file), 'utf8')).split('\n').filter(Boolean).length;
    return { rows: Number(row?.n), rejects, files };
  }

  it(
    'keeps lake = raw − rejects exactly, night after night',
    async () => {
      const random = seededRandom(SEED);
      const totals: Totals = { raw: {}, corrupted: {} };
      const report = { kills: 0, reruns: 0, corruptObjects: 0, lateObjects: 0, lateRecords: 0, converted: 0 };
      for (let night = 0; night < NIGHTS; night += 1) {
        const date = addDays(FIRST_NIGHT, night);
        const objects = await writeNight(date, night, totals);
        // Faults: the first night always kills, the second always corrupts and delivers late; then random.
        const kill = night === 0 || (night > 1 && random() < 0.4);
        const corruptNow = night === 1 || (night > 1 && random() < 0.3);
        const late = night === 1 || (night > 1 && random() < 0.3);
        if (corruptNow) {
          const candidates = objects.filter((object) => LINE_SOURCES.includes(object.source));
          const target = pick(random, candidates);
          const done = await corrupt(target.path, target.source, 1 + Math.floor(random() * 5));
          totals.corrupted[target.source] = (totals.corrupted[target.source] ?? 0) + done;
          report.corruptObjects += 1;
        }
        if (late) {
          const records = 20 + Math.floor(random() * 80);
          const lines = Array.from({ length: records }, (_, index) =>
            flowLine(ACCOUNT, night * 1000 + index),
          );
          await writeRawObject(
            raw,
            flowKey(ACCOUNT, REGION, addDays(date, -1), `late-${night}`),
            `${[V2_HEADER, ...lines].join('\n')}\n`,
          );
          totals.raw.vpc_flow = (totals.raw.vpc_flow ?? 0) + records;
          report.lateObjects += 1;
          report.lateRecords += records;
        }
        if (kill) {
          const point = pick(random, FAULT_POINTS);
          const marker = join(workdir, `night-${night}.marker`);
          const { child, done } = startCli(runArgs(date), {
            ATHENA_LOGS_FAULT_POINT: point,
            ATHENA_LOGS_FAULT_MARKER: marker,
          });
          await waitForFile(marker, 60_000);
          child.kill('SIGKILL');
          await done;
          report.kills += 1;
          report.reruns += 1;
        }
        const result = await runCli(runArgs(date));
        expect(result.code, result.stderr).toBe(0);
        const summary = parseSummary(result);
        expect(summary.partitions.every((partition) => partition.state === 'SUCCEEDED')).toBe(true);
        report.converted += summary.partitions.filter((partition) => partition.action === 'converted').length;

        // The lake after the night: every source's rows are its raw records minus its rejects,
        // the rejects exactly the lines corrupted, one Parquet file per partition and day.
        for (const source of SOURCES) {
          const counts = await lakeCounts(source);
          expect({ source, rejects: counts.rejects }).toEqual({
            source,
            rejects: totals.corrupted[source] ?? 0,
          });
          expect({ source, rows: counts.rows }).toEqual({
            source,
            rows: (totals.raw[source] ?? 0) - counts.rejects,
          });
          expect(counts.files).toHaveLength(night + 1);
          expect(counts.files.every((file) => file.endsWith('part-00000.snappy.parquet'))).toBe(true);
        }
      }

      const status = await runCli(['status', '--json', '--workdir', workdir, '--config', config]);
      expect(status.code, status.stderr).toBe(0);
      const partitions = (JSON.parse(status.stdout) as { partitions: { state: string; attempts: number }[] })
        .partitions;
      expect(partitions).toHaveLength(SOURCES.length * NIGHTS);
      expect(partitions.every((partition) => partition.state === 'SUCCEEDED')).toBe(true);
      const rows = Object.fromEntries(
        await Promise.all(SOURCES.map(async (source) => [source, (await lakeCounts(source)).rows] as const)),
      );
      const rejects = Object.values(totals.corrupted).reduce((sum, n) => sum + n, 0);
      const rawRecords = Object.values(totals.raw).reduce((sum, n) => sum + n, 0);
      const lakeRows = Object.values(rows).reduce((sum, n) => sum + n, 0);
      expect(lakeRows).toBe(rawRecords - rejects);
      console.log(
        `soak (seed ${SEED}): ${NIGHTS} nights, ${partitions.length} partitions, ${report.converted} conversions, ` +
          `raw ${rawRecords} records, lake ${lakeRows} rows, ${rejects} rejects; faults: ${report.kills} SIGKILLs ` +
          `(${report.reruns} re-runs), ${report.corruptObjects} corrupted objects, ${report.lateObjects} late objects ` +
          `(${report.lateRecords} records); attempts recorded ${partitions.reduce((sum, p) => sum + p.attempts, 0)}; ` +
          `rows per source ${JSON.stringify(rows)}`,
      );
    },
    (NIGHTS * 40 + 60) * 1000,
  );
});
