import { PARTITION_COLUMNS, type AthenaType } from '../../sources/types.js';
import { hiveIdentifier, hiveLiteral, hiveTableName } from './identifiers.js';
import { hiveType } from './types.js';

/** A column of a Hive DDL table. */
export interface DdlColumn {
  name: string;
  type: AthenaType;
  comment?: string;
}

/** Everything a `CREATE EXTERNAL TABLE` of ours is made of; clauses are pre-rendered. */
export interface CreateTableSpec {
  database: string;
  table: string;
  comment: string;
  columns: readonly DdlColumn[];
  /** `ROW FORMAT …` clause, when the table has one. */
  rowFormat?: string;
  /** `STORED AS …` clause. */
  storedAs: string;
  location: string;
  properties: readonly (readonly [string, string])[];
}

/** Glue keeps at most 255 bytes of a comment. */
const MAX_COMMENT_BYTES = 255;

/** A comment cut to what Glue keeps, on a character boundary, marked with an ellipsis when cut. */
export function ddlComment(text: string): string {
  if (Buffer.byteLength(text, 'utf8') <= MAX_COMMENT_BYTES) return text;
  let cut = '';
  for (const char of text) {
    if (Buffer.byteLength(`${cut}${char}…`, 'utf8') > MAX_COMMENT_BYTES) break;
    cut += char;
  }
  return `${cut}…`;
}

/**
 * Fails when a name appears twice among the data and partition columns: Athena refuses such a
 * table, and no grammar can tell.
 */
export function assertDistinctColumns(table: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new RangeError(`Table ${table} would have the column ${name} twice.`);
    seen.add(name);
  }
}

/** `'key'='value', …` of TBLPROPERTIES or SERDEPROPERTIES. */
export function hiveProperties(properties: readonly (readonly [string, string])[]): string {
  return properties.map(([key, value]) => `  ${hiveLiteral(key)}=${hiveLiteral(value)}`).join(',\n');
}

/**
 * `CREATE EXTERNAL TABLE IF NOT EXISTS`, partitioned by the contract's partition columns
 * (strings, so registration can add partitions with their own LOCATION).
 */
export function createTableSql(spec: CreateTableSpec): string {
  assertDistinctColumns(spec.table, [...spec.columns.map((column) => column.name), ...PARTITION_COLUMNS]);
  const columns = spec.columns.map((column) => {
    const comment = column.comment === undefined ? '' : ` COMMENT ${hiveLiteral(ddlComment(column.comment))}`;
    return `  ${hiveIdentifier(column.name)} ${hiveType(column.type)}${comment}`;
  });
  const partitions = PARTITION_COLUMNS.map((name) => `  ${hiveIdentifier(name)} string`);
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${hiveTableName(spec.database, spec.table)} (`,
    columns.join(',\n'),
    ')',
    `COMMENT ${hiveLiteral(ddlComment(spec.comment))}`,
    'PARTITIONED BY (',
    partitions.join(',\n'),
    ')',
    ...(spec.rowFormat === undefined ? [] : [spec.rowFormat]),
    spec.storedAs,
    `LOCATION ${hiveLiteral(spec.location)}`,
    ...(spec.properties.length ? ['TBLPROPERTIES (', hiveProperties(spec.properties), ')'] : []),
  ].join('\n');
}
