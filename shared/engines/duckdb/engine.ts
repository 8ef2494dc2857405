import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { FormatError, ReconciliationError, UnreadableObjectError } from '../../errors.js';
import type { HeaderDelimitedFormat } from '../../sources/types.js';
import {
  convertDelimitedSql,
  parquetDeliveryRejectsSql,
  parquetDeliveryRowCountSql,
  parquetDeliverySchemaSql,
  rejectedLinesSql,
  type ParquetDelivery,
  type DelimitedInputGroup,
  type ParquetOptions,
} from '../../sql/duckdb-convert.js';
import { quoteLiteral } from '../../sql/identifiers.js';
import type { ConversionEngine, ConvertRequest, ConvertResult, RejectRecord } from '../types.js';
import { openDuckDB, withConnection, type DuckDBSettings } from './instance.js';
import { readLinesAt } from './read-lines.js';
import { isParquet } from './magic-bytes.js';
import { convertStagedLines, recordLinesOf, stageAllLines } from './convert-lines.js';
import { MAX_REJECT_TEXT, stageRawText, type LineCheck, type StagedText } from './stage-raw-text.js';
import { mapWithConcurrency, Semaphore } from '../../concurrency.js';
import { faultPoint } from '../../pipeline/fault-points.js';
import { describeSourcePartition } from '../../sources/partition.js';

export interface DuckDBEngineOptions extends DuckDBSettings, ParquetOptions {
  /** Objects of one partition decompressed at once (zlib runs on libuv's thread pool). */
  stagingConcurrency: number;
  /** DuckDB statements run at once (default: one per core); staging of other partitions goes on meanwhile. */
  statementSlots?: number;
}

interface StagedObject extends StagedText {
  key: string;
  textPath: string;
  /** Field list of the object (empty for an empty object). */
  header: string[];
  hasHeaderLine: boolean;
}

let nextScanId = 0;

/** How a header-delimited file's first line reads: its field list, and whether it is a header at all. */
function readHeader(format: HeaderDelimitedFormat, firstLine: string, key: string, sourceName: string) {
  // A first line that is already a record (vpc_flow: it starts with the version number): no header was delivered.
  if (format.defaultHeader && new RegExp(format.defaultHeader.recordStart).test(firstLine))
    return { header: [...(format.defaultHeader?.fields ?? [])], hasHeaderLine: false };
  const context = { source: sourceName, key, line: 1 };
  if (firstLine.trim() === '') {
    throw new FormatError(
      `Raw object ${key} starts with an empty line where its header line should be.`,
      context,
    );
  }
  const tokens = firstLine.split(format.delimiter);
  const known = new Set(format.fields.map((field) => field.header));
  const unknown = tokens.find((token) => !known.has(token));
  if (unknown !== undefined) {
    throw new FormatError(
      `Raw object ${key} starts with a header naming "${unknown}", which is not a ${sourceName} field ` +
        `(known fields: those of the flow-log and transit gateway flow-log record references, versions 2–11).`,
      { ...context, field: unknown },
    );
  }
  const repeated = tokens.find((token, index) => tokens.indexOf(token) !== index);
  if (repeated !== undefined) {
    throw new FormatError(`Raw object ${key} has a header naming "${repeated}" twice.`, {
      ...context,
      field: repeated,
    });
  }
  return { header: tokens, hasHeaderLine: true };
}

/** The vpc_flow region rule: a record's own region must equal the key's region partition value. */
function regionCheck(
  format: HeaderDelimitedFormat,
  region: string,
): (firstLine: string) => LineCheck | undefined {
  return (firstLine) => {
    const position = firstLine
      .split(format.delimiter)
      .findIndex((header) =>
        format.fields.some((field) => field.header === header && field.servedByPartition === 'region'),
      );
    if (position === -1) return undefined;
    return (line) => {
      const value = line.split(format.delimiter)[position];
      if (value === undefined || value === format.nullToken || value === region) return undefined;
      return `region field "${value}" differs from the region of the object's key (${region})`;
    };
  };
}

/** The embedded engine: DuckDB in this process, local folders in and out. */
export class DuckDBEngine implements ConversionEngine {
  readonly name = 'duckdb';
  private instance: Promise<DuckDBInstance> | undefined;
  private readonly slots: Semaphore;
  private threadsPerStatement: number | undefined;

  constructor(private readonly options: DuckDBEngineOptions) {
    this.slots = new Semaphore(options.statementSlots ?? options.threads ?? availableParallelism());
  }

