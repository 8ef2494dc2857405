import { access } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DOCUMENT_BYTES } from '../../shared/engines/duckdb/stage-json-records.js';
import { MAX_LINE_BYTES } from '../../shared/engines/duckdb/stage-raw-text.js';
import { addDays } from '../../shared/plan/dates.js';
import type { SourceName } from '../../shared/sources/types.js';
import {
  backfillArgs,
  parseSummary,
  startCli,
  writeConfig,
  type CliResult,
  type JsonSummary,
} from '../fixtures/cli-runner.js';
import { LakeRun, byLine, type Partition } from '../fixtures/lake-run.js';
import { ACCOUNT, FLAT_LAYOUTS, KITS, type SourceKit } from './hostile-kits.js';

/*
 * Hostile input, per source, through the CLI: every case below is one partition (one day) holding
 * a valid object of GOOD records and one hostile object; one backfill per source converts them all
 * at once. Each partition either fails with an error naming the hostile object (and nothing of it
 * reaches the lake) or converts with the hostile lines quarantined, the counts reconciling exactly
 * against the lake file and rejects.jsonl. A control partition of valid data converts in the same
 * run; the run ends (no hang) within a bound, and its peak RSS stays under a bound.
 */

const GOOD = 5;
const TEN_MB = 10 * 1024 * 1024;
/** Records of a one-line CloudTrail file of about 10 MB. */
const BIG_RECORDS = 10_000;
/** ATHENA_LOGS_SOAK=1 (npm run test:soak) adds the long variants: a 1 GiB line in every text source. */
const SOAK = Boolean(process.env.ATHENA_LOGS_SOAK);
const GIB = 1024 * 1024 * 1024;
const FIRST_DAY = '2026-01-01';
const RUN_LIMIT_MS = 150_000;
const RSS_LIMIT_BYTES = 700 * 1024 * 1024;

/** What the hostile object of a case yields: its partition fails, or its lines in, rows out and rejects. */
type Outcome =
  | { failed: RegExp }
  | {
      rowsIn: number;
      rowsOut: number;
      rejects: readonly (readonly [line: number, reason: RegExp])[];
      /** Rows of the partition matching a condition, and how many. */
      where?: readonly [condition: string, rows: number];
    };

interface HostileCase {
  name: string;
  /** The sources the case applies to (all when absent). */
  only?: readonly SourceName[];
  /** The hostile object as stored (already compressed, or not). */
  body(kit: SourceKit): Buffer;
  outcome(kit: SourceKit): Outcome;
}

const isJson = (kit: SourceKit) => kit.source === 'cloudtrail';
const delivered = (kit: SourceKit, text: string | Buffer): Buffer => {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return kit.gzip ? gzipSync(bytes) : bytes;
};
/**
 * A gzip bomb: `prefix`, then `bytes` of one repeated letter, then `suffix`, as a multi-member gzip
 * a few hundred KB long (one compressed 64 MiB member repeated), never held whole in memory here.
 */
function gzipBomb(prefix: string, bytes: number, suffix: string): Buffer {
  const member = 64 * 1024 * 1024;
  const filler = gzipSync(Buffer.alloc(member, 'z'), { level: 9 });
  const members = Array.from({ length: Math.ceil(bytes / member) }, () => filler);
  return Buffer.concat([gzipSync(prefix), ...members, gzipSync(suffix)]);
}

const goodRecords = (kit: SourceKit, count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => kit.good(from + index));

/** Text of an object whose third record is `bad` (bytes spliced in as they are). */
function withThirdRecord(kit: SourceKit, bad: Buffer): Buffer {
  const marker = 'HOSTILE-RECORD-MARKER';
  const text = kit.object([kit.good(0), kit.good(1), marker, kit.good(3)]);
  const at = text.indexOf(marker);
  return Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at + marker.length))]);
}

