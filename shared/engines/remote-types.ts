import type { LogSource } from '../sources/types.js';
import type { S3Location } from '../storage/s3-location.js';
import type { PartitionRef, RawObject } from './types.js';

/** One partition for an AWS engine: the exact objects to read, and fresh prefixes to write. */
export interface RemoteConvertRequest {
  source: LogSource;
  partition: PartitionRef;
  /** The partition's raw objects (keys relative to the raw root): exactly these are read. */
  objects: readonly RawObject[];
  /** The raw root (bucket + prefix). */
  raw: S3Location;
  /** Fresh, empty prefix: this run's version of the partition's data. */
  stagingData: S3Location;
  /** Fresh prefix for this version's rejects. */
  stagingRejects: S3Location;
  runId: string;
}

/** What an AWS engine did; counts reconcile (rowsIn = rowsOut + rowsRejected) or it throws. */
export interface RemoteConvertResult {
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  bytesIn: number;
  engine: {
    kind: 'athena' | 'glue';
    /** Query execution id or job run id. */
    id: string;
    bytesScanned?: number;
    engineMs?: number;
    state: string;
  };
}

/** An AWS engine: converts a partition into staging; the pipeline commits it. */
export interface RemoteEngine {
  readonly name: 'athena' | 'glue';
  convert(request: RemoteConvertRequest): Promise<RemoteConvertResult>;
  /** The calls and statements `convert` would make, sending nothing (--dry-run). */
  describe?(request: RemoteConvertRequest): string[];
}
