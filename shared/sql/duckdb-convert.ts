import type { Column, HeaderDelimitedFormat, HeaderField, LogSource } from '../sources/types.js';
import { duckdbType } from './duckdb-types.js';
import { quoteIdentifier, quoteLiteral, quoteLiteralList } from './identifiers.js';

/** Raw text files (already decompressed) that share one header, read by one scan. */
export interface DelimitedInputGroup {
  /** Header names of the fields, in file order. */
  header: readonly string[];
  /** Whether the first line of each file is that header (skipped) or already a record. */
  hasHeaderLine: boolean;
  /** Local paths of the decompressed objects. */
  files: readonly string[];
  /** Name of the table DuckDB fills with this scan's rejected lines. */
  rejectsTable: string;
  /** Name of the table DuckDB fills with this scan's file list. */
  rejectsScanTable: string;
}

export interface ParquetOptions {
  /** Parquet format version: v2 enables DELTA encodings (read by Athena engine v3 and Spark). */
  parquetVersion: 'v1' | 'v2';
  rowGroupSize: number;
}

/** One `read_csv` scan with explicit types (no auto-detection) projected onto the table's columns. */
function scanOf(
  source: LogSource,
  format: HeaderDelimitedFormat,
  group: DelimitedInputGroup,
  columns: readonly Column[],
): string {
  const byHeader = new Map<string, HeaderField>(format.fields.map((field) => [field.header, field]));
  const present = group.header.map((name) => {
    const field = byHeader.get(name);
    if (!field) throw new RangeError(`Header field "${name}" is not a ${source.name} field.`);
    return field;
  });
  const columnTypes = present
    .map((field) => `${quoteLiteral(field.name)}: ${quoteLiteral(duckdbType(field.type))}`)
    .join(', ');
  const presentNames = new Set(present.map((field) => field.name));
  const projection = columns
    .map((column) =>
      presentNames.has(column.name)
        ? quoteIdentifier(column.name)
        : `CAST(NULL AS ${duckdbType(column.type)}) AS ${quoteIdentifier(column.name)}`,
    )
    .join(', ');
  const options = [
    `delim=${quoteLiteral(format.delimiter)}`,
    `header=${group.hasHeaderLine}`,
    `columns={${columnTypes}}`,
    `nullstr=${quoteLiteral(format.nullToken)}`,
    'auto_detect=false',
    // Flow-log fields are never quoted: a quote character is data, not syntax.
    "quote=''",
    "escape=''",
    // Small read buffers keep the peak memory of concurrent conversions low at no cost in speed.
    'buffer_size=4194304',
    'store_rejects=true',
    `rejects_table=${quoteLiteral(group.rejectsTable)}`,
    `rejects_scan=${quoteLiteral(group.rejectsScanTable)}`,
  ];
  return `SELECT ${projection} FROM read_csv(${quoteLiteralList(group.files)}, ${options.join(', ')})`;
}

/** No input (a day of empty objects): still a typed, empty Parquet file, so queries work. */
function emptyScan(source: LogSource): string {
  const nulls = source.columns.map(
    (column) => `CAST(NULL AS ${duckdbType(column.type)}) AS ${quoteIdentifier(column.name)}`,
  );
  return `SELECT ${nulls.join(', ')} WHERE false`;
}

/**
 * A sort key that groups equal values of the cluster columns together. Hashes sort as one
 * 64-bit integer, much cheaper than comparing strings, and equal values still form runs.
 */
export function clusterKey(columns: readonly string[]): string | undefined {
  const [first, second] = columns;
  if (first === undefined) return undefined;
  if (second === undefined) return `hash(${quoteIdentifier(first)})`;
  return `xor(hash(${quoteIdentifier(first)}), hash(${quoteIdentifier(second)}) >> 20)`;
}

/**
 * The statement that converts one partition's decompressed header-delimited files into one
 * Snappy Parquet file, rows clustered by the source's cluster columns.
 */
export function convertDelimitedSql(
  source: LogSource,
  groups: readonly DelimitedInputGroup[],
  outputFile: string,
  parquet: ParquetOptions,
  delivered?: ParquetDelivery,
): string {
  if (source.format.kind !== 'header-delimited')
    throw new RangeError(`${source.name} is not header-delimited.`);
  const format = source.format;
  // Only the columns some file of the partition has are written: Athena and Parquet readers
  // read a column missing from a file as NULL, and writing all-NULL columns costs a third more.
  const present = new Set([
    ...groups.flatMap((group) =>
      group.header.map((header) => format.fields.find((field) => field.header === header)?.name),
    ),
    ...(delivered?.columns ?? []),
  ]);
  const empty = groups.length === 0 && delivered === undefined;
  const carried = empty ? source.columns : source.columns.filter((column) => present.has(column.name));
  const scans = empty
    ? emptyScan(source)
    : [
        ...groups.map((group) => scanOf(source, format, group, carried)),
        ...(delivered ? [parquetDeliveryScan(delivered, carried)] : []),
      ].join('\nUNION ALL\n');
  const key = empty ? undefined : clusterKey(source.clusterBy.filter((name) => present.has(name)));
  const ordered = key ? `SELECT * FROM (\n${scans}\n) ORDER BY ${key}` : scans;
  return copyToParquetSql(ordered, outputFile, parquet);
}

