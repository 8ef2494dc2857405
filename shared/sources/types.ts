/** The six log sources of the contract; each converted table is named after its source. */
export type SourceName = 'vpc_flow' | 's3_access' | 'cloudtrail' | 'alb' | 'elb' | 'cloudfront';

/** Athena (Hive DDL) column types used by the sources; engines map them to their own types. */
export type AthenaType = 'string' | 'int' | 'bigint' | 'double' | 'boolean' | 'timestamp';

/** One column of a converted table: declared once, both raw and converted tables derive from it. */
export interface Column {
  /** Athena name (lowercase letters, digits, underscore). */
  name: string;
  type: AthenaType;
  description: string;
}

/** A field of a delimited record whose header line names the fields present and their order. */
export interface HeaderField extends Column {
  /** The name AWS writes in the header line (e.g. `log-status`). */
  header: string;
  /** The format version that introduced the field. */
  version: number;
  /**
   * Set when the value is not stored as a data column but must equal a partition column of the
   * same name (vpc_flow's v4 `region`): a record that disagrees is rejected, never rewritten.
   */
  servedByPartition?: 'region';
}

/** Space-delimited records with a header line naming the fields (VPC flow logs). */
export interface HeaderDelimitedFormat {
  kind: 'header-delimited';
  delimiter: string;
  /** The token that stands for "no value" (becomes NULL). */
  nullToken: string;
  /** Every field a header may name, in the order of the converted table. */
  fields: readonly HeaderField[];
  /** The header of the default format, assumed for a file whose first line is already a record. */
  defaultHeader: readonly string[];
}

export type RawFormat = HeaderDelimitedFormat;

/** Which group of a key layout's pattern holds each partition value. */
export interface KeyLayoutGroups {
  account: number;
  region: number;
  year: number;
  month: number;
  day: number;
}

/**
 * One way AWS lays out a source's objects. The pattern is portable (positional groups, no
 * lookaround, no named groups) and matches the whole key relative to the raw root.
 */
export interface KeyLayout {
  name: string;
  pattern: RegExp;
  groups: KeyLayoutGroups;
}

/** A log source as data: no SDK, SQL or engine code. */
export interface LogSource {
  name: SourceName;
  title: string;
  /** The AWS reference that defines the record format. */
  reference: string;
  /** Data columns of the converted table, in order (partition columns come after). */
  columns: readonly Column[];
  format: RawFormat;
  layouts: readonly KeyLayout[];
  /** Columns the engine sorts each partition by, so the lake compresses and scans well. */
  clusterBy: readonly string[];
}

/** Partition columns of every converted table (strings; month and day two digits). */
export const PARTITION_COLUMNS = ['account', 'region', 'year', 'month', 'day'] as const;
export type PartitionColumn = (typeof PARTITION_COLUMNS)[number];
