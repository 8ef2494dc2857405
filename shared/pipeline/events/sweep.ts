import type { Bookmark } from '../../bookmarks/types.js';
import type { LogSource } from '../../sources/types.js';
import { continueConversion, type ContinueOutcome } from './continue-conversion.js';
import { failAttempt } from './end-attempt.js';
import { conversionStartedAt, describePartition, isEventDriven, slotOwner } from './partition-key.js';
import { leaseMsOf, type EventDrivenDeps } from './types.js';
import { partitionOf } from '../../bookmarks/keys.js';

/** A slot whose conversion is not RUNNING is given back only after this long (a start in progress holds it briefly). */
const SLOT_GRACE_MS = 10 * 60_000;

/**
 * A conversion whose run could not be polled: once nothing has looked after it for its whole lease
 * (every poll failed since), its attempt fails, so it is retried with a new run rather than left
 * RUNNING for good. The run's end is claimed first, so an event handler never races this.
 */
async function giveUpOn(deps: EventDrivenDeps, bookmark: Bookmark, said: string, now: number): Promise<void> {
  if (bookmark.activeRunId === undefined || (bookmark.leaseExpiresAt ?? 0) >= now) return;
  const key = partitionOf(bookmark);
  const claimed = await deps.store.claim(key, bookmark.activeRunId, { now, staleAfterMs: deps.stuckAfterMs });
  if (claimed === undefined) return;
  await failAttempt(
    deps,
    claimed,
    new Error(
      `The ${bookmark.step ?? ''} run ${bookmark.activeRunId} of ${describePartition(key)} could not be polled since ${bookmark.updatedAt} (${said}): tried again with a new run.`,
    ),
  );
}

/** What the sweeper found and did, and the gauges it reports. */
export interface SweepSummary {
  /** Stuck conversions polled, by what became of them. */
  polled: Partial<Record<ContinueOutcome, number>>;
  /** Conversions whose invocation died before their first run was recorded: attempts failed. */
  abandoned: number;
  /** Conversions the sweep could not look after (told as warnings): polls or writes that failed. */
  unreachable: number;
  /** Slots given back because their partition was no longer converting. */
  slotsFreed: number;
  pending: number;
  running: number;
  /** Hours since the end of the newest successfully converted day, per source that has one. */
  hoursSinceLastSuccess: Record<string, number>;
  /** Configured sources that never converted a day (a wrong prefix, or no such logs delivered). */
  neverConverted: string[];
}

/**
 * The periodic safety net: conversions that heard nothing for `pollAfterMs` have their run polled
 * (a lost event) and are continued like an event would; conversions whose first run was never
 * recorded are failed attempts once their lease expires (then retried with backoff); slots held
 * for partitions no longer converting are given back. Reports the queue gauges and each source's
 * freshness. Starting queued partitions (retries whose backoff elapsed) is the caller's next step.
 */
export async function sweep(deps: EventDrivenDeps, sources: readonly LogSource[]): Promise<SweepSummary> {
  const now = deps.now();
  const summary: SweepSummary = {
    polled: {},
    abandoned: 0,
    unreachable: 0,
    slotsFreed: 0,
    pending: 0,
    running: 0,
    hoursSinceLastSuccess: {},
    neverConverted: [],
  };
  const quietSince = new Date(now - deps.pollAfterMs).toISOString();
  for await (const bookmark of deps.store.inState(deps.lakeUrl, 'RUNNING', { before: quietSince })) {
    // A CLI runner's conversion follows the CLI's rules: once its lease expired, another runner or
    // the next planning (which queues it again) takes over.
    if (!isEventDriven(bookmark)) continue;
    const key = partitionOf(bookmark);
    try {
      if (bookmark.activeRunId !== undefined) {
        const outcome = await continueConversion(deps, bookmark);
        summary.polled[outcome] = (summary.polled[outcome] ?? 0) + 1;
        // Still running: note that it was seen alive, so the next sweeps poll it only after another quiet spell.
        if (outcome === 'still-running')
          await deps.store.renew(key, bookmark.leaseOwner ?? '', leaseMsOf(deps), now);
      } else if ((bookmark.leaseExpiresAt ?? 0) < now) {
        summary.abandoned += 1;
        await failAttempt(
          deps,
          bookmark,
          new Error(
            `The conversion of ${describePartition(key)} started at ${bookmark.startedAt ?? '?'} never recorded its first engine run (its invocation ended before): tried again.`,
          ),
        );
      }
    } catch (error) {
      // One conversion that cannot be looked after never stops the sweep of the others.
      summary.unreachable += 1;
      const said = error instanceof Error ? error.message : String(error);
      deps.onWarning(`The sweeper could not look after the conversion of ${describePartition(key)}: ${said}`);
      await giveUpOn(deps, bookmark, said, now).catch((failure: unknown) =>
        deps.onWarning(
          `The sweeper could not retry the conversion of ${describePartition(key)}: ${String(failure)}`,
        ),
      );
    }
  }
  for (const id of await deps.slots.holders()) {
    // A slot is taken just before its conversion's lease: a young one may not show in the bookmark yet.
    const owner = slotOwner(deps.lakeUrl, id);
    const takenAt = owner === undefined ? undefined : conversionStartedAt(owner.conversionId);
    if (takenAt !== undefined && takenAt > now - SLOT_GRACE_MS) continue;
    const bookmark = owner === undefined ? undefined : await deps.store.get(owner.key);
    const converting = bookmark?.state === 'RUNNING' && bookmark.conversionId === owner?.conversionId;
    if (!converting) {
      await deps.slots.give(id);
      summary.slotsFreed += 1;
    }
  }
  summary.pending = await deps.store.countInState(deps.lakeUrl, 'PENDING');
  summary.running = await deps.store.countInState(deps.lakeUrl, 'RUNNING');
  for (const source of sources) {
    const newest = await deps.store.newestSucceeded(deps.lakeUrl, source.name);
    if (newest === undefined) {
      summary.neverConverted.push(source.name);
      continue;
    }
    const endOfDay = Date.parse(`${newest.date}T00:00:00Z`) + 24 * 3_600_000;
    summary.hoursSinceLastSuccess[source.name] = Math.max(0, (now - endOfDay) / 3_600_000);
  }
  return summary;
}