  /** The engine's DuckDB instance, opened on first use (also serves local queries over the lake). */
  database(): Promise<DuckDBInstance> {
    this.instance ??= openDuckDB({
      ...this.options,
      threads: this.threadsPerStatement ?? this.options.threads,
    });
    return this.instance;
  }

  /**
   * Shares the cores between concurrent conversions: one DuckDB thread per conversion when
   * several run at once (measured faster than oversubscribing), all cores for a lone one.
   */
  async prepare(plan: { conversions: number; concurrency: number }): Promise<void> {
    const cores = this.options.threads ?? availableParallelism();
    const slots = this.options.statementSlots ?? cores;
    const running = Math.max(1, Math.min(plan.conversions, plan.concurrency, slots));
    const threads = Math.max(1, Math.floor(cores / running));
    this.threadsPerStatement = threads;
    // Not opened yet: the first conversion opens DuckDB with these threads, off the start-up path.
    if (!this.instance) return;
    await withConnection(await this.instance, (connection) => connection.run(`SET threads = ${threads}`));
  }

  async convert(request: ConvertRequest): Promise<ConvertResult> {
    const { format } = request.source;
    if (format.kind === 'header-delimited' && format.header.kind === 'first-line')
      return this.convertDelimited(request, format);
    return this.convertLines(request);
  }

  /** Regex lines, JSON records and comment-header delimited files: parsed in SQL, line by line. */
  private async convertLines(request: ConvertRequest): Promise<ConvertResult> {
    const database = this.database();
    const staged = await stageAllLines(request.source, request, this.options.stagingConcurrency);
    const instance = await database;
    return this.slots.run(() =>
      withConnection(instance, async (connection) => {
        const { rejects, linesParsed } = await convertStagedLines(
          connection,
          request.source,
          staged,
          request.scratchDir,
          request.stagedDataFile,
          this.options,
        );
        const early = earlyRejectsOf(staged);
        const rowsIn = staged.reduce((sum, object) => sum + recordLinesOf(object), 0);
        if (linesParsed !== rowsIn - early.length) {
          throw new ReconciliationError(
            `The engine read ${linesParsed} lines of ${describe(request)} where ${rowsIn - early.length} were staged.`,
            { source: request.source.name },
          );
        }
        return reconciled(request, {
          rowsIn,
          rowsOut: await countParquetRows(connection, request.stagedDataFile),
          ...stagedTotals(staged),
          rejects: [...early, ...rejects].sort(byKeyAndLine),
        });
      }),
    );
  }

  /** Header-delimited files read by DuckDB's CSV reader with explicit types (vpc_flow). */
  private async convertDelimited(
    request: ConvertRequest,
    format: HeaderDelimitedFormat,
  ): Promise<ConvertResult> {
    const { source } = request;
    const database = this.database();
    const deliveredAsParquet = format.parquetDelivery
      ? new Set(
          (
            await mapWithConcurrency(request.objects, this.options.stagingConcurrency, async (object) =>
              (await isParquet(request.pathOf(object.key))) ? object.key : undefined,
            )
          ).filter((key): key is string => key !== undefined),
        )
      : new Set<string>();
    const textObjects = request.objects.filter((object) => !deliveredAsParquet.has(object.key));
    const staged = await mapWithConcurrency(
      textObjects,
      this.options.stagingConcurrency,
      async (object, index) => {
        const textPath = join(request.scratchDir, `${index}.txt`);
        const text = await stageRawText(
          request.pathOf(object.key),
          object.key,
          textPath,
          regionCheck(format, request.partition.region),
          { delimiter: format.delimiter.charCodeAt(0), maxFields: format.fields.length },
          // DuckDB's CSV reader can fail fatally on invalid UTF-8 inside a field (the database is
          // then invalidated for every later conversion): such lines never reach it.
          { validUtf8: true },
        );
        const described =
          text.firstLine === undefined
            ? { header: [], hasHeaderLine: false }
            : readHeader(format, text.firstLine, object.key, source.name);
        await faultPoint('during-staging');
        return { ...text, ...described, key: object.key, textPath } satisfies StagedObject;
      },
    );
    const groups = groupByHeader(staged);
    // Staging (above) needs no slot: the next partitions decompress while DuckDB converts.
    const instance = await database;
    return this.slots.run(() =>
      withConnection(instance, async (connection) => {
        try {
          const delivered = await describeParquetDelivery(
            connection,
            await linkParquetObjects(request, [...deliveredAsParquet]),
          );
          await faultPoint('during-write');
          await connection.run(
            convertDelimitedSql(source, groups, request.stagedDataFile, this.options, delivered?.delivery),
          );
          const totals = stagedTotals(staged);
          return reconciled(request, {
            rowsIn: staged.reduce((sum, object) => sum + dataLinesOf(object), 0) + (delivered?.rows ?? 0),
            rowsOut: await countParquetRows(connection, request.stagedDataFile),
            ...totals,
            bytesIn:
              totals.bytesIn +
              request.objects
                .filter((object) => deliveredAsParquet.has(object.key))
                .reduce((sum, object) => sum + object.size, 0),
            rejects: [
              ...earlyRejectsOf(staged),
              ...(await engineRejects(connection, groups, staged, format.delimiter)),
              ...(delivered?.rejects ?? []),
            ].sort(byKeyAndLine),
          });
        } finally {
          await dropRejectTables(connection, groups);
        }
      }),
    );
  }

