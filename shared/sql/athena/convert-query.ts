import { PARTITION_COLUMNS, type Column, type LogSource } from '../../sources/types.js';
import { assertDistinctColumns } from './create-table.js';
import { trinoIdentifier, trinoLiteral, trinoLiteralArray } from './identifiers.js';
import { castText, fromJson } from './json-values.js';
import type { AthenaPartition } from './partition-values.js';
import {
  deliveredColumns,
  FILE,
  LINE,
  LINE_NUMBER,
  PARTITIONS,
  rawValue,
  scanLinesSql,
  SHAPE_REASON,
} from './parse-lines.js';
import { folderUrl, type AthenaTarget } from './tables.js';

/** Athena's UNLOAD (and CTAS, INSERT) writes at most this many partitions per statement. */
export const MAX_PARTITIONS_PER_STATEMENT = 100;

/** Longest piece of a bad value quoted in a reject reason (as in the embedded engine). */
const QUOTED_VALUE_CHARS = 200;

/** Rejected text is kept up to this many characters (as in the embedded engine); the raw object stays the source of truth. */
export const MAX_REJECT_TEXT = 65_536;

/**
 * The verdict on each line: NULL for a row, else why it is rejected. Not `reject_reason`: flow
 * logs deliver a field of that name (v8), so the verdict keeps the scans' leading underscore.
 */
export const REJECT_REASON = trinoIdentifier('_reject_reason');

export type ConvertQueryOptions = Pick<AthenaTarget, 'database' | 'raw'>;

const typed = (column: string): string => trinoIdentifier(column);

/** Splits partitions into batches of at most `size` (100: Athena's limit per UNLOAD), in order. */
export function convertBatches<T>(
  partitions: readonly T[],
  size: number = MAX_PARTITIONS_PER_STATEMENT,
): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`A batch size must be a positive whole number, not ${size}.`);
  const batches: T[][] = [];
  for (let start = 0; start < partitions.length; start += size)
    batches.push(partitions.slice(start, start + size));
  return batches;
}

function checkBatch(partitions: readonly AthenaPartition[]): void {
  if (partitions.length === 0) throw new RangeError('A conversion statement needs at least one partition.');
  if (partitions.length > MAX_PARTITIONS_PER_STATEMENT)
    throw new RangeError(
      `A conversion statement writes at most ${MAX_PARTITIONS_PER_STATEMENT} partitions, not ${partitions.length}: split them with convertBatches.`,
    );
  const keys = new Set(partitions.map((p) => `${p.account}\u0000${p.region}\u0000${p.date}`));
  if (keys.size !== partitions.length) throw new RangeError('A conversion batch names a partition twice.');
}

function typedValue(source: LogSource, column: Column): string {
  if (typeof column.type !== 'string' && source.format.kind === 'json-records')
    return fromJson(rawValue(column.name), column.type);
  return castText(rawValue(column.name), column.type);
}

/**
 * The expression of a derived column over the typed columns (UTC timestamps, as DuckDB's).
 * Timestamps with a zone are turned to UTC before the zone is dropped.
 */
export function derivedValue(column: Column): string {
  const derive = column.derive;
  if (!derive) throw new RangeError(`${column.name} is not a derived column.`);
  const from = typed(derive.from);
  switch (derive.kind) {
    case 'clf-timestamp':
      return `CAST(try(parse_datetime(${from}, 'dd/MMM/yyyy:HH:mm:ss Z')) AT TIME ZONE 'UTC' AS timestamp(3))`;
    case 'iso8601-timestamp':
      return `CAST(try(from_iso8601_timestamp(${from})) AT TIME ZONE 'UTC' AS timestamp(3))`;
    case 'date-and-time':
      return `try_cast(CAST(${from} AS varchar) || ' ' || ${typed(derive.time)} AS timestamp(3))`;
  }
}

/**
 * Whether a delivered value failed to convert, exactly the embedded engine's rule: integers must
 * also be written as integers (`[+-]?[0-9]+`, leading zeros fine: CloudFront's status `000` is 0),
 * because a cast alone would take `1e3` or ` 12`.
 */
