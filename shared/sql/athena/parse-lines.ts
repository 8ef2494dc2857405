import {
  PARTITION_COLUMNS,
  type Column,
  type HeaderDelimitedFormat,
  type JsonRecordsFormat,
  type LogSource,
  type RegexFormat,
} from '../../sources/types.js';
import { trinoIdentifier, trinoLiteral, trinoLiteralArray, trinoTableName } from './identifiers.js';
import { isJsonObject, jsonKeyPath, jsonTextAt } from './json-values.js';
import { partitionValues, type AthenaPartition } from './partition-values.js';
import { linesTableName } from './tables.js';

/**
 * Longest line parsed, as the embedded engine's stager has it; a longer one is rejected. JSON
 * documents are exempt (a CloudTrail file is one line of several MB); their records are not.
 */
export const MAX_LINE_BYTES = 1_048_576;

/** Columns every scan yields besides the raw values (leading `_`: never a source column's name). */
export const FILE = trinoIdentifier('_file');
export const LINE = trinoIdentifier('_line');
export const LINE_NUMBER = trinoIdentifier('_line_number');
export const SHAPE_REASON = trinoIdentifier('_shape_reason');

/** The raw (text, or JSON for structs) value of a delivered column, before conversion. */
export const rawValue = (column: string): string => trinoIdentifier(`_r_${column}`);

export const PARTITIONS = PARTITION_COLUMNS.map(trinoIdentifier).join(', ');

/** Columns the raw data delivers (not derived ones). */
export function deliveredColumns(source: LogSource): Column[] {
  return source.columns.filter((column) => column.derive === undefined);
}

/** `(account = … AND … AND day = …) OR …`: exactly the batch's partitions. */
export function partitionFilter(partitions: readonly AthenaPartition[]): string {
  return partitions
    .map((partition) => {
      const terms = partitionValues(partition).map(
        ([column, value]) => `${trinoIdentifier(column)} = ${trinoLiteral(value)}`,
      );
      return `(${terms.join(' AND ')})`;
    })
    .join(' OR ');
}

/** Every non-empty line of the batch's partitions, with its object's path (an empty line holds no record). */
function linesOf(source: LogSource, partitions: readonly AthenaPartition[], database: string): string {
  return (
    `SELECT "$path" AS ${FILE}, "line" AS ${LINE}, ${PARTITIONS} ` +
    `FROM ${trinoTableName(database, linesTableName(source))} ` +
    `WHERE (${partitionFilter(partitions)}) AND "line" <> ''`
  );
}

/** What the embedded engine's stager refuses before parsing: over-long lines, NUL bytes, invalid UTF-8. */
function screens(): string[] {
  const bytes = `length(to_utf8(${LINE}))`;
  return [
    `WHEN ${bytes} > ${MAX_LINE_BYTES} THEN 'line of ' || CAST(${bytes} AS varchar) || ${trinoLiteral(` bytes is longer than the ${MAX_LINE_BYTES}-byte limit`)}`,
    `WHEN strpos(${LINE}, chr(0)) > 0 THEN 'line contains a NUL byte'`,
    `WHEN from_utf8(to_utf8(${LINE})) <> ${LINE} THEN 'line is not valid UTF-8'`,
  ];
}

/** `text` unless it is empty or the format's "no value" token. */
function nullable(text: string, nullToken: string): string {
  return `nullif(nullif(${text}, ''), ${trinoLiteral(nullToken)})`;
}

function regexScan(source: LogSource, format: RegexFormat, lines: string): string {
  const pattern = trinoLiteral(format.pattern);
  const groupOf = new Map(format.groups.map((group, index) => [group.column, index + 1]));
  const values = deliveredColumns(source).map((column) => {
    const group = groupOf.get(column.name);
    const value =
      group === undefined
        ? 'CAST(NULL AS varchar)'
        : nullable(`regexp_extract(${LINE}, ${pattern}, ${group})`, format.nullToken);
    return `${value} AS ${rawValue(column.name)}`;
  });
  const shape = [
    ...screens(),
    `WHEN NOT regexp_like(${LINE}, ${pattern}) THEN ${trinoLiteral(`line does not match the ${source.name} format`)}`,
  ];
  return (
    `SELECT ${FILE}, CAST(NULL AS bigint) AS ${LINE_NUMBER}, ${LINE}, ${PARTITIONS}, ` +
    `CASE ${shape.join(' ')} END AS ${SHAPE_REASON}, ${values.join(', ')} FROM (${lines})`
  );
}

const HEADER_FIRST = trinoIdentifier('_header_first');
const HEADER_LAST = trinoIdentifier('_header_last');
const IS_HEADER = trinoIdentifier('_is_header');
const FIELDS = trinoIdentifier('_f');
const NAMES = trinoIdentifier('_h');

