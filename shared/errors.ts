/** Context that every pipeline error may carry, so a message can name what went wrong where. */
export interface ErrorContext {
  source?: string;
  /** Object key (or local path relative to the raw root). */
  key?: string;
  line?: number;
  field?: string;
  cause?: unknown;
}

/** Base class of every error the pipeline raises on purpose. */
export class PipelineError extends Error {
  readonly source?: string;
  readonly key?: string;
  readonly line?: number;
  readonly field?: string;

  constructor(message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'PipelineError';
    this.source = context.source;
    this.key = context.key;
    this.line = context.line;
    this.field = context.field;
  }
}

/** Bad flags, configuration or payload: the CLI exits 2 on it. */
export class UsageError extends PipelineError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context);
    this.name = 'UsageError';
  }
}

/** A raw object that cannot be read at all (corrupt gzip, unreadable file): fails its partition. */
export class UnreadableObjectError extends PipelineError {
  constructor(message: string, context: ErrorContext) {
    super(message, context);
    this.name = 'UnreadableObjectError';
  }
}

/** The raw data contradicts the source definition (e.g. an unknown flow-log header field). */
export class FormatError extends PipelineError {
  constructor(message: string, context: ErrorContext) {
    super(message, context);
    this.name = 'FormatError';
  }
}

/** Counts that must agree do not: something was dropped or duplicated. */
export class ReconciliationError extends PipelineError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context);
    this.name = 'ReconciliationError';
  }
}

/** The bookmark store failed or is unreachable. */
export class BookmarkStoreError extends PipelineError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context);
    this.name = 'BookmarkStoreError';
  }
}

/** What went wrong in an object-store request, so a caller can tell a missing object from a throttled bucket. */
export type ObjectStoreFailure =
  'access-denied' | 'no-such-key' | 'throttled' | 'credentials' | 'not-deleted' | 'other';

/** Where an object-store request went: the API action, the bucket and the key or prefix. */
export interface ObjectStoreErrorContext extends ErrorContext {
  /** The S3 API action (ListObjectsV2, GetObject, PutObject, CopyObject, DeleteObjects, HeadObject). */
  operation: string;
  bucket: string;
  failure: ObjectStoreFailure;
  /** The error code S3 or the SDK gave (e.g. AccessDenied, SlowDown), when there was one. */
  code?: string;
}

/** An S3 request failed; the message names the operation, bucket and key, and what to do. */
export class ObjectStoreError extends PipelineError {
  readonly operation: string;
  readonly bucket: string;
  readonly failure: ObjectStoreFailure;
  readonly code?: string;

  constructor(message: string, context: ObjectStoreErrorContext) {
    super(message, context);
    this.name = 'ObjectStoreError';
    this.operation = context.operation;
    this.bucket = context.bucket;
    this.failure = context.failure;
    this.code = context.code;
  }
}

/** One key that a DeleteObjects request reported as not deleted. */
export interface NotDeletedKey {
  key: string;
  code: string;
  message: string;
}

/** A batch delete left keys in place: every one of them is listed, with S3's reason. */
export class ObjectsNotDeletedError extends ObjectStoreError {
  readonly notDeleted: readonly NotDeletedKey[];

  constructor(
    message: string,
    context: Omit<ObjectStoreErrorContext, 'failure'> & { notDeleted: NotDeletedKey[] },
  ) {
    super(message, { ...context, failure: 'not-deleted' });
    this.name = 'ObjectsNotDeletedError';
    this.notDeleted = context.notDeleted;
  }
}

/** A configured bucket does not exist: a configuration error (the CLI exits 2 on it). */
export class BucketNotFoundError extends UsageError {
  readonly operation: string;
  readonly bucket: string;

  constructor(message: string, context: ErrorContext & { operation: string; bucket: string }) {
    super(message, context);
    this.name = 'BucketNotFoundError';
    this.operation = context.operation;
    this.bucket = context.bucket;
  }
}

/** Where a Glue Data Catalog request went: the API action, and the database and table it named. */
export interface CatalogErrorContext extends ErrorContext {
  /** The Glue API action (GetTable, GetPartition, CreatePartition, UpdatePartition, BatchCreatePartition, BatchDeleteTable). */
  operation: string;
  database: string;
  table: string;
  /** The error code Glue gave (e.g. EntityNotFoundException), when there was one. */
  code?: string;
}

/** A Glue Data Catalog request failed, or some partitions of a batch were refused; the message names the table. */
export class CatalogError extends PipelineError {
  readonly operation: string;
  readonly database: string;
  readonly table: string;
  readonly code?: string;

  constructor(message: string, context: CatalogErrorContext) {
    super(message, context);
    this.name = 'CatalogError';
    this.operation = context.operation;
    this.database = context.database;
    this.table = context.table;
    this.code = context.code;
  }
}

/** What an Athena query's failure carries: its execution id, final state and Athena's reason. */
export interface QueryErrorContext extends ErrorContext {
  queryExecutionId?: string;
  /** FAILED or CANCELLED, or the API action that failed before the query had a state. */
  state: string;
  reason?: string;
  /** Bytes the query had scanned when it ended. */
  bytesScanned?: number;
}

/** An Athena query did not succeed (FAILED, CANCELLED, or could not be started); the message names the query id. */
export class QueryError extends PipelineError {
  readonly queryExecutionId?: string;
  readonly state: string;
  readonly reason?: string;
  readonly bytesScanned?: number;

  constructor(message: string, context: QueryErrorContext) {
    super(message, context);
    this.name = 'QueryError';
    this.queryExecutionId = context.queryExecutionId;
    this.state = context.state;
    this.reason = context.reason;
    this.bytesScanned = context.bytesScanned;
  }
}

/** The workgroup's per-query data usage control (BytesScannedCutoffPerQuery) cancelled the query. */
export class ScanLimitError extends QueryError {
  constructor(message: string, context: QueryErrorContext) {
    super(message, context);
    this.name = 'ScanLimitError';
  }
}

/** One partition that a BatchCreatePartition call refused, with Glue's reason. */
export interface RefusedPartition {
  values: string[];
  code: string;
  message: string;
}

/** Glue refused some partitions of a batch (other than for already existing): every one is listed. */
export class PartitionsRefusedError extends CatalogError {
  readonly refused: readonly RefusedPartition[];

  constructor(message: string, context: CatalogErrorContext & { refused: RefusedPartition[] }) {
    super(message, context);
    this.name = 'PartitionsRefusedError';
    this.refused = context.refused;
  }
}

/** What a Glue job run's failure carries: the job, its run id, final state and Glue's error message. */
export interface JobRunErrorContext extends ErrorContext {
  jobName: string;
  /** Absent when the run could not be started. */
  jobRunId?: string;
  /** FAILED, TIMEOUT, STOPPED, ERROR or EXPIRED, or the API action that failed before the run had a state. */
  state: string;
  /** The run's ErrorMessage, or the error code of the refused request. */
  reason?: string;
}

/** A Glue job run did not succeed (or could not be started, or reported unusable counts); the message names the run. */
export class JobRunError extends PipelineError {
  readonly jobName: string;
  readonly jobRunId?: string;
  readonly state: string;
  readonly reason?: string;

  constructor(message: string, context: JobRunErrorContext) {
    super(message, context);
    this.name = 'JobRunError';
    this.jobName = context.jobName;
    this.jobRunId = context.jobRunId;
    this.state = context.state;
    this.reason = context.reason;
  }
}

/** A stored conversion plan is missing, unreadable or not the partition's own. */
export class PlanError extends PipelineError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context);
    this.name = 'PlanError';
  }
}
