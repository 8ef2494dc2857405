import type {
  AthenaType,
  Column,
  HeaderDelimitedFormat,
  JsonRecordsFormat,
  LogSource,
  RegexFormat,
  StructType,
} from '../sources/types.js';
import { duckdbType } from './duckdb-types.js';
import { quoteIdentifier, quoteLiteral, quoteLiteralList } from './identifiers.js';

/**
 * Staged text files read by one scan: one record per line (raw lines for regex and delimited
 * formats, one JSON record per line for JSON documents). Delimited files carry their header.
 */
export interface LineScan {
  files: readonly string[];
  /** Header names of the fields, in file order (header-delimited formats only). */
  header?: readonly string[];
}

/** Longest piece of a bad value quoted in a reject reason. */
const QUOTED_VALUE_CHARS = 200;

const raw = (column: string): string => quoteIdentifier(`r_${column}`);
const typed = (column: string): string => quoteIdentifier(column);

/**
 * One single-column read of the scan's files: every line as text with its file. Blank lines come
 * back as NULL and are left out (they are neither rows nor rejects). No quoting, no escaping: the
 * staged text never holds the unit separator used as the "delimiter".
 */
function linesOf(files: readonly string[]): string {
  const options = [
    "columns={'line': 'VARCHAR'}",
    'delim=chr(31)',
    'header=false',
    "quote=''",
    "escape=''",
    'auto_detect=false',
    'filename=true',
    // One large file per scan: a 1 MiB buffer reads it as fast, with a quarter of the memory.
    'buffer_size=1048576',
  ];
  return `SELECT filename AS file, line FROM read_csv(${quoteLiteralList(files)}, ${options.join(', ')}) WHERE line IS NOT NULL`;
}

/** `text` unless it is empty or the format's "no value" token. */
function nullable(text: string, nullToken: string): string {
  return `nullif(nullif(${text}, ''), ${quoteLiteral(nullToken)})`;
}

/** Strips a pattern's own anchors: the engine wraps it in one outer group to learn whether it matched. */
function innerPattern(pattern: string): string {
  return pattern.replace(/^\^/, '').replace(/(?<!\\)\$$/, '');
}

function regexScan(source: LogSource, format: RegexFormat, scan: LineScan): string {
  const names = ['m', ...format.groups.map((_, index) => `g${index + 1}`)];
  const pattern = `^(${innerPattern(format.pattern)})$`;
  const byColumn = new Map(format.groups.map((group, index) => [group.column, `p.g${index + 1}`]));
  const values = deliveredColumns(source).map((column) => {
    const group = byColumn.get(column.name);
    return `${group ? nullable(group, format.nullToken) : 'NULL::VARCHAR'} AS ${raw(column.name)}`;
  });
  const shape = `CASE WHEN p.m = '' THEN ${quoteLiteral(`line does not match the ${source.name} format`)} END`;
  return (
    `SELECT file, line, ${shape} AS shape_reason, ${values.join(', ')} FROM (` +
    `SELECT file, line, regexp_extract(line, ${quoteLiteral(pattern)}, ${quoteLiteralList(names)}) AS p FROM (${linesOf(scan.files)}))`
  );
}

function delimitedScan(source: LogSource, format: HeaderDelimitedFormat, scan: LineScan): string {
  const header = scan.header ?? [];
  const position = new Map(
    header.map((name, index) => [format.fields.find((field) => field.header === name)?.name, index + 1]),
  );
  const values = deliveredColumns(source).map((column) => {
    const at = position.get(column.name);
    return `${at === undefined ? 'NULL::VARCHAR' : nullable(`f[${at}]`, format.nullToken)} AS ${raw(column.name)}`;
  });
  // A comment-directive header (CloudFront's #Fields) describes a family of records: a trailing
  // field more (a trailing tab) is ignored, fields missing at the end are NULL, as other readers do.
  // A first-line header is exact: every record has its fields, no more, no fewer.
  const shape =
    format.header.kind === 'comment-directive'
      ? 'NULL::VARCHAR'
      : `CASE WHEN len(f) <> ${header.length} THEN ` +
        `len(f)::VARCHAR || ${quoteLiteral(` fields where the header names ${header.length}`)} END`;
  return (
    `SELECT file, line, ${shape} AS shape_reason, ${values.join(', ')} FROM (` +
    `SELECT file, line, string_split(line, ${quoteLiteral(format.delimiter)}) AS f FROM (${linesOf(scan.files)}))`
  );
}

function jsonPath(key: string): string {
  return `$.${JSON.stringify(key)}`;
}