/**
 * Which lines are the header, and its field names' text: the first-line header is the line
 * that does not start like a record (`defaultHeader.recordStart`); a comment directive is the
 * comment that starts with it (`#Fields:`), every comment line being neither row nor reject.
 */
function headerOf(
  source: LogSource,
  format: HeaderDelimitedFormat,
): { isHeader: string; text: string; split: string } {
  if (format.header.kind === 'comment-directive') {
    const { commentPrefix, directive } = format.header;
    const starts = (prefix: string) => `substr(${LINE}, 1, ${[...prefix].length}) = ${trinoLiteral(prefix)}`;
    return {
      isHeader: starts(commentPrefix),
      text: `CASE WHEN ${starts(directive)} THEN trim(substr(${LINE}, ${[...directive].length + 1})) END`,
      split: `regexp_split(${HEADER_FIRST}, '[ \\t]+')`,
    };
  }
  const recordStart = format.defaultHeader?.recordStart;
  if (recordStart === undefined)
    throw new RangeError(
      `${source.name}: a first-line header needs defaultHeader.recordStart to be told from records.`,
    );
  const isHeader = `NOT regexp_like(${LINE}, ${trinoLiteral(recordStart)})`;
  return {
    isHeader,
    text: `CASE WHEN ${isHeader} THEN ${LINE} END`,
    split: `split(${HEADER_FIRST}, ${trinoLiteral(format.delimiter)})`,
  };
}

function delimitedScan(source: LogSource, format: HeaderDelimitedFormat, lines: string): string {
  const header = headerOf(source, format);
  // The header of each object, found by a window over its path: the lines of an object arrive in no order.
  const headed =
    `SELECT ${FILE}, ${LINE}, ${PARTITIONS}, ${header.isHeader} AS ${IS_HEADER}, ` +
    `min(${header.text}) OVER (PARTITION BY ${FILE}) AS ${HEADER_FIRST}, ` +
    `max(${header.text}) OVER (PARTITION BY ${FILE}) AS ${HEADER_LAST} FROM (${lines})`;
  const defaultHeader = format.defaultHeader?.fields.join(format.delimiter);
  const names =
    defaultHeader === undefined ? header.split : `coalesce(${header.split}, ${trinoLiteral(defaultHeader)})`;
  // A comment is never a record; a first-line header is skipped when it is the object's only one.
  const skipped =
    format.header.kind === 'comment-directive'
      ? IS_HEADER
      : `(${IS_HEADER} AND ${HEADER_FIRST} = ${HEADER_LAST})`;
  const split =
    `SELECT ${FILE}, ${LINE}, ${PARTITIONS}, ${HEADER_FIRST}, ${HEADER_LAST}, ${names} AS ${NAMES}, ` +
    `split(${LINE}, ${trinoLiteral(format.delimiter)}) AS ${FIELDS} FROM (${headed}) WHERE NOT ${skipped}`;

  const position = (headerName: string) => `array_position(${NAMES}, ${trinoLiteral(headerName)})`;
  const fieldAt = (headerName: string) =>
    `IF(${position(headerName)} > 0, element_at(${FIELDS}, ${position(headerName)}))`;
  const byName = new Map(format.fields.map((field) => [field.name, field]));
  const values = deliveredColumns(source).map((column) => {
    const field = byName.get(column.name);
    const value =
      field === undefined || field.servedByPartition
        ? 'CAST(NULL AS varchar)'
        : nullable(fieldAt(field.header), format.nullToken);
    return `${value} AS ${rawValue(column.name)}`;
  });
  const known = trinoLiteralArray(format.fields.map((field) => field.header));
  const unknown = `filter(${NAMES}, x -> NOT contains(${known}, x))`;
  const shape = [
    ...screens(),
    ...(defaultHeader === undefined && format.header.kind === 'comment-directive'
      ? [
          `WHEN ${HEADER_FIRST} IS NULL THEN ${trinoLiteral(`object has no "${format.header.directive}" line naming its fields`)}`,
        ]
      : []),
    `WHEN ${HEADER_FIRST} <> ${HEADER_LAST} THEN 'object has more than one header line'`,
    `WHEN cardinality(${unknown}) > 0 THEN 'header names unknown fields: ' || array_join(${unknown}, ' ')`,
    `WHEN cardinality(array_distinct(${NAMES})) <> cardinality(${NAMES}) THEN 'header names a field twice'`,
    `WHEN cardinality(${FIELDS}) <> cardinality(${NAMES}) THEN ` +
      `CAST(cardinality(${FIELDS}) AS varchar) || ' fields where the header names ' || CAST(cardinality(${NAMES}) AS varchar)`,
    ...format.fields
      .filter((field) => field.servedByPartition === 'region')
      .map((field) => {
        const value = fieldAt(field.header);
        const partitionColumn = trinoIdentifier(field.servedByPartition ?? 'region');
        return (
          `WHEN ${value} <> ${trinoLiteral(format.nullToken)} AND ${value} <> ${partitionColumn} THEN ` +
          `${trinoLiteral(`${field.name} field "`)} || ${value} || ${trinoLiteral(`" differs from the region of the object's key (`)} || ${partitionColumn} || ')'`
        );
      }),
  ];
  return (
    `SELECT ${FILE}, CAST(NULL AS bigint) AS ${LINE_NUMBER}, ${LINE}, ${PARTITIONS}, ` +
    `CASE ${shape.join(' ')} END AS ${SHAPE_REASON}, ${values.join(', ')} FROM (${split})`
  );
}

