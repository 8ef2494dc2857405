import type { BookmarkState, BookmarkStore } from '../bookmarks/types.js';
import type { RawObject } from '../engines/types.js';
import type { ConversionTarget } from './targets/types.js';
import type { LogSource } from '../sources/types.js';
import type { FlatLayouts } from '../flat-layouts.js';

/** What happened to one partition in this run. */
export type OutcomeAction =
  'converted' | 'failed' | 'up-to-date' | 'skipped' | 'failed-final' | 'would-convert';

/** One entry of the run summary (the `--json` contract). */
export interface PartitionOutcome {
  source: string;
  account: string;
  region: string;
  date: string;
  action: OutcomeAction;
  state: BookmarkState | 'SKIPPED';
  rowsIn: number | null;
  rowsOut: number | null;
  rowsRejected: number | null;
  bytesIn: number | null;
  seconds: number | null;
  error: string | null;
  /** Why the partition was converted (new, late-data, retry, …) or skipped. */
  reason: string | null;
  /** --dry-run: the statements and API calls converting the partition would make. */
  plan?: string[];
}

export type PipelineEvent =
  | {
      type: 'planned';
      toConvert: number;
      total: number;
      /** Raw objects whose key matches no layout of the sources: left out, said, never silent. */
      unmatched: number;
      unmatchedExample?: string;
    }
  | { type: 'started'; source: string; account: string; region: string; date: string }
  | { type: 'finished'; outcome: PartitionOutcome; done: number; toConvert: number };

export interface PipelineOptions {
  sources: readonly LogSource[];
  dates: readonly string[];
  /** The lake: bookmarks are keyed by it. */
  lake: string;
  /** Lists the raw objects of the given days (keys relative to the raw root). */
  listRaw(dates: ReadonlySet<string>): Promise<RawObject[]>;
  /** Where partitions convert and how a version becomes current. */
  target: ConversionTarget;
  account?: string;
  region?: string;
  /** Account and region of each source's flat-layout objects (configuration). */
  flatLayouts?: FlatLayouts;
  /** List and plan only: no lease, no conversion, no write; each partition to convert gets its plan. */
  dryRun?: boolean;
  /** A backfill names its days: FAILED partitions in it are retried. */
  backfill: boolean;
  retryFailed: boolean;
  retryBudget: number;
  leaseMs: number;
  /** Partitions converted at once. */
  concurrency: number;
  bookmarks: BookmarkStore;
  runnerId: string;
  onEvent?: (event: PipelineEvent) => void;
  now?: () => number;
}
