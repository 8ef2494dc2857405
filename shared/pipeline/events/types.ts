import type { ConversionStore } from '../../bookmarks/conversion-store.js';
import type { InFlightSlots } from '../../bookmarks/in-flight-slots.js';
import type { Bookmark, ConversionFigures } from '../../bookmarks/types.js';
import type { StepEngine } from '../../engines/remote-steps.js';
import type { S3Location } from '../../storage/s3-location.js';
import type { S3Store } from '../../storage/s3-store.js';
import type { PartitionCatalog } from '../targets/remote-target.js';

/** Told of what happens to conversions: the Lambda functions turn it into metrics and alerts. */
export interface ConversionObserver {
  planned(source: string, partitions: number): void;
  started(source: string): void;
  succeeded(source: string, figures: ConversionFigures): void;
  /** An attempt failed and will be retried after a backoff. */
  retried(source: string, error: string): void;
  /** The retry budget is spent: FAILED is final (alarmed) until new data or a backfill. */
  failed(bookmark: Bookmark, error: string): Promise<void>;
}

/**
 * What event-driven conversions need: the bookmark store (the source of truth: nothing is kept in
 * memory between invocations), the shared cap, the engine driven one run at a time, the S3 store
 * (plans, commit deletes) and the catalog the commit swaps partitions in.
 */
export interface EventDrivenDeps {
  /** The lake's URL: the bookmarks' lake key. */
  lakeUrl: string;
  lake: S3Location;
  raw: S3Location;
  store: ConversionStore;
  slots: InFlightSlots;
  engine: StepEngine;
  objects: S3Store;
  catalog: PartitionCatalog;
  /** Attempts per fingerprint before FAILED is final. */
  retryBudget: number;
  /**
   * How long a conversion may go without news (no step ended) before the sweeper polls its run:
   * its event may be lost. Polling is cheap (one Get…Run call) and safe (an ended run is claimed
   * once), so this is short: a lost event holds its slot only this long.
   */
  pollAfterMs: number;
  /**
   * How long an invocation that took a run's end in hand may go silent before it is presumed
   * dead (longer than any function runs); the lease of a conversion is four times as long.
   */
  stuckAfterMs: number;
  /** Wait before the next attempt, after `attempts` failed ones. */
  retryDelayMs(attempts: number): number;
  observer: ConversionObserver;
  onWarning(message: string): void;
  now(): number;
}

/**
 * The lease of an event-driven conversion: renewed at every step and by every sweeper poll, so it
 * expires only when nothing looked after the conversion for several sweeps; then a CLI runner
 * may take the partition over.
 */
export function leaseMsOf(deps: Pick<EventDrivenDeps, 'stuckAfterMs'>): number {
  return deps.stuckAfterMs * 4;
}

/** Backoff between attempts: 5, 10, 20 … minutes, at most 2 hours. */
export function defaultRetryDelayMs(attempts: number): number {
  return Math.min(2 * 60 * 60_000, 5 * 60_000 * 2 ** Math.max(0, attempts - 1));
}
