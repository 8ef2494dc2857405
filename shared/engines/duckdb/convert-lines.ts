import type { DuckDBConnection } from '@duckdb/node-api';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mapWithConcurrency } from '../../concurrency.js';
import { FormatError } from '../../errors.js';
import type { HeaderDelimitedFormat, LogSource } from '../../sources/types.js';
import { copyParsedRowsSql } from '../../sql/duckdb-convert.js';
import { parsedRejectsSql, parseLinesSql, type LineScan } from '../../sql/duckdb-parse-lines.js';
import { quoteIdentifier } from '../../sql/identifiers.js';
import { faultPoint } from '../../pipeline/fault-points.js';
import type { ConvertRequest, RejectRecord } from '../types.js';
import { lineNumbersOf } from './read-lines.js';
import { stageJsonRecords } from './stage-json-records.js';
import { MAX_REJECT_TEXT, SINGLE_COLUMN_SCREEN, stageRawText, type StagedText } from './stage-raw-text.js';

/** One raw object, staged as one record per line. */
export interface StagedLines extends StagedText {
  key: string;
  textPath: string;
  /** Field list of a header-delimited object (from its header directive). */
  header?: string[];
}

let nextTableId = 0;

/** The `#Fields:` directive of a comment-header object: its field names, or undefined when absent. */
function directiveHeader(
  format: HeaderDelimitedFormat,
  staged: StagedText,
  key: string,
): string[] | undefined {
  if (format.header.kind !== 'comment-directive') return undefined;
  const { directive } = format.header;
  const lines = staged.comments.filter((comment) => comment.startsWith(directive));
  const headers = [...new Set(lines.map((line) => line.slice(directive.length).trim()))];
  if (headers.length > 1) {
    throw new FormatError(`Raw object ${key} has ${headers.length} different "${directive}" lines.`, { key });
  }
  const names = headers[0]?.split(/[ \t]+/).filter((name) => name !== '');
  if (names === undefined && staged.lines - staged.blankLines - staged.commentLines > 0) {
    throw new FormatError(`Raw object ${key} holds records but no "${directive}" line naming their fields.`, {
      key,
      line: 1,
    });
  }
  return names;
}

/** Decompresses (and for JSON documents, splits into records) one object into a line-per-record file. */
export async function stageLines(
  source: LogSource,
  request: ConvertRequest,
  object: { key: string },
  index: number,
): Promise<StagedLines> {
  const textPath = join(request.scratchDir, `${index}.txt`);
  const path = request.pathOf(object.key);
  const format = source.format;
  if (format.kind === 'json-records') {
    const staged = await stageJsonRecords(path, object.key, textPath, format.recordsKey);
    return { ...staged, key: object.key, textPath };
  }
  const commentStart =
    format.kind === 'header-delimited' && format.header.kind === 'comment-directive'
      ? format.header.commentPrefix.charCodeAt(0)
      : undefined;
  const staged = await stageRawText(path, object.key, textPath, undefined, undefined, {
    ...SINGLE_COLUMN_SCREEN,
    commentStart,
  });
  const header = format.kind === 'header-delimited' ? directiveHeader(format, staged, object.key) : undefined;
  return { ...staged, key: object.key, textPath, header };
}

/** Lines that hold records: all but blank and comment lines. */
export function recordLinesOf(object: StagedText): number {
  return object.lines - object.blankLines - object.commentLines;
}

/** Objects concatenated into one staged file, and the line each starts at in it. */
interface ConcatenatedScan extends LineScan {
  parts: { object: StagedLines; firstLine: number }[];
}

/**
 * One file per distinct header (delimited), else one file of every non-empty object: DuckDB reads
 * a few large files with far less memory than hundreds of small ones (a day of 5-minute
 * deliveries), and each object's first line in the file maps rejects back to their objects.
 */