/** A valid record with `insert` spliced into its middle (a text field, for the regex formats). */
function spliced(kit: SourceKit, insert: Buffer): Buffer {
  const record = Buffer.from(kit.good(2));
  const at = isJson(kit) ? record.indexOf('"eventName"') + '"eventName":"'.length : record.length - 3;
  return Buffer.concat([record.subarray(0, at), insert, record.subarray(at)]);
}

const thirdLineRejected = (kit: SourceKit, reason: RegExp): Outcome => ({
  rowsIn: 4,
  rowsOut: 3,
  rejects: [[kit.headerLines + 3, reason]],
});

const CASES: readonly HostileCase[] = [
  {
    name: 'corrupt gzip (deflate data overwritten)',
    body: (kit) => {
      const gzip = gzipSync(kit.object(goodRecords(kit, 40)));
      return Buffer.from(gzip).fill(0xff, 10, Math.min(gzip.length - 8, 60));
    },
    outcome: () => ({ failed: /cannot be read/ }),
  },
  {
    name: 'truncated gzip',
    body: (kit) => {
      const gzip = gzipSync(kit.object(goodRecords(kit, 40)));
      return gzip.subarray(0, Math.floor(gzip.length / 2));
    },
    outcome: () => ({ failed: /cannot be read/ }),
  },
  {
    name: 'zero-byte object',
    body: () => Buffer.alloc(0),
    outcome: () => ({ rowsIn: 0, rowsOut: 0, rejects: [] }),
  },
  {
    name: 'invalid UTF-8 in a record',
    body: (kit) => delivered(kit, withThirdRecord(kit, spliced(kit, Buffer.from([0xff, 0xfe, 0xc3])))),
    // CloudTrail: decoding would turn the bytes into U+FFFD silently, so the document is
    // quarantined whole (one reject at line 1), as the line formats quarantine the line.
    outcome: (kit) =>
      isJson(kit)
        ? { rowsIn: 1, rowsOut: 0, rejects: [[1, /^document is not valid UTF-8$/]] }
        : thirdLineRejected(kit, /^line is not valid UTF-8$/),
  },
  {
    name: 'NUL byte in a record',
    body: (kit) => delivered(kit, withThirdRecord(kit, spliced(kit, Buffer.from([0x00])))),
    // CloudTrail: a raw control byte inside a JSON string makes the document invalid JSON, and a
    // document that is not JSON is one reject (README, Layouts).
    outcome: (kit) =>
      isJson(kit)
        ? {
            rowsIn: 1,
            rowsOut: 0,
            rejects: [[1, /^not a JSON document: Bad control character in string literal/]],
          }
        : thirdLineRejected(kit, /^line contains a NUL byte$/),
  },
  {
    name: 'a 10 MB line',
    body: (kit) => delivered(kit, withThirdRecord(kit, spliced(kit, Buffer.alloc(TEN_MB, 'z')))),
    outcome: (kit) =>
      thirdLineRejected(
        kit,
        isJson(kit)
          ? new RegExp(
              `record of ${TEN_MB + kit.good(2).length} characters is longer than the ${MAX_LINE_BYTES}`,
            )
          : new RegExp(
              `line of ${TEN_MB + kit.good(2).length} bytes is longer than the ${MAX_LINE_BYTES}-byte limit`,
            ),
      ),
  },
  {
    name: 'a 10 MB object without any newline',
    body: (kit) => delivered(kit, Buffer.alloc(TEN_MB, 'q')),
    outcome: (kit) => {
      switch (kit.source) {
        case 'vpc_flow': // A flow-log object's first line is its header.
          return { failed: /first line is longer than 1048576 bytes, so it holds no header/ };
        case 'cloudfront': // A CloudFront object's fields are named by its #Fields directive.
          return { failed: /holds records but no "#Fields:" line naming their fields/ };
        case 'cloudtrail':
          return { rowsIn: 1, rowsOut: 0, rejects: [[1, /^not a JSON document: Unexpected token 'q'/]] };
        default:
          return {
            rowsIn: 1,
            rowsOut: 0,
            rejects: [[1, /^line of 10485760 bytes is longer than the 1048576-byte limit$/]],
          };
      }
    },
  },
  {
    name: 'wrong field counts and lines that do not match',
    body: (kit) => {
      if (isJson(kit))
        return delivered(kit, kit.object([kit.good(0), '42', '{"eventVersion":"1.09"}', kit.good(3)]));
      const half = kit.good(1).slice(0, Math.floor(kit.good(1).length / 2));
      const delimiter = kit.source === 'cloudfront' ? '\t' : ' ';
      const extra = [kit.good(3), 'extra1', 'extra2'].join(delimiter);
      return delivered(kit, kit.object([kit.good(0), 'not a log line', half, extra, kit.good(4)]));
    },
    outcome: (kit) => {
      const first = kit.headerLines + 2;
      switch (kit.source) {
        case 'vpc_flow':
          return {
            rowsIn: 5,
            rowsOut: 2,
            rejects: [
              [first, /Could not convert string "not" to 'INTEGER'/],
              [first + 1, /^missing columns: Expected Number of Columns: 14 Found: 5$/],
              [first + 2, /^too many columns: 16 fields where the header names 14$/],
            ],
          };
        case 'cloudtrail':
          return {
            rowsIn: 4,
            rowsOut: 2,
            rejects: [
              [2, /^record is not a JSON object$/],
              [3, /^record has no "eventTime"$/],
            ],
          };
        case 'cloudfront':
          // A record missing trailing fields keeps its known fields, appended ones are skipped (README).
          return {
            rowsIn: 5,
            rowsOut: 4,
            rejects: [[first, /^field date: "not a log line" is not a date$/]],
          };
        default: {
          // Appended fields are ignored, a line cut short does not match.
          const reason = new RegExp(`^line does not match the ${kit.source} format$`);
          return {
            rowsIn: 5,
            rowsOut: 3,
            rejects: [
              [first, reason],
              [first + 1, reason],
            ],
          };
        }
      }
    },
  },
  {
    name: 'a flow-log header naming an unknown field',
    only: ['vpc_flow'],
    body: (kit) =>
      delivered(kit, `version account-id interface-id bogus-field srcaddr\n2 ${ACCOUNT} eni-1 x 10.0.0.1\n`),
    outcome: () => ({ failed: /"bogus-field"/ }),
  },
  {
    name: 'a flow-log object with Parquet magic bytes and garbage after them',
    only: ['vpc_flow'],
    body: () => Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(4096, 0x41), Buffer.from('PAR1')]),
    // DuckDB's own message, naming the object's file.
    outcome: () => ({
      failed: /^Raw object AWSLogs\/\S+ cannot be read as Parquet: .*Footer length error in file 'AWSLogs\//,
    }),
  },
  {
    name: 'a CloudTrail file that is not JSON',
    only: ['cloudtrail'],
    body: (kit) => delivered(kit, `{"Records":[${kit.good(0)},`),
    outcome: () => ({ rowsIn: 1, rowsOut: 0, rejects: [[1, /not a JSON document/]] }),
  },
  {
    name: 'an escaped NUL (\\u0000) in a CloudTrail value',
    only: ['cloudtrail'],
    body: (kit) => delivered(kit, withThirdRecord(kit, spliced(kit, Buffer.from('\\u0000')))),
    outcome: () => ({ rowsIn: 4, rowsOut: 4, rejects: [] }),
  },
  {
    name: 'a 10 MB CloudTrail file on one line (many records)',
    only: ['cloudtrail'],
    body: (kit) => delivered(kit, kit.object(goodRecords(kit, BIG_RECORDS))),
    outcome: () => ({ rowsIn: BIG_RECORDS, rowsOut: BIG_RECORDS, rejects: [] }),
  },
  {
    name: 'a CloudTrail file over the document limit (gzip bomb: 320 MiB of JSON in a few hundred KB)',
    only: ['cloudtrail'],
    body: () => gzipBomb('{"Records":[{"eventName":"', 320 * 1024 * 1024, '"}]}'),
    outcome: () => ({
      rowsIn: 1,
      rowsOut: 0,
      rejects: [[1, new RegExp(`^document is larger than ${MAX_JSON_DOCUMENT_BYTES} bytes`)]],
    }),
  },
  ...(SOAK
    ? [
        {
          name: 'a 1 GiB line (gzip bomb, long variant)',
          only: ['vpc_flow', 's3_access', 'alb', 'elb', 'cloudfront'],
          body: (kit: SourceKit) => {
            const [before, after] = kit
              .object([kit.good(0), kit.good(1), 'HOSTILE', kit.good(3)])
              .split('HOSTILE');
            return gzipBomb(`${before}${kit.good(2)}`, GIB, after ?? '');
          },
          outcome: (kit: SourceKit) =>
            thirdLineRejected(
              kit,
              new RegExp(
                `^line of ${GIB + kit.good(2).length} bytes is longer than the ${MAX_LINE_BYTES}-byte limit$`,
              ),
            ),
        } satisfies HostileCase,
      ]
    : []),
  {
    name: 'a CloudTrail file without Records',
    only: ['cloudtrail'],
    body: (kit) => delivered(kit, `{"records":[${kit.good(0)}]}`),
    outcome: () => ({ rowsIn: 1, rowsOut: 0, rejects: [[1, /without a "Records" array/]] }),
  },
];