function jsonScan(source: LogSource, format: JsonRecordsFormat, scan: LineScan): string {
  const keys = [...format.fields.map((field) => field.key), ...format.requiredKeys];
  const index = (key: string): number => keys.indexOf(key) + 1;
  const values = deliveredColumns(source).map((column) => {
    const field = format.fields.find((candidate) => candidate.column === column.name);
    return `${field ? `v[${index(field.key)}]` : 'NULL::VARCHAR'} AS ${raw(column.name)}`;
  });
  const missing = format.requiredKeys.map(
    (key) => `WHEN v[${index(key)}] IS NULL THEN ${quoteLiteral(`record has no "${key}"`)}`,
  );
  const shape = missing.length ? `CASE ${missing.join(' ')} END` : 'NULL::VARCHAR';
  return (
    `SELECT file, line, ${shape} AS shape_reason, ${values.join(', ')} FROM (` +
    `SELECT file, line, json_extract_string(line, ${quoteLiteralList(keys.map(jsonPath))}) AS v FROM (${linesOf(scan.files)}))`
  );
}

/** Columns the raw data delivers (not derived ones). */
function deliveredColumns(source: LogSource): Column[] {
  return source.columns.filter((column) => column.derive === undefined);
}

let lambdaDepth = 0;

/** The JSON paths a struct reads, relative to its own object: every leaf, and every nested object. */
function structPaths(type: StructType, prefix: readonly string[] = []): string[][] {
  return type.struct.flatMap((field) => {
    const path = [...prefix, field.key ?? field.name];
    const nested =
      typeof field.type !== 'string' && 'struct' in field.type ? structPaths(field.type, path) : [];
    return [path, ...nested];
  });
}

function jsonPathOf(path: readonly string[]): string {
  return `$${path.map((key) => `.${JSON.stringify(key)}`).join('')}`;
}

/** Whether JSON text is an object (a cheap test: the text comes from a JSON reader, so it is well-formed). */
function isObjectText(text: string): string {
  return `coalesce(starts_with(${text}, '{'), false)`;
}

/**
 * A struct (or array, or scalar) built from JSON text. Every value a struct needs is read by ONE
 * `json_extract_string` call with a list of paths: DuckDB keeps a parse arena per JSON function
 * call in a query, so a call per field costs hundreds of MB on wide structs.
 */
function fromJson(text: string, type: AthenaType): string {
  if (typeof type === 'string') return castText(text, type);
  lambdaDepth += 1;
  const item = `x${lambdaDepth}`;
  try {
    if ('array' in type)
      return `list_transform(TRY_CAST(${text} AS JSON[]), lambda ${item}: ${fromJson(item, type.array)})`;
    const paths = structPaths(type);
    const index = new Map(paths.map((path, at) => [path.join('\u0000'), at + 1]));
    const build = (struct: StructType, prefix: readonly string[]): string => {
      const fields = struct.struct.map((field) => {
        const path = [...prefix, field.key ?? field.name];
        const value = `${item}[${index.get(path.join('\u0000'))}]`;
        const typed =
          typeof field.type !== 'string' && 'struct' in field.type
            ? `CASE WHEN ${isObjectText(value)} THEN ${build(field.type, path)} END`
            : fromJson(value, field.type);
        return `${quoteIdentifier(field.name)} := ${typed}`;
      });
      return `struct_pack(${fields.join(', ')})`;
    };
    // A one-element list binds the extracted values to a name the struct's fields can all use.
    const values = `json_extract_string(${text}, ${quoteLiteralList(paths.map(jsonPathOf))})`;
    return `CASE WHEN ${isObjectText(text)} THEN list_transform([${values}], lambda ${item}: ${build(type, [])})[1] END`;
  } finally {
    lambdaDepth -= 1;
  }
}

/** Converts text to a scalar type; NULL when it does not convert (the reject check finds those). */
function castText(text: string, type: AthenaType): string {
  if (type === 'string') return text;
  return `TRY_CAST(${text} AS ${duckdbType(type)})`;
}

/**
 * Whether a delivered value failed to convert. Integers must also be written as integers, because
 * DuckDB's cast accepts `12.5`, `1e3` or ` 12` and rounds, which would change the data; leading
 * zeros are fine (CloudFront's status `000`).
 */
function conversionFailed(column: Column): string | undefined {
  const { type } = column;
  if (type === 'string' || typeof type !== 'string') return undefined;
  const value = raw(column.name);
  if (type === 'int' || type === 'bigint')
    return `${value} IS NOT NULL AND (${typed(column.name)} IS NULL OR NOT regexp_full_match(${value}, '[+-]?[0-9]+'))`;
  return `${value} IS NOT NULL AND ${typed(column.name)} IS NULL`;
}

function typedValue(source: LogSource, column: Column): string {
  if (typeof column.type !== 'string' && source.format.kind === 'json-records')
    return fromJson(raw(column.name), column.type);
  return castText(raw(column.name), column.type);
}