function conversionFailed(column: Column): string | undefined {
  const { type } = column;
  if (type === 'string' || typeof type !== 'string') return undefined;
  const value = rawValue(column.name);
  if (type === 'int' || type === 'bigint')
    return `${value} IS NOT NULL AND (${typed(column.name)} IS NULL OR NOT regexp_like(${value}, '^[+-]?[0-9]+$'))`;
  return `${value} IS NOT NULL AND ${typed(column.name)} IS NULL`;
}

function conversionReason(column: Column): string | undefined {
  const failed = conversionFailed(column);
  if (!failed) return undefined;
  const typeName = typeof column.type === 'string' ? column.type : 'value';
  return (
    `WHEN ${failed} THEN ${trinoLiteral(`field ${column.name}: "`)} || substr(${rawValue(column.name)}, 1, ${QUOTED_VALUE_CHARS}) || ` +
    `${trinoLiteral(`" is not ${/^[aeiou]/.test(typeName) ? 'an' : 'a'} ${typeName}`)}`
  );
}

function derivationReason(column: Column): string {
  const derive = column.derive;
  if (!derive) throw new RangeError(`${column.name} is not a derived column.`);
  const sources = derive.kind === 'date-and-time' ? [derive.from, derive.time] : [derive.from];
  const given = sources.map((name) => `${typed(name)} IS NOT NULL`).join(' AND ');
  const shown = sources.map(
    (name) => `coalesce(substr(CAST(${typed(name)} AS varchar), 1, ${QUOTED_VALUE_CHARS}), '')`,
  );
  return (
    `WHEN ${given} AND ${typed(column.name)} IS NULL THEN ${trinoLiteral(`field ${sources.join(' + ')}: "`)} || ` +
    `${shown.join(` || ' ' || `)} || ${trinoLiteral(`" is not a valid ${derive.kind.replaceAll('-', ' ')}`)}`
  );
}

/** The columns `convertSelectSql` yields, in order. */
export function convertOutputColumns(source: LogSource): string[] {
  return [
    '_file',
    '_line_number',
    '_line',
    ...source.columns.map((c) => c.name),
    '_reject_reason',
    ...PARTITION_COLUMNS,
  ];
}

/**
 * The Trino SELECT that parses the raw lines of a batch of partitions (at most 100) exactly as the
 * embedded engine does: every line (every record of a JSON document) becomes one row with the
 * object's path (`_file`), its number where known (`_line_number`: JSON records; text lines
 * arrive in no order), its text (`_line`), every column typed, `_reject_reason` (NULL for a row,
 * else why: no match, wrong field count, a value that does not convert …) and the partition
 * columns last. A line is a row or a reject, never a row of NULLs.
 */
export function convertSelectSql(
  source: LogSource,
  partitions: readonly AthenaPartition[],
  options: ConvertQueryOptions,
): string {
  checkBatch(partitions);
  assertDistinctColumns(`the conversion of ${source.name}`, convertOutputColumns(source));
  const delivered = deliveredColumns(source);
  const derived = source.columns.filter((column) => column.derive !== undefined);
  const scan = scanLinesSql(source, partitions, options.database);
  const typedColumns = delivered.map((column) => `${typedValue(source, column)} AS ${typed(column.name)}`);
  const withTyped = `SELECT *, ${typedColumns.join(', ')} FROM (${scan})`;
  const withDerived = derived.length
    ? `SELECT *, ${derived.map((column) => `${derivedValue(column)} AS ${typed(column.name)}`).join(', ')} FROM (${withTyped})`
    : withTyped;
  const reasons = [
    `WHEN ${SHAPE_REASON} IS NOT NULL THEN ${SHAPE_REASON}`,
    ...delivered.flatMap((column) => conversionReason(column) ?? []),
    ...derived.map(derivationReason),
  ];
  const columns = source.columns.map((column) => typed(column.name));
  return (
    `SELECT ${FILE}, ${LINE_NUMBER}, ${LINE}, ${columns.join(', ')}, CASE ${reasons.join(' ')} END AS ${REJECT_REASON}, ` +
    `${PARTITIONS} FROM (${withDerived})`
  );
}

