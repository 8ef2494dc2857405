/**
 * Conversion benchmark: in one run, times a sequential `gzip -dc` of the corpus (the floor),
 * the whole CLI conversion of the same corpus (process start to exit, fresh workdir), and the
 * top-talkers query on the gzip text vs on the lake; prints MB/s, ratios, peak RSS and the
 * bytes the query reads from Parquet column chunks against the gzip bytes.
 *
 *   npm run build && node dist/bench/convert.js [--source vpc_flow|s3_access] [--size-mb 250 --files 12 --accounts 2 --regions 2 --days 3]
 *
 * For sources other than vpc_flow the corpus is the source's demo generator scaled to the size,
 * gzip-compressed, and only the conversion is timed (the query figures are vpc_flow's).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { stopLocalBookmarkServer } from '../shared/bookmarks/local-server.js';
import { quoteLiteral, quoteLiteralList } from '../shared/sql/identifiers.js';
import { benchArgs } from './args.js';
import { corpusDays, ensureCorpus, ensureDemoCorpus } from './corpus.js';
import { SOURCES, type SourceName } from '../shared/sources/index.js';
import { printFigures } from './print-figures.js';

const args = benchArgs({
  'size-mb': 250,
  files: 12,
  accounts: 2,
  regions: 2,
  days: 3,
  interfaces: 300,
  'first-day': '2026-11-01',
  corpus: '',
  runs: 3,
  source: 'vpc_flow',
});
if (!(args.source in SOURCES)) {
  console.error(`--source must be one of ${Object.keys(SOURCES).join(', ')}, not "${args.source}".`);
  process.exit(2);
}
const sourceName = args.source as SourceName;
const repoRoot = resolve(import.meta.dirname, '..', '..');
const cli = join(repoRoot, 'dist', 'bin', 'athena-logs.js');
const shape = {
  sizeMb: args['size-mb'],
  files: args.files,
  accounts: args.accounts,
  regions: args.regions,
  days: args.days,
  firstDay: args['first-day'],
  interfaces: args.interfaces,
};
const corpus = resolve(
  args.corpus ||
    join(
      repoRoot,
      'bench',
      '.corpus',
      sourceName === 'vpc_flow'
        ? `vpc-${shape.sizeMb}mb-${shape.files}f-${shape.accounts}a${shape.regions}r${shape.days}d`
        : `${sourceName}-${shape.sizeMb}mb-${shape.accounts}a${shape.regions}r${shape.days}d`,
    ),
);

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function gzipFloor(files: string[]): { seconds: number; bytes: number } {
  const start = process.hrtime.bigint();
  const result = spawnSync('sh', ['-c', 'gzip -dc "$@" | wc -c', 'gzip-floor', ...files], {
    encoding: 'utf8',
  });
  const elapsed = seconds(start);
  if (result.status !== 0) throw new Error(`gzip -dc failed: ${result.stderr}`);
  return { seconds: elapsed, bytes: Number(result.stdout.trim()) };
}

async function convertOnce(days: string[]) {
  const workdir = await mkdtemp(join(tmpdir(), 'athena-logs-bench-'));
  const lake = join(workdir, 'lake');
  const start = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    [
      cli,
      'backfill',
      '--raw',
      corpus,
      '--lake',
      lake,
      '--workdir',
      workdir,
      '--from',
      days[0]!,
      '--to',
      days.at(-1)!,
      '--source',
      sourceName,
      '--json',
    ],
    { encoding: 'utf8', env: { ...process.env, ATHENA_LOGS_REPORT_RSS: '1' }, maxBuffer: 64 << 20 },
  );
  const elapsed = seconds(start);
  await stopLocalBookmarkServer(join(workdir, 'bookmarks'));
  if (result.status !== 0) throw new Error(`conversion exited ${result.status}: ${result.stderr}`);
  const summary = JSON.parse(result.stdout) as {
    partitions: { rowsIn: number; rowsOut: number; rowsRejected: number; state: string }[];
  };
  const rss = Number(/peak-rss-bytes=(\d+)/.exec(result.stderr)?.[1] ?? NaN);
  return { workdir, lake, seconds: elapsed, rss, summary };
}

async function bestOf<T>(runs: number, work: () => Promise<T>, time: (value: T) => number): Promise<T> {
  let best: T | undefined;
  for (let run = 0; run < runs; run += 1) {
    const value = await work();
    if (best === undefined || time(value) < time(best)) best = value;
  }
  return best as T;
}

const TOP_TALKERS = (table: string) =>
  `SELECT srcaddr, dstaddr, SUM(bytes) AS total_bytes FROM ${table} GROUP BY srcaddr, dstaddr ORDER BY total_bytes DESC, srcaddr, dstaddr LIMIT 50`;

async function queryBench(files: string[], lake: string) {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const columns =
    "{'version':'INTEGER','account_id':'VARCHAR','interface_id':'VARCHAR','srcaddr':'VARCHAR','dstaddr':'VARCHAR','srcport':'INTEGER'," +
    "'dstport':'INTEGER','protocol':'BIGINT','packets':'BIGINT','bytes':'BIGINT','start':'BIGINT','end':'BIGINT','action':'VARCHAR','log_status':'VARCHAR'}";
  const text = `read_csv(${quoteLiteralList(files)}, delim=' ', header=true, columns=${columns}, nullstr='-', auto_detect=false, quote='', escape='')`;
  const parquetGlob = quoteLiteral(join(lake, 'vpc_flow', '*', '*', '*', '*', '*', '*.parquet'));
  const parquet = `read_parquet(${parquetGlob})`;
  const timeQuery = async (table: string) =>
    bestOf(
      3,
      async () => {
        const start = process.hrtime.bigint();
        const reader = await connection.runAndReadAll(TOP_TALKERS(table));
        return {
          seconds: seconds(start),
          rows: JSON.stringify(reader.getRowsJS(), (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
        };
      },
      (value) => value.seconds,
    );
  const onText = await timeQuery(text);
  const onParquet = await timeQuery(parquet);
  const chunks = await connection.runAndReadAll(
    `SELECT sum(total_compressed_size)::BIGINT FROM parquet_metadata(${parquetGlob}) WHERE path_in_schema IN ('srcaddr', 'dstaddr', 'bytes')`,
  );
  connection.closeSync();
  db.closeSync();
  return {
    onText,
    onParquet,
    columnChunkBytes: Number(chunks.getRows()[0]?.[0] ?? 0),
    sameAnswer: onText.rows === onParquet.rows,
  };
}

const files =
  sourceName === 'vpc_flow'
    ? await ensureCorpus(corpus, shape)
    : await ensureDemoCorpus(corpus, sourceName, shape);
const gzipBytes = (await Promise.all(files.map((file) => stat(file)))).reduce(
  (sum, info) => sum + info.size,
  0,
);
const days = corpusDays(shape);
const floor = await bestOf(
  2,
  async () => gzipFloor(files),
  (value) => value.seconds,
);
const conversions = [];
for (let run = 0; run < args.runs; run += 1) conversions.push(await convertOnce(days));
const conversion = conversions.reduce((best, run) => (run.seconds < best.seconds ? run : best));
const rowsIn = conversion.summary.partitions.reduce((sum, entry) => sum + entry.rowsIn, 0);
const rowsOut = conversion.summary.partitions.reduce((sum, entry) => sum + entry.rowsOut, 0);
const query = sourceName === 'vpc_flow' ? await queryBench(files, conversion.lake) : undefined;
for (const run of conversions)
  await rm(run.workdir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });

const mb = floor.bytes / 1e6;
const figures = {
  source: sourceName,
  corpus: `${files.length} gzip files, ${mb.toFixed(0)} MB text, ${(gzipBytes / 1e6).toFixed(1)} MB gzip, ${rowsIn} lines`,
  gzipFloorSeconds: Number(floor.seconds.toFixed(3)),
  conversionSeconds: Number(conversion.seconds.toFixed(3)),
  conversionRuns: conversions.map((run) => Number(run.seconds.toFixed(3))),
  conversionMBps: Number((mb / conversion.seconds).toFixed(1)),
  ratioToGzipFloor: Number((conversion.seconds / floor.seconds).toFixed(2)),
  // The highest of all runs: the budget holds for every run, not only the fastest.
  peakRssMiB: Number((Math.max(...conversions.map((run) => run.rss)) / 2 ** 20).toFixed(0)),
  rowsIn,
  rowsOut,
  rowsRejected: conversion.summary.partitions.reduce((sum, entry) => sum + entry.rowsRejected, 0),
  ...(query
    ? {
        topTalkersOnGzipSeconds: Number(query.onText.seconds.toFixed(3)),
        topTalkersOnParquetSeconds: Number(query.onParquet.seconds.toFixed(3)),
        querySpeedup: Number((query.onText.seconds / query.onParquet.seconds).toFixed(1)),
        columnChunkBytes: query.columnChunkBytes,
        columnChunkShareOfGzip: `${((query.columnChunkBytes / gzipBytes) * 100).toFixed(1)}%`,
        sameAnswer: query.sameAnswer,
      }
    : {}),
};
printFigures(figures);
if (query && !query.sameAnswer) process.exitCode = 1;