  async close(): Promise<void> {
    if (!this.instance) return;
    const instance = await this.instance;
    this.instance = undefined;
    instance.closeSync();
  }
}

/**
 * DuckDB reads a path with `[`, `*` or `?` as a glob (a key `f[x].parquet` would read `fx.parquet`):
 * Parquet objects are read through links of plain names in the scratch folder. Returns a request
 * whose `pathOf` gives those links.
 */
async function linkParquetObjects(
  request: ConvertRequest,
  keys: readonly string[],
): Promise<{ request: ConvertRequest; keys: readonly string[] }> {
  const links = new Map<string, string>();
  for (const [index, key] of keys.entries()) {
    const link = join(request.scratchDir, `delivered-${index}.parquet`);
    await copyFile(request.pathOf(key), link);
    links.set(key, link);
  }
  return { request: { ...request, pathOf: (key) => links.get(key) ?? request.pathOf(key) }, keys };
}

/**
 * What the Parquet-delivered objects of a partition hold: the table columns they carry, their
 * row count, and the rows whose region field differs from the partition's (rejected).
 */
async function describeParquetDelivery(
  connection: DuckDBConnection,
  { request, keys }: { request: ConvertRequest; keys: readonly string[] },
): Promise<{ delivery: ParquetDelivery; rows: number; rejects: RejectRecord[] } | undefined> {
  if (keys.length === 0) return undefined;
  const files = keys.map((key) => request.pathOf(key));
  const keyOfFile = new Map(keys.map((key, index) => [files[index], key]));
  const schema = await connection.runAndReadAll(parquetDeliverySchemaSql(files)).catch((error: unknown) => {
    // DuckDB names the local path: the message names the object instead.
    const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    const key = keys.find((_, index) => detail.includes(files[index] ?? '\u0000')) ?? keys.join(', ');
    throw new UnreadableObjectError(
      `Raw object ${key} cannot be read as Parquet: ${files.reduce((text, file, index) => text.replaceAll(file, keys[index] ?? file), detail)}.`,
      { key, cause: error },
    );
  });
  const names = new Set(schema.getRowObjectsJS().map((row) => String(row.column_name)));
  const tableColumns = new Set(request.source.columns.map((column) => column.name));
  const region = request.partition.region;
  const counted = await connection.runAndReadAll(parquetDeliveryRowCountSql(files));
  const rejects: RejectRecord[] = [];
  if (names.has('region')) {
    const mismatches = await connection.runAndReadAll(parquetDeliveryRejectsSql(files, region));
    for (const row of mismatches.getRowObjectsJS()) {
      rejects.push({
        key: keyOfFile.get(String(row.file)) ?? String(row.file),
        line: Number(row.line),
        reason: `region field "${String(row.region)}" differs from the region of the object's key (${region})`,
        text: `region=${String(row.region)}`,
      });
    }
  }
  return {
    delivery: {
      files,
      columns: new Set([...names].filter((name) => tableColumns.has(name))),
      regionRule: names.has('region') ? region : undefined,
    },
    rows: Number(counted.getRows()[0]?.[0] ?? 0),
    rejects,
  };
}

function describe(request: ConvertRequest): string {
  return describeSourcePartition(request.source.name, request.partition);
}

/** Bytes read, blank lines and empty objects of a partition's staged objects. */
function stagedTotals(
  staged: readonly StagedText[],
): Pick<ConvertResult, 'bytesIn' | 'blankLines' | 'emptyObjects'> {
  return {
    bytesIn: staged.reduce((sum, object) => sum + object.bytesIn, 0),
    blankLines: staged.reduce((sum, object) => sum + object.blankLines, 0),
    emptyObjects: staged.filter((object) => object.lines === 0).length,
  };
}

