import { SOURCES } from '../../sources/index.js';
import {
  PARTITION_COLUMNS,
  type AthenaType,
  type Derivation,
  type LogSource,
  type SourceName,
} from '../../sources/types.js';
import { MAX_JSON_DOCUMENT_BYTES } from '../duckdb/stage-json-records.js';
import { FIELD_CHECK_BYTES, MAX_LINE_BYTES, MAX_REJECT_TEXT } from '../duckdb/stage-raw-text.js';

/** A column as the Glue job needs it: name, type and, for a convenience column, how it is computed. */
export interface JobColumn {
  name: string;
  type: AthenaType;
  derive?: Derivation;
}

/** A header field without its documentation: the header spelling, the column, its type. */
export interface JobHeaderField {
  header: string;
  name: string;
  type: AthenaType;
  servedByPartition?: 'region';
}

/** The raw format as data the job parses with (patterns keep their exact text). */
export type JobFormat =
  | {
      kind: 'header-delimited';
      delimiter: string;
      nullToken: string;
      fields: JobHeaderField[];
      header:
        { kind: 'first-line' } | { kind: 'comment-directive'; commentPrefix: string; directive: string };
      defaultHeader?: { fields: string[]; recordStart: string };
      parquetDelivery?: boolean;
    }
  | { kind: 'regex'; pattern: string; groups: { column: string }[]; nullToken: string }
  | {
      kind: 'json-records';
      recordsKey: string;
      fields: { column: string; key: string; asJsonText?: boolean }[];
      requiredKeys: string[];
    };

/** One source as the job reads it. */
export interface JobSource {
  name: SourceName;
  columns: JobColumn[];
  format: JobFormat;
  clusterBy: string[];
}

/**
 * What the embedded engine refuses before it parses a line (its stager's limits), so the Glue job
 * rejects the same lines for the same reasons.
 */
export interface JobLimits {
  maxLineBytes: number;
  maxRejectText: number;
  /** Lines longer than this have their fields counted before parsing (flow logs). */
  fieldCheckBytes: number;
  maxJsonDocumentBytes: number;
  /** Characters of a bad value quoted in a reject reason. */
  quotedValueChars: number;
  /** The byte the embedded engine's single-column reader splits on: a line holding it is rejected. */
  forbiddenByte: number;
}

/** Everything `jobs/sources.json` holds. */
export interface JobDefinitions {
  comment: string;
  partitionColumns: string[];
  limits: JobLimits;
  sources: Record<SourceName, JobSource>;
}

/**
 * The embedded engine quotes at most this much of a bad value (duckdb-parse-lines.ts keeps the
 * constant private); the parity test of the Glue job fails if the two ever differ.
 */
const QUOTED_VALUE_CHARS = 200;
/** ASCII unit separator: the "delimiter" of the embedded engine's one-column line reads. */
const UNIT_SEPARATOR = 0x1f;

/** The staging limits of the embedded engine, exported for the Glue job. */
export const JOB_LIMITS: JobLimits = {
  maxLineBytes: MAX_LINE_BYTES,
  maxRejectText: MAX_REJECT_TEXT,
  fieldCheckBytes: FIELD_CHECK_BYTES,
  maxJsonDocumentBytes: MAX_JSON_DOCUMENT_BYTES,
  quotedValueChars: QUOTED_VALUE_CHARS,
  forbiddenByte: UNIT_SEPARATOR,
};

function jobFormat(source: LogSource): JobFormat {
  const format = source.format;
  switch (format.kind) {
    case 'regex':
      return {
        kind: 'regex',
        pattern: format.pattern,
        groups: format.groups.map(({ column }) => ({ column })),
        nullToken: format.nullToken,
      };
    case 'json-records':
      return {
        kind: 'json-records',
        recordsKey: format.recordsKey,
        fields: format.fields.map(({ column, key, asJsonText }) =>
          asJsonText ? { column, key, asJsonText } : { column, key },
        ),
        requiredKeys: [...format.requiredKeys],
      };
    case 'header-delimited':
      return {
        kind: 'header-delimited',
        delimiter: format.delimiter,
        nullToken: format.nullToken,
        fields: format.fields.map(({ header, name, type, servedByPartition }) =>
          servedByPartition ? { header, name, type, servedByPartition } : { header, name, type },
        ),
        header: format.header,
        ...(format.defaultHeader
          ? {
              defaultHeader: {
                fields: [...format.defaultHeader.fields],
                recordStart: format.defaultHeader.recordStart,
              },
            }
          : {}),
        ...(format.parquetDelivery ? { parquetDelivery: true } : {}),
      };
  }
}

/** One source as the Glue job reads it: the same declarations, without the documentation text. */
export function jobSource(source: LogSource): JobSource {
  return {
    name: source.name,
    columns: source.columns.map(({ name, type, derive }) =>
      derive ? { name, type, derive } : { name, type },
    ),
    format: jobFormat(source),
    clusterBy: [...source.clusterBy],
  };
}

/** The six sources and the staging limits: the content of `jobs/sources.json`. */
export function jobDefinitions(): JobDefinitions {
  const sources = Object.fromEntries(
    Object.entries(SOURCES).map(([name, source]) => [name, jobSource(source)]),
  ) as Record<SourceName, JobSource>;
  return {
    comment:
      'Generated from shared/sources/ by `npm run export:sources`; do not edit. The Glue job (jobs/convert_logs.py) parses with these definitions.',
    partitionColumns: [...PARTITION_COLUMNS],
    limits: JOB_LIMITS,
    sources,
  };
}
