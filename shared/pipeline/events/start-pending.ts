import type { Bookmark } from '../../bookmarks/types.js';
import { failAttempt } from './end-attempt.js';
import { planUrlOf, readPlan } from './partition-plan.js';
import { describePartition, newConversionId, ownerOf, requestOf, slotIdOf } from './partition-key.js';
import { leaseMsOf, type EventDrivenDeps } from './types.js';
import { partitionOf } from '../../bookmarks/keys.js';

/** What one pass of the starter did. */
export interface StartSummary {
  started: number;
  /** Attempts that failed before their first run started (retried or FAILED). */
  failedToStart: number;
  /** Slots held after the pass (never more than the cap). */
  inFlight: number;
}

/**
 * Starts queued partitions while a slot of the cap is free — retries whose backoff elapsed first,
 * then the rest oldest first: take a slot, take the lease, read the plan, start the engine's first
 * run and record it. Partitions still waiting out a backoff are passed over. Called by every
 * function after its own work, so a slot freed by a finished conversion is filled at once.
 */
export async function startPending(deps: EventDrivenDeps): Promise<StartSummary> {
  const summary: StartSummary = { started: 0, failedToStart: 0, inFlight: 0 };
  let holders = (await deps.slots.holders()).length;
  if (holders < deps.slots.cap) {
    for await (const bookmark of queueInOrder(deps)) {
      if ((bookmark.retryAt ?? 0) > deps.now() || !hasOwnPlan(deps, bookmark)) continue;
      const conversionId = newConversionId(deps.now());
      const slot = slotIdOf(bookmark, conversionId);
      if (!(await deps.slots.take(slot))) break;
      const outcome = await startOne(deps, bookmark, conversionId).catch(async (error: unknown) => {
        // Not even its lease could be taken (the table refused): the slot goes back at once.
        await deps.slots.give(slot);
        throw error;
      });
      if (outcome === 'started') summary.started += 1;
      else if (outcome === 'failed') summary.failedToStart += 1;
      else await deps.slots.give(slot);
      holders = (await deps.slots.holders()).length;
      if (holders >= deps.slots.cap) break;
    }
  }
  summary.inFlight = holders;
  return summary;
}

/** The queue in start order: due retries, then every PENDING partition oldest first, each once. */
async function* queueInOrder(deps: EventDrivenDeps): AsyncGenerator<Bookmark> {
  const listed = new Set<string>();
  const listings = [
    deps.store.dueRetries(deps.lakeUrl, deps.now()),
    deps.store.inState(deps.lakeUrl, 'PENDING'),
  ];
  for (const listing of listings) {
    for await (const bookmark of listing) {
      const id = describePartition(partitionOf(bookmark));
      if (listed.has(id)) continue;
      listed.add(id);
      yield bookmark;
    }
  }
}

/**
 * Whether a queued bookmark names the plan of the very objects its fingerprint counts. One with
 * another plan, or none (a CLI runner's interrupted run released it PENDING), is never converted:
 * the next planning queues the partition with its own plan.
 */
function hasOwnPlan(deps: EventDrivenDeps, queued: Bookmark): boolean {
  return (
    queued.fingerprint !== undefined &&
    queued.plan === planUrlOf(deps.lake, partitionOf(queued), queued.fingerprint)
  );
}

/** One partition: lease, plan, first run. A failure to start is an attempt that failed. */
async function startOne(
  deps: EventDrivenDeps,
  queued: Bookmark,
  conversionId: string,
): Promise<'started' | 'busy' | 'failed'> {
  const key = partitionOf(queued);
  if (queued.fingerprint === undefined || queued.plan === undefined) return 'busy';
  const owner = ownerOf(conversionId);
  // Only the very item listed, once its backoff elapsed: the listing may lag behind the table.
  const leased = await deps.store.startQueued(queued, { owner, leaseMs: leaseMsOf(deps), now: deps.now() });
  // Started, converted or failed meanwhile by another invocation, or held by a CLI runner.
  if (leased === undefined) return 'busy';
  const held = { ...leased, conversionId };
  try {
    const partition = await readPlan(deps.objects, queued.plan, key);
    const run = await deps.engine.start(requestOf(deps, partition, conversionId));
    if (
      !(await deps.store.started(key, owner, {
        conversionId,
        run,
        leaseMs: leaseMsOf(deps),
        now: deps.now(),
      }))
    )
      throw new Error(`the lease of ${owner} was lost before its first run ${run.runId} was recorded`);
    deps.observer.started(key.source);
    return 'started';
  } catch (error) {
    await failAttempt(deps, held, error).catch((failure: unknown) =>
      deps.onWarning(`Could not record the failed start of ${describePartition(key)}: ${String(failure)}`),
    );
    return 'failed';
  }
}
