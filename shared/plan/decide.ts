import type { Bookmark, RawFingerprint } from '../bookmarks/types.js';

/** What the plan does with a partition. */
export type Decision =
  | {
      action: 'convert';
      reason: 'new' | 'late-data' | 'retry' | 'backfill' | 'lease-expired' | 'holder-died' | 'pending';
    }
  | { action: 'up-to-date' }
  | { action: 'held'; holder?: string }
  | { action: 'failed-final'; attempts: number };

export interface DecideOptions {
  /** Attempts allowed per fingerprint before FAILED is final (alarmed). */
  retryBudget: number;
  /** A backfill names its days: FAILED partitions are retried and SUCCEEDED ones re-checked. */
  backfill: boolean;
  retryFailed: boolean;
  now: number;
  /** True for a lease owner known to be dead (a killed process on this host). */
  isDeadOwner?: (owner: string) => boolean;
}

export function sameFingerprint(a: RawFingerprint | undefined, b: RawFingerprint): boolean {
  return (
    a !== undefined && a.objects === b.objects && a.bytes === b.bytes && a.newestModified === b.newestModified
  );
}

/**
 * Whether a partition needs work: no SUCCEEDED bookmark, or its raw fingerprint changed since
 * (late data); FAILED partitions retry within the budget, then wait for new data, a backfill
 * naming the day, or --retry-failed.
 */
export function decide(
  bookmark: Bookmark | undefined,
  fingerprint: RawFingerprint,
  options: DecideOptions,
): Decision {
  if (!bookmark) return { action: 'convert', reason: 'new' };
  const changed = !sameFingerprint(bookmark.fingerprint, fingerprint);
  switch (bookmark.state) {
    case 'SUCCEEDED':
      return changed ? { action: 'convert', reason: 'late-data' } : { action: 'up-to-date' };
    case 'PENDING':
      return { action: 'convert', reason: 'pending' };
    case 'RUNNING':
      if ((bookmark.leaseExpiresAt ?? 0) < options.now) return { action: 'convert', reason: 'lease-expired' };
      if (bookmark.leaseOwner && options.isDeadOwner?.(bookmark.leaseOwner))
        return { action: 'convert', reason: 'holder-died' };
      return { action: 'held', holder: bookmark.leaseOwner };
    case 'FAILED':
      if (changed) return { action: 'convert', reason: 'late-data' };
      if (options.backfill) return { action: 'convert', reason: 'backfill' };
      if (options.retryFailed || bookmark.attempts < options.retryBudget)
        return { action: 'convert', reason: 'retry' };
      return { action: 'failed-final', attempts: bookmark.attempts };
  }
}
