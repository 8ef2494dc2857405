import type { ConversionFigures } from '../../bookmarks/types.js';
import type { DiscoveredPartition } from '../../plan/discover.js';

/** A converted partition waiting in staging, not yet visible to readers. */
export interface StagedVersion {
  figures: Omit<ConversionFigures, 'seconds'>;
  /** Makes this version the current one (atomically) and removes the previous one. */
  commit(): Promise<void>;
  /** Removes what staging left behind: after a commit, or instead of one. Never throws. */
  cleanUp(): Promise<void>;
}

/**
 * Where partitions are converted and how a new version becomes current: local folders and an
 * atomic rename (embedded engine), or S3 and the Glue partition LOCATION (Athena and Glue engines).
 */
export interface ConversionTarget {
  /** Run-level preparation once the partitions to convert are known. */
  beginRun?(runId: string, conversions: number): Promise<void>;
  /**
   * Registers the raw partitions of the run (the tables of the logs as delivered), before the
   * conversions; a failure here is told, never fatal to the conversions.
   */
  register?(partitions: readonly DiscoveredPartition[]): Promise<void>;
  /** Converts a leased partition into a fresh staging place. */
  stage(partition: DiscoveredPartition, runId: string): Promise<StagedVersion>;
  /** The statements and API calls `stage` and `commit` would make for the partition (--dry-run); sends nothing. */
  describe?(partition: DiscoveredPartition, runId: string): Promise<string[]>;
  /** Run-level clean-up. */
  endRun?(runId: string): Promise<void>;
}
