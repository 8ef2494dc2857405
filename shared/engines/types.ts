import type { LogSource } from '../sources/types.js';

/** One partition of one source: what an engine converts in one go. */
export interface PartitionRef {
  account: string;
  region: string;
  /** YYYY-MM-DD */
  date: string;
}

/** A raw object as listed: its key (relative to the raw root), size and modification time. */
export interface RawObject {
  key: string;
  size: number;
  lastModified: Date;
}

/** One rejected line: where it came from and why. */
export interface RejectRecord {
  key: string;
  line: number;
  reason: string;
  text: string;
}

export interface ConvertRequest {
  source: LogSource;
  partition: PartitionRef;
  objects: readonly RawObject[];
  /** Local path of an object (the embedded engine reads local folders). */
  pathOf(key: string): string;
  /** Private folder for this conversion's scratch files; removed by the caller afterwards. */
  scratchDir: string;
  /** Where the engine writes the new version of the partition's data (not visible to readers). */
  stagedDataFile: string;
}

/** What a conversion produced; each count is measured on its own, then reconciled. */
export interface ConvertResult {
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  bytesIn: number;
  blankLines: number;
  emptyObjects: number;
  rejects: RejectRecord[];
}

export interface ConversionEngine {
  readonly name: 'duckdb' | 'athena' | 'glue';
  /** Told before a batch how many conversions will run at once, so it can share the cores. */
  prepare?(plan: { conversions: number; concurrency: number }): Promise<void>;
  convert(request: ConvertRequest): Promise<ConvertResult>;
  close(): Promise<void>;
}