async function concatenatedScans(
  staged: readonly StagedLines[],
  scratchDir: string,
): Promise<ConcatenatedScan[]> {
  const groups = new Map<string, StagedLines[]>();
  for (const object of staged) {
    if (recordLinesOf(object) - object.earlyRejects.length === 0) continue;
    const signature = object.header?.join('\t') ?? '';
    groups.set(signature, [...(groups.get(signature) ?? []), object]);
  }
  const scans: ConcatenatedScan[] = [];
  for (const objects of groups.values()) {
    nextTableId += 1;
    const file = join(scratchDir, `all-${nextTableId}.txt`);
    const output = createWriteStream(file, { highWaterMark: 1 << 20 });
    const parts: ConcatenatedScan['parts'] = [];
    let nextLine = 1;
    for (const object of objects) {
      parts.push({ object, firstLine: nextLine });
      nextLine += object.lines;
      for await (const chunk of createReadStream(object.textPath, {
        highWaterMark: 1 << 20,
      }) as AsyncIterable<Buffer>)
        if (!output.write(chunk)) await once(output, 'drain');
      await rm(object.textPath, { force: true });
    }
    output.end();
    await once(output, 'finish');
    scans.push({ files: [file], header: objects[0]?.header, parts });
  }
  return scans;
}

/**
 * Parses the staged lines in DuckDB into a temporary table (every line a row or a reject), writes
 * the rows as Parquet and returns the rejects with their object keys and line numbers.
 */
export async function convertStagedLines(
  connection: DuckDBConnection,
  source: LogSource,
  staged: readonly StagedLines[],
  scratchDir: string,
  outputFile: string,
  parquet: Parameters<typeof copyParsedRowsSql>[3],
): Promise<{ rejects: RejectRecord[]; linesParsed: number }> {
  nextTableId += 1;
  const table = `parsed_${process.pid}_${nextTableId}`;
  const scans = await concatenatedScans(staged, scratchDir);
  try {
    await connection.run(parseLinesSql(source, scans, table));
    await faultPoint('during-write');
    await connection.run(copyParsedRowsSql(source, table, outputFile, parquet));
    const counted = await connection.runAndReadAll(`SELECT count(*)::BIGINT FROM ${quoteIdentifier(table)}`);
    const linesParsed = Number(counted.getRows()[0]?.[0] ?? 0);
    const reader = await connection.runAndReadAll(parsedRejectsSql(table));
    const rows = reader.getRowObjectsJS().map((row) => ({
      path: String(row.file),
      text: String(row.line),
      reason: String(row.reject_reason),
    }));
    return { rejects: await numberRejects(rows, scans), linesParsed };
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${quoteIdentifier(table)}`);
  }
}

/**
 * Finds each rejected line's number in its concatenated file (equal texts get their numbers in
 * order), then the object it came from and its line there.
 */
async function numberRejects(
  rows: { path: string; text: string; reason: string }[],
  scans: readonly ConcatenatedScan[],
): Promise<RejectRecord[]> {
  const rejects: RejectRecord[] = [];
  for (const scan of scans) {
    const [path] = scan.files;
    const inFile = rows.filter((row) => row.path === path);
    if (path === undefined || inFile.length === 0) continue;
    const numbers = await lineNumbersOf(path, new Set(inFile.map((row) => row.text)));
    const taken = new Map<string, number>();
    for (const row of inFile) {
      const index = taken.get(row.text) ?? 0;
      taken.set(row.text, index + 1);
      const line = numbers.get(row.text)?.[index] ?? 0;
      const part = scan.parts.findLast((candidate) => candidate.firstLine <= line);
      rejects.push({
        key: part?.object.key ?? path,
        line: part ? line - part.firstLine + 1 : line,
        reason: row.reason,
        text: row.text.slice(0, MAX_REJECT_TEXT),
      });
    }
  }
  return rejects;
}

/** Stages every object of a request, a few at once. */
export function stageAllLines(
  source: LogSource,
  request: ConvertRequest,
  concurrency: number,
): Promise<StagedLines[]> {
  return mapWithConcurrency(request.objects, concurrency, async (object, index) => {
    const staged = await stageLines(source, request, object, index);
    await faultPoint('during-staging');
    return staged;
  });
}