/** Runs the CLI; kills it and fails when it has not ended within RUN_LIMIT_MS (a hang). */
async function runWithin(args: string[], env: Record<string, string>): Promise<CliResult> {
  const { child, done } = startCli(args, env);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not end within ${RUN_LIMIT_MS} ms`));
    }, RUN_LIMIT_MS);
  });
  try {
    return await Promise.race([done, limit]);
  } finally {
    clearTimeout(timer);
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe.each(KITS.map((kit) => [kit.source, kit] as const))('hostile input: %s', (_name, kit) => {
  const cases = CASES.filter((entry) => !entry.only || entry.only.includes(kit.source));
  const dateOf = (index: number) => addDays(FIRST_DAY, index);
  const controlDate = dateOf(cases.length);
  const partitionOf = (date: string): Partition => ({ account: ACCOUNT, region: kit.region, date });
  let run: LakeRun;
  let result: CliResult;
  let summary: JsonSummary;

  beforeAll(async () => {
    run = await LakeRun.create(`hostile-${kit.source}`);
    for (const [index, entry] of cases.entries()) {
      await run.write(
        { key: kit.key(dateOf(index), 'good'), text: kit.object(goodRecords(kit, GOOD)), gzip: kit.gzip },
        { key: kit.key(dateOf(index), 'hostile'), text: entry.body(kit), gzip: false },
      );
    }
    await run.write({
      key: kit.key(controlDate, 'good'),
      text: kit.object(goodRecords(kit, GOOD)),
      gzip: kit.gzip,
    });
    const config = await writeConfig(run.workdir, { flatLayouts: FLAT_LAYOUTS });
    result = await runWithin(
      backfillArgs(
        { from: FIRST_DAY, to: controlDate },
        run,
        '--source',
        kit.source,
        '--config',
        config,
        '--json',
      ),
      { ATHENA_LOGS_REPORT_RSS: '1' },
    );
    summary = parseSummary(result);
  }, RUN_LIMIT_MS + 30_000);

  afterAll(async () => {
    await run?.close();
  });

  const entryOf = (date: string) => {
    const entries = summary.partitions.filter((entry) => entry.date === date);
    expect(entries, date).toHaveLength(1);
    return entries[0]!;
  };

  it('ends with exit 1 when a partition failed, within bounded memory, the control partition converted', async () => {
    const rss = Number(/peak-rss-bytes=(\d+)/.exec(result.stderr)?.[1]);
    const anyFailed = cases.some((entry) => 'failed' in entry.outcome(kit));

    expect(result.code, result.stderr).toBe(anyFailed ? 1 : 0);
    expect(summary.partitions).toHaveLength(cases.length + 1);
    expect(rss).toBeGreaterThan(0);
    expect(rss).toBeLessThan(RSS_LIMIT_BYTES);
    expect(entryOf(controlDate)).toMatchObject({
      state: 'SUCCEEDED',
      rowsIn: GOOD,
      rowsOut: GOOD,
      rowsRejected: 0,
    });
    // The bookmarks say the same: FAILED with the error, or SUCCEEDED with the counts.
    const status = parseSummary(
      await run.cli('status', '--source', kit.source, '--from', FIRST_DAY, '--to', controlDate, '--json'),
    );
    expect(
      status.partitions.map(({ date, state, rowsIn, rowsOut, rowsRejected }) => [
        date,
        state,
        rowsIn,
        rowsOut,
        rowsRejected,
      ]),
    ).toEqual(
      summary.partitions
        .map(({ date, state, rowsIn, rowsOut, rowsRejected }) => [date, state, rowsIn, rowsOut, rowsRejected])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it.each(cases.map((entry, index) => [entry.name, entry, index] as const))(
    '%s',
    async (_label, entry, index) => {
      const date = dateOf(index);
      const partition = partitionOf(date);
      const hostileKey = kit.key(date, 'hostile');
      const outcome = entry.outcome(kit);
      const found = entryOf(date);
      if ('failed' in outcome) {
        // A clear error naming the object; nothing of the partition reaches the lake.
        expect(found).toMatchObject({ state: 'FAILED', action: 'failed', rowsOut: null });
        expect(found.error).toContain(hostileKey);
        expect(found.error).toMatch(outcome.failed);
        expect(await exists(run.partitionDir(kit.source, partition))).toBe(false);
        expect(await exists(run.partitionDir(kit.source, partition, true))).toBe(false);
        return;
      }
      const rowsIn = GOOD + outcome.rowsIn;
      const rowsOut = GOOD + outcome.rowsOut;
      expect(found, found.error ?? '').toMatchObject({
        state: 'SUCCEEDED',
        rowsIn,
        rowsOut,
        rowsRejected: outcome.rejects.length,
      });
      expect(rowsIn).toBe(rowsOut + outcome.rejects.length);
      const [{ rows }] = (await run.reader.rows(
        `SELECT count(*)::INTEGER AS rows FROM ${run.scan(kit.source, partition)}`,
      )) as [{ rows: number }];
      expect(rows).toBe(rowsOut);
      if (outcome.where) {
        const [condition, count] = outcome.where;
        const [{ matching }] = (await run.reader.rows(
          `SELECT count(*)::INTEGER AS matching FROM ${run.scan(kit.source, partition)} WHERE ${condition}`,
        )) as [{ matching: number }];
        expect(matching, condition).toBe(count);
      }
      // rejects.jsonl holds exactly the rejects (a partition without any may have no file).
      const rejectsDir = run.partitionDir(kit.source, partition, true);
      const rejects = (await exists(rejectsDir))
        ? (await run.rejects(kit.source, partition)).sort(byLine)
        : [];
      expect(rejects.map((reject) => [reject.key, reject.line])).toEqual(
        outcome.rejects.map(([line]) => [hostileKey, line]),
      );
      for (const [position, [, reason]] of outcome.rejects.entries()) {
        expect(rejects[position]?.reason).toMatch(reason);
        // The text is kept, cut at 64 KiB (the raw object stays the source of truth).
        expect(rejects[position]?.text.length).toBeLessThanOrEqual(65_536);
      }
    },
  );
});
