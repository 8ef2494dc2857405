import type { Column, HeaderDelimitedFormat, LogSource } from '../../sources/types.js';
import { createTableSql, hiveProperties, type DdlColumn } from './create-table.js';
import { hiveLiteral } from './identifiers.js';
import { folderUrl, linesTableName, manifestsLocation, rawTableName, type AthenaTarget } from './tables.js';

/**
 * Where a raw table's partitions point: the day's folder of the AWS layout (`folders`), or a
 * folder holding a symlink manifest that names the partition's objects (`manifest`) — for flat
 * layouts, whose folders hold every day, and wherever sources share a folder (ALB and classic
 * ELB files sit side by side).
 */
export type RawInput = 'folders' | 'manifest';

export const TEXT_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat';
export const SYMLINK_INPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat';
const LAZY_SIMPLE_SERDE = 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe';
const REGEX_SERDE = 'org.apache.hadoop.hive.serde2.RegexSerDe';
const CLOUDTRAIL_SERDE = 'com.amazon.emr.hive.serde.CloudTrailSerde';
const CLOUDTRAIL_INPUT_FORMAT = 'com.amazon.emr.cloudtrail.CloudTrailInputFormat';

export interface RawTableOptions extends AthenaTarget {
  /** Default: `manifest` when no layout of the source names an account (flat layouts), else `folders`. */
  input?: RawInput;
}

/** True when every layout of the source is flat: its keys name no account (S3 access simple prefix, CloudFront). */
export function hasOnlyFlatLayouts(source: LogSource): boolean {
  return source.layouts.every((layout) => layout.groups.account === undefined);
}

export function defaultRawInput(source: LogSource): RawInput {
  return hasOnlyFlatLayouts(source) ? 'manifest' : 'folders';
}

function columnNamed(source: LogSource, name: string): Column {
  const column = source.columns.find((candidate) => candidate.name === name);
  if (!column) throw new RangeError(`${source.name} has no column ${name}.`);
  return column;
}

/** The fields of a delimited raw table, in file order: the default format's when there is one (flow logs). */
function delimitedFields(format: HeaderDelimitedFormat): Column[] {
  const headers = format.defaultHeader?.fields ?? format.fields.map((field) => field.header);
  return headers.map((header) => {
    const field = format.fields.find((candidate) => candidate.header === header);
    if (!field) throw new RangeError(`Default header field ${header} is not a field of the format.`);
    return field;
  });
}

/**
 * The raw table's data columns, as the Athena guide's table for the log type has them: the
 * delivered fields in record order (regex: group order; flow logs: the default format's fields).
 * Derived columns are computed by the conversion and are not part of the raw table.
 */
export function rawColumns(source: LogSource): DdlColumn[] {
  const format = source.format;
  const columns =
    format.kind === 'header-delimited'
      ? delimitedFields(format)
      : format.kind === 'regex'
        ? format.groups.map((group) => columnNamed(source, group.column))
        : format.fields.map((field) => columnNamed(source, field.column));
  return columns.map(({ name, type, description }) => ({ name, type, comment: description }));
}

/** Header lines a delimited object starts with: the flow-log field line; CloudFront's `#Version` and `#Fields`. */
function headerLines(format: HeaderDelimitedFormat): number {
  return format.header.kind === 'first-line' ? 1 : 2;
}

/** `ROW FORMAT SERDE '…' [WITH SERDEPROPERTIES (…)]`. */
function serdeClause(serde: string, properties: readonly (readonly [string, string])[] = []): string {
  const clause = `ROW FORMAT SERDE ${hiveLiteral(serde)}`;
  return properties.length ? `${clause}\nWITH SERDEPROPERTIES (\n${hiveProperties(properties)}\n)` : clause;
}

function storedAs(inputFormat: string): string {
  return `STORED AS INPUTFORMAT ${hiveLiteral(inputFormat)}\nOUTPUTFORMAT ${hiveLiteral(TEXT_OUTPUT_FORMAT)}`;
}

/** The SerDe, input format and table properties that read the source's raw objects. */
export function rawStorage(
  source: LogSource,
  input: RawInput,
): { rowFormat: string; storedAs: string; properties: [string, string][] } {
  const format = source.format;
  const textInput = input === 'manifest' ? storedAs(SYMLINK_INPUT_FORMAT) : 'STORED AS TEXTFILE';
  switch (format.kind) {
    case 'header-delimited':
      return {
        rowFormat: `ROW FORMAT DELIMITED\nFIELDS TERMINATED BY ${hiveLiteral(format.delimiter)}`,
        storedAs: textInput,
        properties: [
          ['skip.header.line.count', String(headerLines(format))],
          ['serialization.null.format', format.nullToken],
        ],
      };
    case 'regex':
      return {
        rowFormat: serdeClause(REGEX_SERDE, [['input.regex', format.pattern]]),
        storedAs: textInput,
        properties: [],
      };
    case 'json-records':
      if (input === 'manifest')
        throw new RangeError(
          `${source.name} is read by CloudTrailInputFormat, which reads whole documents: it cannot read a symlink manifest.`,
        );
      return {
        rowFormat: serdeClause(CLOUDTRAIL_SERDE),
        storedAs: storedAs(CLOUDTRAIL_INPUT_FORMAT),
        properties: [],
      };
  }
}

/**
 * The raw table `<source>_raw`: the objects as AWS delivers them, read by the SerDe of the Athena
 * guide for the log type (flow logs: the default format's fields, space-delimited, header skipped;
 * regex formats: RegexSerDe with the source's pattern; CloudTrail: CloudTrailSerde; CloudFront:
 * tab-delimited, `#Version` and `#Fields` skipped). Partitioned by account, region, year, month
 * and day; registration adds each partition with its LOCATION (a day folder, or a manifest folder).
 * For looking at raw data only: RegexSerDe turns a line that does not match into a row of NULLs,
 * which is why the conversion reads `<source>_raw_lines` instead.
 */
export function rawTableSql(source: LogSource, options: RawTableOptions): string {
  const input = options.input ?? defaultRawInput(source);
  const storage = rawStorage(source, input);
  const location =
    input === 'manifest' ? manifestsLocation(source, options) : folderUrl(options.raw, 'The raw location');
  return createTableSql({
    database: options.database,
    table: rawTableName(source),
    comment: `${source.title} as delivered (${source.reference})`,
    columns: rawColumns(source),
    location,
    ...storage,
  });
}

/**
 * The lines table `<source>_raw_lines`: one string column holding each whole line of the raw
 * objects a partition's symlink manifest names (the objects of that partition, exactly), which
 * the conversion parses in SQL. The field delimiter is the unit separator, and the last (only)
 * column takes the rest of the line, so no byte of a line is ever cut off or split; no escape
 * character, and only an empty line reads as NULL. No header is skipped: the flow-log header
 * line and CloudFront's `#Fields` directive name each object's fields.
 */
export function linesTableSql(source: LogSource, options: AthenaTarget): string {
  return createTableSql({
    database: options.database,
    table: linesTableName(source),
    comment: `Raw lines of ${source.title}, one string per line, parsed in SQL by the conversion`,
    columns: [{ name: 'line', type: 'string', comment: 'One whole line of a raw object.' }],
    rowFormat: serdeClause(LAZY_SIMPLE_SERDE, [
      ['field.delim', '31'],
      ['serialization.last.column.takes.rest', 'true'],
      ['serialization.null.format', ''],
    ]),
    storedAs: storedAs(SYMLINK_INPUT_FORMAT),
    location: manifestsLocation(source, options),
    properties: [],
  });
}
