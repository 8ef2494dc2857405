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
