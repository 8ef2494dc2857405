/** The six log sources of the contract; each converted table is named after its source. */
export type SourceName = 'vpc_flow' | 's3_access' | 'cloudtrail' | 'alb' | 'elb' | 'cloudfront';

/** Athena (Hive DDL) scalar column types used by the sources; engines map them to their own types. */
export type ScalarType = 'string' | 'int' | 'bigint' | 'float' | 'double' | 'boolean' | 'timestamp' | 'date';

/** A field of a struct column; `key` is the JSON key it is read from when that differs (camelCase). */
export interface StructField {
  name: string;
  type: AthenaType;
  key?: string;
}

export interface StructType {
  struct: readonly StructField[];
}

export interface ArrayType {
  array: AthenaType;
}

/** Athena column types: scalars, structs and arrays (CloudTrail's `useridentity`, `resources`). */
export type AthenaType = ScalarType | StructType | ArrayType;

/**
 * How a typed convenience column is computed from documented columns (each engine has one SQL
 * expression per kind): a real timestamp for the record time, next to the delivered text.
 */
export type Derivation =
  /** `06/Feb/2019:00:00:38 +0000` (S3 access logs). */
  | { kind: 'clf-timestamp'; from: string }
  /** `2018-07-02T22:23:00.186641Z` (ALB, ELB, CloudTrail). */
  | { kind: 'iso8601-timestamp'; from: string }
  /** A date column and an `HH:MM:SS` time column, UTC (CloudFront). */
  | { kind: 'date-and-time'; from: string; time: string };

/** One column of a converted table: declared once, both raw and converted tables derive from it. */
export interface Column {
  /** Athena name (lowercase letters, digits, underscore). */
  name: string;
  type: AthenaType;
  description: string;
  /** Set for a convenience column the engine computes; absent for a delivered field. */
  derive?: Derivation;
}

/** A field of a delimited record whose header line names the fields present and their order. */
export interface HeaderField extends Column {
  /** The name AWS writes in the header line (e.g. `log-status`, `cs(User-Agent)`). */
  header: string;
  /** The format version that introduced the field (vpc_flow); informational. */
  version?: number;
  /**
   * Set when the value is not stored as a data column but must equal a partition column of the
   * same name (vpc_flow's v4 `region`): a record that disagrees is rejected, never rewritten.
   */
  servedByPartition?: 'region';
}

/**
 * Delimited records whose field list a header names: vpc_flow's first line (`version account-id
 * …`), CloudFront's `#Fields: date time …` directive.
 */
export interface HeaderDelimitedFormat {
  kind: 'header-delimited';
  delimiter: string;
  /** The token that stands for "no value" (becomes NULL). */
  nullToken: string;
  /** Every field a header may name. */
  fields: readonly HeaderField[];
  /**
   * Where the header is: the first line, or (CloudFront) the comment line that starts with
   * `directive`; every line starting with `commentPrefix` is a comment, neither row nor reject.
   */
  header: { kind: 'first-line' } | { kind: 'comment-directive'; commentPrefix: string; directive: string };
  /**
   * The header of the default format, assumed for an object without one (vpc_flow objects whose
   * first line is already a record, recognised by `recordStart`).
   */
  defaultHeader?: { fields: readonly string[]; recordStart: string };
  /**
   * Objects that arrive as Parquet (recognised by their magic bytes) are re-partitioned, not
   * re-parsed: their columns carry the table's column names (vpc_flow's Parquet delivery).
   */
  parquetDelivery?: boolean;
}

/** A group of a regex format: which column it fills (a column of the source). */
export interface RegexGroup {
  column: string;
}

/**
 * One record per line, parsed by an anchored portable regular expression (positional groups, no
 * lookaround, no named groups): group i fills `groups[i - 1]`. Optional trailing groups serve
 * older, shorter records; an empty or absent group, or one equal to `nullToken`, is NULL. A line
 * that does not match, or a group whose text does not convert to its column's type, is rejected.
 */
export interface RegexFormat {
  kind: 'regex';
  pattern: string;
  groups: readonly RegexGroup[];
  nullToken: string;
}

/** A JSON key of each record and the column it fills. */
export interface JsonField {
  column: string;
  /** The record's key (CloudTrail: camelCase, e.g. `userIdentity`). */
  key: string;
  /** Kept as the JSON text of the value (objects and arrays), for `json_extract` in queries. */
  asJsonText?: boolean;
}

/**
 * JSON documents holding an array of records under `recordsKey` (CloudTrail's
 * `{"Records":[…]}`); each record is one row (its index is its "line" in rejects).
 */
export interface JsonRecordsFormat {
  kind: 'json-records';
  recordsKey: string;
  fields: readonly JsonField[];
  /** Keys every record must carry; a record missing one is rejected. */
  requiredKeys: readonly string[];
}

export type RawFormat = HeaderDelimitedFormat | RegexFormat | JsonRecordsFormat;

/** Which group of a key layout's pattern holds each partition value. */
export interface KeyLayoutGroups {
  /** Absent for flat layouts whose keys name no account (it comes from configuration). */
  account?: number;
  /** Absent for layouts whose keys name no region (`fixedRegion`, or configuration). */
  region?: number;
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
  /** The region every object of the layout belongs to when its key names none (CloudFront: `global`). */
  fixedRegion?: string;
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
  /**
   * Keys that belong to the source's delivery prefix but hold no records (CloudTrail digest
   * files): recognised so they are skipped on purpose, not reported as unknown keys.
   */
  ignoredKeys?: readonly RegExp[];
}

/** Partition columns of every converted table (strings; month and day two digits). */
export const PARTITION_COLUMNS = ['account', 'region', 'year', 'month', 'day'] as const;
export type PartitionColumn = (typeof PARTITION_COLUMNS)[number];

/** Account and region for the objects of flat layouts, whose keys name neither (from configuration). */
export interface FlatLayoutPartition {
  account?: string;
  region?: string;
}