/**
 * Objects AWS delivered as Parquet (vpc_flow's Parquet format): re-partitioned, not re-parsed.
 * Their columns carry the table's names; a `region` column must equal the partition's region.
 */
export interface ParquetDelivery {
  files: readonly string[];
  /** Table columns the files hold (from their schema). */
  columns: ReadonlySet<string>;
  /** Whether the files have the `region` field, and the partition's region it must equal. */
  regionRule?: string;
}

function parquetRead(files: readonly string[], extra = ''): string {
  return `read_parquet(${quoteLiteralList(files)}, union_by_name=true${extra})`;
}

function regionMismatch(region: string): string {
  return `region IS NOT NULL AND region <> ${quoteLiteral(region)}`;
}

function parquetDeliveryScan(delivered: ParquetDelivery, carried: readonly Column[]): string {
  const projection = carried.map((column) =>
    delivered.columns.has(column.name)
      ? `CAST(${quoteIdentifier(column.name)} AS ${duckdbType(column.type)}) AS ${quoteIdentifier(column.name)}`
      : `CAST(NULL AS ${duckdbType(column.type)}) AS ${quoteIdentifier(column.name)}`,
  );
  const where =
    delivered.regionRule === undefined ? '' : ` WHERE NOT (${regionMismatch(delivered.regionRule)})`;
  return `SELECT ${projection.join(', ')} FROM ${parquetRead(delivered.files)}${where}`;
}

/** The columns of delivered Parquet files, and their total row count. */
export function parquetDeliverySchemaSql(files: readonly string[]): string {
  return `DESCRIBE SELECT * FROM ${parquetRead(files)}`;
}

export function parquetDeliveryRowCountSql(files: readonly string[]): string {
  return `SELECT coalesce(sum(num_rows), 0)::BIGINT AS rows FROM parquet_file_metadata(${quoteLiteralList(files)})`;
}

/** Rows of delivered Parquet files whose region differs from the partition's (file, row, region). */
export function parquetDeliveryRejectsSql(files: readonly string[], region: string): string {
  return (
    `SELECT filename AS file, file_row_number + 1 AS line, region FROM ` +
    `${parquetRead(files, ', filename=true, file_row_number=true')} WHERE ${regionMismatch(region)}`
  );
}

/** Writes a query's rows into one Snappy Parquet file. */
export function copyToParquetSql(query: string, outputFile: string, parquet: ParquetOptions): string {
  const copyOptions = [
    'FORMAT parquet',
    'COMPRESSION snappy',
    `PARQUET_VERSION ${parquet.parquetVersion === 'v2' ? 'v2' : 'v1'}`,
    `ROW_GROUP_SIZE ${Math.max(1, Math.floor(parquet.rowGroupSize))}`,
  ];
  return `COPY (\n${query}\n) TO ${quoteLiteral(outputFile)} (${copyOptions.join(', ')})`;
}

/** The rows of a parsed-lines table that are not rejects, clustered, as one Parquet file. */
export function copyParsedRowsSql(
  source: LogSource,
  table: string,
  outputFile: string,
  parquet: ParquetOptions,
): string {
  const columns = source.columns.map((column) => quoteIdentifier(column.name)).join(', ');
  const key = clusterKey(source.clusterBy);
  const rows = `SELECT ${columns} FROM ${quoteIdentifier(table)} WHERE reject_reason IS NULL`;
  return copyToParquetSql(key ? `${rows} ORDER BY ${key}` : rows, outputFile, parquet);
}

/** Rejected lines of the given scans (file, line number, reason), one row per line. */
export function rejectedLinesSql(groups: readonly DelimitedInputGroup[]): string {
  return groups
    .map(
      (group) =>
        // DuckDB reports a row per bad column: the first one tells (e.g. how many columns were found).
        `SELECT s.file_path AS file_path, e.line AS line, arg_min(e.error_type, e.column_idx) AS error_type, ` +
        `arg_min(e.error_message, e.column_idx) AS reason ` +
        `FROM ${quoteIdentifier(group.rejectsTable)} e JOIN ${quoteIdentifier(group.rejectsScanTable)} s ` +
        `ON e.scan_id = s.scan_id AND e.file_id = s.file_id GROUP BY ALL`,
    )
    .join('\nUNION ALL\n');
}