/** The rows of the batch (no rejects): the converted table's columns, partition columns last, clustered. */
export function rowsSelectSql(
  source: LogSource,
  partitions: readonly AthenaPartition[],
  options: ConvertQueryOptions,
): string {
  const columns = source.columns.map((column) => typed(column.name));
  const order = source.clusterBy.length ? ` ORDER BY ${source.clusterBy.map(typed).join(', ')}` : '';
  return (
    `SELECT ${columns.join(', ')}, ${PARTITIONS} FROM (${convertSelectSql(source, partitions, options)}) ` +
    `WHERE ${REJECT_REASON} IS NULL${order}`
  );
}

/** `WITH (…)` of an UNLOAD: the format, and Hive-style partition folders (`account=…/…/day=…/`). */
function unloadProperties(format: 'PARQUET' | 'JSON'): string {
  const compression = format === 'PARQUET' ? `compression = 'SNAPPY', ` : '';
  return `WITH (format = '${format}', ${compression}partitioned_by = ${trinoLiteralArray(PARTITION_COLUMNS)})`;
}

/**
 * `UNLOAD (rows) TO '<staging>' WITH (format = 'PARQUET', compression = 'SNAPPY', partitioned_by = …)`:
 * writes the batch's rows as Snappy Parquet into `<staging>/account=…/region=…/year=…/month=…/day=…/`.
 * UNLOAD needs an empty target, writes no catalog entry and at most 100 partitions; committing
 * (pointing each partition's LOCATION at its staged folder) is the engine's part.
 */
export function unloadRowsSql(
  source: LogSource,
  partitions: readonly AthenaPartition[],
  options: ConvertQueryOptions & { staging: string },
): string {
  return `UNLOAD (${rowsSelectSql(source, partitions, options)}) TO ${trinoLiteral(folderUrl(options.staging, 'The staging location'))} ${unloadProperties('PARQUET')}`;
}

/** The object's key relative to the raw root (as the object was listed), from its `"$path"`. */
export function relativeKeySql(rawRoot: string): string {
  const raw = folderUrl(rawRoot, 'The raw location');
  const length = [...raw].length;
  return `CASE WHEN substr(${FILE}, 1, ${length}) = ${trinoLiteral(raw)} THEN substr(${FILE}, ${length + 1}) ELSE ${FILE} END`;
}

/**
 * The rejected lines of the batch, as the rejects tree holds them: `key` (relative to the raw root,
 * as the object was listed), `line` (the record number for JSON documents; NULL for text lines,
 * which arrive in no order — the engine numbers them by finding the text in the object, as the
 * embedded engine does), `reason`, `text` (cut at 64 KiB), then the partition columns.
 */
export function rejectsSelectSql(
  source: LogSource,
  partitions: readonly AthenaPartition[],
  options: ConvertQueryOptions,
): string {
  return (
    `SELECT ${relativeKeySql(options.raw)} AS "key", ${LINE_NUMBER} AS "line", ${REJECT_REASON} AS "reason", ` +
    `substr(${LINE}, 1, ${MAX_REJECT_TEXT}) AS "text", ${PARTITIONS} ` +
    `FROM (${convertSelectSql(source, partitions, options)}) WHERE ${REJECT_REASON} IS NOT NULL`
  );
}

/** `UNLOAD (rejects) TO '<staging>' WITH (format = 'JSON', partitioned_by = …)`: the rejects as JSON lines, per partition folder. */
export function unloadRejectsSql(
  source: LogSource,
  partitions: readonly AthenaPartition[],
  options: ConvertQueryOptions & { staging: string },
): string {
  return `UNLOAD (${rejectsSelectSql(source, partitions, options)}) TO ${trinoLiteral(folderUrl(options.staging, 'The rejects staging location'))} ${unloadProperties('JSON')}`;
}

/** Lines in, rows out and lines rejected per partition of the batch, each counted for the reconciliation. */
export function lineCountsSql(
  source: LogSource,
  partitions: readonly AthenaPartition[],
  options: ConvertQueryOptions,
): string {
  return (
    `SELECT ${PARTITIONS}, count(*) AS "rows_in", count_if(${REJECT_REASON} IS NULL) AS "rows_out", ` +
    `count_if(${REJECT_REASON} IS NOT NULL) AS "rows_rejected" ` +
    `FROM (${convertSelectSql(source, partitions, options)}) GROUP BY ${PARTITIONS}`
  );
}
