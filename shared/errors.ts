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
