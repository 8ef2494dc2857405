import type { Bookmark } from '../../bookmarks/types.js';
import { deletePlan } from './partition-plan.js';
import { slotIdOf } from './partition-key.js';
import type { EventDrivenDeps } from './types.js';
import { partitionOf } from '../../bookmarks/keys.js';

/**
 * A conversion attempt failed: PENDING again after a backoff while the retry budget lasts, else
 * FAILED for good (the observer counts it, which alarms, and tells the operator). The slot is
 * given back either way.
 */
export async function failAttempt(
  deps: EventDrivenDeps,
  bookmark: Bookmark,
  error: unknown,
): Promise<'retry' | 'failed'> {
  const message = error instanceof Error ? error.message : String(error);
  const key = partitionOf(bookmark);
  const owner = bookmark.leaseOwner ?? '';
  try {
    if (bookmark.attempts < deps.retryBudget) {
      const now = deps.now();
      await deps.store.retryLater(key, owner, message, now + deps.retryDelayMs(bookmark.attempts), now);
      deps.observer.retried(bookmark.source, message);
      return 'retry';
    }
    await deps.store.fail(key, owner, message, {}, deps.now());
    // A later queueing (new data, a backfill) writes a plan of its own.
    await deletePlan(deps.objects, bookmark.plan, key);
    await deps.observer.failed(bookmark, message);
    return 'failed';
  } finally {
    await deps.slots.give(slotIdOf(key, bookmark.conversionId ?? ''));
  }
}