const byKeyAndLine = (a: RejectRecord, b: RejectRecord): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.line - b.line;

/** The result, once its counts reconcile: every line in is a row out or a reject. */
function reconciled(request: ConvertRequest, result: Omit<ConvertResult, 'rowsRejected'>): ConvertResult {
  const complete = { ...result, rowsRejected: result.rejects.length };
  if (complete.rowsIn !== complete.rowsOut + complete.rowsRejected) {
    throw new ReconciliationError(
      `Counts do not reconcile for ${describe(request)}: ` +
        `${complete.rowsIn} lines in, ${complete.rowsOut} rows out, ${complete.rowsRejected} rejected.`,
      { source: request.source.name },
    );
  }
  return complete;
}

/** Lines that are records: all lines but the header and blank ones. */
function dataLinesOf(object: StagedObject): number {
  return object.lines - object.blankLines - (object.hasHeaderLine ? 1 : 0);
}

function groupByHeader(staged: StagedObject[]): DelimitedInputGroup[] {
  const groups = new Map<string, DelimitedInputGroup & { files: string[] }>();
  for (const object of staged) {
    if (object.firstLine === undefined) continue;
    const { header, hasHeaderLine } = object;
    const signature = `${hasHeaderLine}:${header.join(' ')}`;
    let group = groups.get(signature);
    if (!group) {
      nextScanId += 1;
      group = {
        header,
        hasHeaderLine,
        files: [],
        rejectsTable: `rejects_${process.pid}_${nextScanId}`,
        rejectsScanTable: `rejects_scan_${process.pid}_${nextScanId}`,
      };
      groups.set(signature, group);
    }
    group.files.push(object.textPath);
  }
  return [...groups.values()];
}

function earlyRejectsOf(staged: readonly (StagedText & { key: string })[]): RejectRecord[] {
  return staged.flatMap((object) => object.earlyRejects.map((reject) => ({ key: object.key, ...reject })));
}

async function countParquetRows(connection: DuckDBConnection, file: string): Promise<number> {
  const reader = await connection.runAndReadAll(
    `SELECT coalesce(sum(num_rows), 0)::BIGINT FROM parquet_file_metadata(${quoteLiteral(file)})`,
  );
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

/** DuckDB stops counting at the first extra column: the real count, from the line itself. */
function fieldCountReason(
  row: { reason: string },
  text: string,
  expected: number | undefined,
  delimiter: string,
): string | undefined {
  if (!row.reason.startsWith('too many columns') || expected === undefined || text.length >= MAX_REJECT_TEXT)
    return undefined;
  return `too many columns: ${text.split(delimiter).length} fields where the header names ${expected}`;
}

async function engineRejects(
  connection: DuckDBConnection,
  groups: DelimitedInputGroup[],
  staged: StagedObject[],
  delimiter: string,
): Promise<RejectRecord[]> {
  if (groups.length === 0) return [];
  const objectOfPath = new Map(staged.map((object) => [object.textPath, object]));
  const reader = await connection.runAndReadAll(rejectedLinesSql(groups));
  const rows = reader.getRowObjectsJS().map((row) => ({
    path: String(row.file_path),
    line: Number(row.line),
    reason: `${String(row.error_type).toLowerCase()}: ${String(row.reason)}`,
  }));
  const rejects: RejectRecord[] = [];
  for (const path of new Set(rows.map((row) => row.path))) {
    const inFile = rows.filter((row) => row.path === path);
    const texts = await readLinesAt(path, new Set(inFile.map((row) => row.line)), MAX_REJECT_TEXT);
    const key = objectOfPath.get(path)?.key ?? path;
    const expected = groups.find((group) => group.files.includes(path))?.header.length;
    for (const row of inFile) {
      const text = texts.get(row.line) ?? '';
      rejects.push({
        key,
        line: row.line,
        reason: fieldCountReason(row, text, expected, delimiter) ?? row.reason,
        text,
      });
    }
  }
  return rejects;
}

async function dropRejectTables(connection: DuckDBConnection, groups: DelimitedInputGroup[]): Promise<void> {
  for (const group of groups) {
    await connection.run(`DROP TABLE IF EXISTS "${group.rejectsTable}"`);
    await connection.run(`DROP TABLE IF EXISTS "${group.rejectsScanTable}"`);
  }
}