/** The expression of a derived column over the typed columns. */
export function derivedValue(column: Column): string {
  const derive = column.derive;
  if (!derive) throw new RangeError(`${column.name} is not a derived column.`);
  const from = typed(derive.from);
  switch (derive.kind) {
    case 'clf-timestamp':
      return `try_strptime(${from}, '%d/%b/%Y:%H:%M:%S %z')::TIMESTAMP`;
    case 'iso8601-timestamp':
      return `TRY_CAST(${from} AS TIMESTAMPTZ)::TIMESTAMP`;
    case 'date-and-time':
      return `${from} + TRY_CAST(${typed(derive.time)} AS TIME)`;
  }
}

function conversionReason(column: Column): string | undefined {
  const failed = conversionFailed(column);
  if (!failed) return undefined;
  const typeName = typeof column.type === 'string' ? column.type : 'value';
  return (
    `WHEN ${failed} THEN ${quoteLiteral(`field ${column.name}: "`)} || left(${raw(column.name)}, ${QUOTED_VALUE_CHARS}) || ` +
    `${quoteLiteral(`" is not ${/^[aeiou]/.test(typeName) ? 'an' : 'a'} ${typeName}`)}`
  );
}

function derivationReason(column: Column): string {
  const derive = column.derive;
  if (!derive) throw new RangeError(`${column.name} is not a derived column.`);
  const sources = derive.kind === 'date-and-time' ? [derive.from, derive.time] : [derive.from];
  const given = sources.map((name) => `${typed(name)} IS NOT NULL`).join(' AND ');
  const shown = sources.map((name) => `coalesce(left(${typed(name)}::VARCHAR, ${QUOTED_VALUE_CHARS}), '')`);
  return (
    `WHEN ${given} AND ${typed(column.name)} IS NULL THEN ${quoteLiteral(`field ${sources.join(' + ')}: "`)} || ` +
    `${shown.join(` || ' ' || `)} || ${quoteLiteral(`" is not a valid ${derive.kind.replaceAll('-', ' ')}`)}`
  );
}

/**
 * The statement that parses every line of the scans into a temporary table: one row per line
 * with the file, the line's text, every column typed, and `reject_reason` — NULL for a row,
 * the reason for a line that is rejected (no match, wrong field count, a value that does not
 * convert). A line is either a row or a reject, never a row of NULLs.
 */
export function parseLinesSql(source: LogSource, scans: readonly LineScan[], table: string): string {
  const format = source.format;
  const scanOf = (scan: LineScan): string => {
    switch (format.kind) {
      case 'regex':
        return regexScan(source, format, scan);
      case 'header-delimited':
        return delimitedScan(source, format, scan);
      case 'json-records':
        return jsonScan(source, format, scan);
    }
  };
  const delivered = deliveredColumns(source);
  const derived = source.columns.filter((column) => column.derive !== undefined);
  const rawNames = delivered.map((column) => raw(column.name));
  const typedColumns = delivered.map((column) => `${typedValue(source, column)} AS ${typed(column.name)}`);
  const derivedColumns = derived.map((column) => `${derivedValue(column)} AS ${typed(column.name)}`);
  const reasons = [
    'WHEN shape_reason IS NOT NULL THEN shape_reason',
    ...delivered.flatMap((column) => conversionReason(column) ?? []),
    ...derived.map(derivationReason),
  ];
  const scansSql = scans.length === 0 ? emptyScan(delivered) : scans.map(scanOf).join('\nUNION ALL\n');
  const withTyped = `SELECT file, line, shape_reason, ${[...rawNames, ...typedColumns].join(', ')} FROM (\n${scansSql}\n)`;
  const withDerived = derivedColumns.length
    ? `SELECT *, ${derivedColumns.join(', ')} FROM (${withTyped})`
    : withTyped;
  const columns = source.columns.map((column) => typed(column.name));
  return (
    `CREATE TEMP TABLE ${quoteIdentifier(table)} AS SELECT file, line, ${columns.join(', ')}, ` +
    `CASE ${reasons.join(' ')} END AS reject_reason FROM (${withDerived})`
  );
}

function emptyScan(delivered: readonly Column[]): string {
  const nulls = delivered.map((column) => `NULL::VARCHAR AS ${raw(column.name)}`);
  return `SELECT NULL::VARCHAR AS file, NULL::VARCHAR AS line, NULL::VARCHAR AS shape_reason, ${nulls.join(', ')} WHERE false`;
}

/** The rejected lines of a parsed table: file, text and reason. */
export function parsedRejectsSql(table: string): string {
  return `SELECT file, line, reject_reason FROM ${quoteIdentifier(table)} WHERE reject_reason IS NOT NULL`;
}
