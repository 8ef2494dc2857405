import { mapWithConcurrency } from '../../concurrency.js';
import type { RawObject } from '../../engines/types.js';
import { sameFingerprint } from '../../plan/decide.js';
import type { LogSource } from '../../sources/types.js';
import { planPartitions } from '../plan-partitions.js';
import { registerRawPartitions } from '../targets/remote-target.js';
import { planUrlOf, writePlan } from './partition-plan.js';
import type { EventDrivenDeps } from './types.js';
import type { FlatLayouts } from '../../flat-layouts.js';

export interface PlanRequest {
  sources: readonly LogSource[];
  dates: readonly string[];
  listRaw(dates: ReadonlySet<string>): Promise<RawObject[]>;
  account?: string;
  region?: string;
  flatLayouts?: FlatLayouts;
  /** A backfill names its days: FAILED partitions in it are queued again with a fresh budget. */
  backfill: boolean;
}

/** What planning found and did. */
export interface PlanSummary {
  partitions: number;
  queued: number;
  upToDate: number;
  /** Already queued (same objects) or being converted. */
  inProgress: number;
  failedFinal: number;
  unmatchedObjects: number;
  unmatchedExample?: string;
}

/** Plans written at once (one S3 PutObject and one conditional DynamoDB write each). */
const PLAN_WRITES_IN_FLIGHT = 16;

/**
 * The nightly (and backfill) plan: list the days' raw objects, decide from the bookmarks which
 * partitions need work, register their raw partitions, then queue each one — its plan (the exact
 * objects) written to S3, its bookmark PENDING. Nothing is started here: `startPending` starts
 * queued partitions up to the cap, now and whenever a conversion ends.
 */
export async function planConversions(deps: EventDrivenDeps, request: PlanRequest): Promise<PlanSummary> {
  const { planned, unmatched } = await planPartitions({
    ...request,
    lake: deps.lakeUrl,
    bookmarks: deps.store,
    retryBudget: deps.retryBudget,
    retryFailed: false,
    now: deps.now(),
  });
  // Queued already with these very objects and their plan (perhaps waiting out a retry backoff), or
  // running under a live lease: leave it. A PENDING one without that plan (a CLI runner released
  // it) is queued again, and so is a RUNNING one whose runner died (its lease expired).
  const now = deps.now();
  const inProgress = planned.filter(
    ({ bookmark, partition }) =>
      (bookmark?.state === 'RUNNING' && (bookmark.leaseExpiresAt ?? 0) >= now) ||
      (bookmark?.state === 'PENDING' &&
        sameFingerprint(bookmark.fingerprint, partition.fingerprint) &&
        bookmark.plan === planUrlOf(deps.lake, bookmark, partition.fingerprint)),
  );
  const toQueue = planned.filter(
    (entry) => entry.decision.action === 'convert' && !inProgress.includes(entry),
  );
  if (toQueue.length > 0)
    await registerRawPartitions(
      { ...deps, store: deps.objects },
      toQueue.map((entry) => entry.partition),
    );
  const queued = await mapWithConcurrency(toQueue, PLAN_WRITES_IN_FLIGHT, async ({ partition }) => {
    const plan = await writePlan(deps.objects, deps.lake, partition);
    return deps.store.queue(
      {
        lake: deps.lakeUrl,
        source: partition.source.name,
        account: partition.account,
        region: partition.region,
        date: partition.date,
      },
      { fingerprint: partition.fingerprint, plan, resetAttempts: request.backfill, now: deps.now() },
    );
  });
  for (const source of request.sources) {
    const count = toQueue.filter((entry, index) => queued[index] && entry.partition.source === source).length;
    if (count > 0) deps.observer.planned(source.name, count);
  }
  return {
    partitions: planned.length,
    queued: queued.filter(Boolean).length,
    upToDate: planned.filter((entry) => entry.decision.action === 'up-to-date').length,
    inProgress: inProgress.length + queued.filter((done) => !done).length,
    failedFinal: planned.filter((entry) => entry.decision.action === 'failed-final').length,
    unmatchedObjects: unmatched.length,
    unmatchedExample: unmatched[0]?.key,
  };
}