const DOC = trinoIdentifier('_doc');
const RECORDS = trinoIdentifier('_records');
const RECORD = trinoIdentifier('_record');
const ORDINAL = trinoIdentifier('_n');

/**
 * JSON documents holding their records under `recordsKey`: each non-empty line is parsed as a
 * document and each record becomes one row, numbered from 1 (its "line" in rejects). A line that
 * is not a JSON document, or holds no records array, is one reject (record 1) — quarantined, not
 * dropped; an empty array holds no record.
 */
function jsonScan(source: LogSource, format: JsonRecordsFormat, lines: string): string {
  const parsed = `SELECT ${FILE}, ${LINE}, ${PARTITIONS}, try(json_parse(${LINE})) AS ${DOC} FROM (${lines})`;
  const withRecords =
    `SELECT *, try_cast(json_extract(${DOC}, ${trinoLiteral(jsonKeyPath(format.recordsKey))}) AS ARRAY(JSON)) AS ${RECORDS} ` +
    `FROM (${parsed})`;
  const records =
    `SELECT d.${FILE}, d.${LINE}, ${PARTITION_COLUMNS.map((column) => `d.${trinoIdentifier(column)}`).join(', ')}, ` +
    `d.${DOC}, d.${RECORDS}, r.${RECORD}, r.${ORDINAL} FROM (${withRecords}) AS d ` +
    `CROSS JOIN UNNEST(coalesce(d.${RECORDS}, ARRAY[CAST(NULL AS JSON)])) WITH ORDINALITY AS r (${RECORD}, ${ORDINAL})`;
  const fieldOf = new Map(format.fields.map((field) => [field.column, field]));
  const values = deliveredColumns(source).map((column) => {
    const field = fieldOf.get(column.name);
    const path = field && jsonKeyPath(field.key);
    const value =
      path === undefined
        ? 'CAST(NULL AS varchar)'
        : typeof column.type === 'string'
          ? jsonTextAt(RECORD, path)
          : `json_extract(${RECORD}, ${trinoLiteral(path)})`;
    return `${value} AS ${rawValue(column.name)}`;
  });
  const recordText = `coalesce(json_format(${RECORD}), 'null')`;
  const shape = [
    `WHEN ${DOC} IS NULL THEN 'not a JSON document'`,
    `WHEN ${RECORDS} IS NULL THEN ${trinoLiteral(`JSON document without a "${format.recordsKey}" array`)}`,
    `WHEN ${RECORD} IS NULL OR NOT ${isJsonObject(RECORD)} THEN 'record is not a JSON object'`,
    `WHEN length(${recordText}) > ${MAX_LINE_BYTES} THEN 'record of ' || CAST(length(${recordText}) AS varchar) || ${trinoLiteral(` characters is longer than the ${MAX_LINE_BYTES} limit`)}`,
    ...format.requiredKeys.map(
      (key) =>
        `WHEN ${jsonTextAt(RECORD, jsonKeyPath(key))} IS NULL THEN ${trinoLiteral(`record has no "${key}"`)}`,
    ),
  ];
  return (
    `SELECT ${FILE}, ${ORDINAL} AS ${LINE_NUMBER}, CASE WHEN ${RECORDS} IS NULL THEN ${LINE} ELSE ${recordText} END AS ${LINE}, ` +
    `${PARTITIONS}, CASE ${shape.join(' ')} END AS ${SHAPE_REASON}, ${values.join(', ')} FROM (${records})`
  );
}

/**
 * One row per raw line (per record for JSON documents) of the batch's partitions, read from
 * `<source>_raw_lines`: the object's path, the line number where it is known (JSON records),
 * the text, the partition columns, why the line's shape is wrong (NULL when it is right) and
 * every delivered column's raw value (`_r_<name>`: text, JSON for structs; NULL token → NULL).
 */
export function scanLinesSql(
  source: LogSource,
  partitions: readonly AthenaPartition[],
  database: string,
): string {
  const lines = linesOf(source, partitions, database);
  const format = source.format;
  switch (format.kind) {
    case 'regex':
      return regexScan(source, format, lines);
    case 'header-delimited':
      return delimitedScan(source, format, lines);
    case 'json-records':
      return jsonScan(source, format, lines);
  }
}
