import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { FormatError, ReconciliationError } from '../../errors.js';
import type { HeaderDelimitedFormat } from '../../sources/types.js';
import {
  convertDelimitedSql,
  rejectedLinesSql,
  type DelimitedInputGroup,
  type ParquetOptions,
} from '../../sql/duckdb-convert.js';
import { quoteLiteral } from '../../sql/identifiers.js';
import type { ConversionEngine, ConvertRequest, ConvertResult, RejectRecord } from '../types.js';
import { openDuckDB, withConnection, type DuckDBSettings } from './instance.js';
import { readLinesAt } from './read-lines.js';
import { MAX_REJECT_TEXT, stageRawText, type LineCheck, type StagedText } from './stage-raw-text.js';
import { mapWithConcurrency, Semaphore } from '../../concurrency.js';

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
  // A first line that is already a record (it starts with the version number): no header was delivered.
  if (/^[0-9]/.test(firstLine)) return { header: [...format.defaultHeader], hasHeaderLine: false };
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
        `(known fields: versions 2–8 of the flow-log record reference).`,
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
    const { source } = request;
    if (source.format.kind !== 'header-delimited')
      throw new RangeError(`${source.name} has no embedded converter yet.`);
    const format = source.format;
    const database = this.database();
    const staged = await mapWithConcurrency(
      request.objects,
      this.options.stagingConcurrency,
      async (object, index) => {
        const textPath = join(request.scratchDir, `${index}.txt`);
        const text = await stageRawText(
          request.pathOf(object.key),
          object.key,
          textPath,
          regionCheck(format, request.partition.region),
          { delimiter: format.delimiter.charCodeAt(0), maxFields: format.fields.length },
        );
        const described =
          text.firstLine === undefined
            ? { header: [], hasHeaderLine: false }
            : readHeader(format, text.firstLine, object.key, source.name);
        return { ...text, ...described, key: object.key, textPath } satisfies StagedObject;
      },
    );
    const groups = groupByHeader(staged);
    // Staging (above) needs no slot: the next partitions decompress while DuckDB converts.
    const instance = await database;
    return this.slots.run(() =>
      withConnection(instance, async (connection) => {
        try {
          await connection.run(convertDelimitedSql(source, groups, request.stagedDataFile, this.options));
          const rowsOut = await countParquetRows(connection, request.stagedDataFile);
          const rejects = [
            ...earlyRejectsOf(staged),
            ...(await engineRejects(connection, groups, staged, format.delimiter)),
          ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.line - b.line));
          const rowsIn = staged.reduce((sum, object) => sum + dataLinesOf(object), 0);
          const result: ConvertResult = {
            rowsIn,
            rowsOut,
            rowsRejected: rejects.length,
            bytesIn: staged.reduce((sum, object) => sum + object.bytesIn, 0),
            blankLines: staged.reduce((sum, object) => sum + object.blankLines, 0),
            emptyObjects: staged.filter((object) => object.lines === 0).length,
            rejects,
          };
          if (result.rowsIn !== result.rowsOut + result.rowsRejected) {
            throw new ReconciliationError(
              `Counts do not reconcile for ${source.name} ${request.partition.account}/${request.partition.region}/${request.partition.date}: ` +
                `${result.rowsIn} lines in, ${result.rowsOut} rows out, ${result.rowsRejected} rejected.`,
              { source: source.name },
            );
          }
          return result;
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

function earlyRejectsOf(staged: StagedObject[]): RejectRecord[] {
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
