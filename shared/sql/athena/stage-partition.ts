import type { LogSource } from '../../sources/types.js';
import {
  convertSelectSql,
  MAX_REJECT_TEXT,
  REJECT_REASON,
  relativeKeySql,
  type ConvertQueryOptions,
} from './convert-query.js';
import { trinoIdentifier, trinoLiteral, trinoTableName } from './identifiers.js';
import { LINE, LINE_NUMBER } from './parse-lines.js';
import type { AthenaPartition } from './partition-values.js';
import { folderUrl } from './tables.js';

/**
 * A table that a `CREATE TABLE … AS SELECT` makes for one step of one partition's conversion, and
 * the empty folder its files go to. Dropping it afterwards leaves the files where they are.
 */
export interface CtasTarget {
  database: string;
  table: string;
  /** s3:// folder; CTAS refuses one that already holds objects. */
  location: string;
}

/** Columns the parsed table keeps besides the source's (a reject's key, number and text; NULL for rows). */
const KEY = trinoIdentifier('_key');
const TEXT = trinoIdentifier('_text');

const column = (name: string): string => trinoIdentifier(name);

/**
 * `CREATE TABLE … WITH (format, compression, external_location) AS SELECT …`: Athena writes the
 * files into the location and reports the number of rows it wrote (GetQueryResults' UpdateCount),
 * which is what the conversion reconciles.
 */
function ctas(target: CtasTarget, format: 'PARQUET' | 'JSON', select: string): string {
  const compression = format === 'PARQUET' ? 'SNAPPY' : 'GZIP';
  const location = folderUrl(target.location, `The location of ${target.table}`);
  return (
    `CREATE TABLE ${trinoTableName(target.database, target.table)} ` +
    `WITH (format = ${trinoLiteral(format)}, write_compression = ${trinoLiteral(compression)}, ` +
    `external_location = ${trinoLiteral(location)}) AS ${select}`
  );
}

/**
 * Step 1, the only one that reads the raw data: every line of one partition (its lines table
 * partition, i.e. the objects its symlink manifest names) parsed once — each source column typed,
 * `_reject_reason` NULL for a row, else why — into a scratch Parquet table. A rejected line also
 * keeps its object's key (relative to the raw root, from `"$path"`), its number (JSON records
 * only: Athena reads text lines in no order and has no line numbers) and its text (cut at 64 KiB);
 * for rows those three are NULL, so they cost next to nothing to store and to scan.
 */
export function parsedTableSql(
  source: LogSource,
  partition: AthenaPartition,
  options: ConvertQueryOptions & { target: CtasTarget },
): string {
  const parsed = convertSelectSql(source, [partition], options);
  const rejected = `${REJECT_REASON} IS NOT NULL`;
  const columns = source.columns.map((item) => column(item.name));
  return ctas(
    options.target,
    'PARQUET',
    `SELECT ${columns.join(', ')}, ${REJECT_REASON}, ` +
      `CASE WHEN ${rejected} THEN ${relativeKeySql(options.raw)} END AS ${KEY}, ` +
      `CASE WHEN ${rejected} THEN ${LINE_NUMBER} END AS ${LINE_NUMBER}, ` +
      `CASE WHEN ${rejected} THEN substr(${LINE}, 1, ${MAX_REJECT_TEXT}) END AS ${TEXT} ` +
      `FROM (${parsed})`,
  );
}

/**
 * Step 2: the partition's rows (no rejects) from the parsed table, as Snappy Parquet, into the
 * partition's fresh staging folder: the converted table's columns only — no partition columns,
 * since the folder is the partition (its catalog LOCATION once committed) — sorted by the
 * source's cluster columns so that equal values form runs (best effort: Athena may write several
 * files, each sorted).
 */
export function stagedRowsSql(
  source: LogSource,
  parsed: { database: string; table: string },
  target: CtasTarget,
): string {
  const columns = source.columns.map((item) => column(item.name));
  const order = source.clusterBy.length ? ` ORDER BY ${source.clusterBy.map(column).join(', ')}` : '';
  return ctas(
    target,
    'PARQUET',
    `SELECT ${columns.join(', ')} FROM ${trinoTableName(parsed.database, parsed.table)} WHERE ${REJECT_REASON} IS NULL${order}`,
  );
}

/**
 * Step 3: the partition's rejected lines from the parsed table, as gzip JSON lines, into the
 * rejects staging folder: `key`, `line` (NULL for text lines, see parsedTableSql), `reason`, `text`.
 */
export function stagedRejectsSql(parsed: { database: string; table: string }, target: CtasTarget): string {
  return ctas(
    target,
    'JSON',
    `SELECT ${KEY} AS "key", ${LINE_NUMBER} AS "line", ${REJECT_REASON} AS "reason", ${TEXT} AS "text" ` +
      `FROM ${trinoTableName(parsed.database, parsed.table)} WHERE ${REJECT_REASON} IS NOT NULL`,
  );
}
