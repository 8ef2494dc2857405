import type { Bookmark, ConversionFigures, StagedFigures } from '../../bookmarks/types.js';
import type { RemoteConvertRequest } from '../../engines/remote-types.js';
import type { StepRun } from '../../engines/remote-steps.js';
import { locationUrl } from '../../storage/s3-location.js';
import { commitStaged, discardStaged, remoteFiguresOf } from '../targets/remote-target.js';
import { failAttempt } from './end-attempt.js';
import { deletePlan, readPlan } from './partition-plan.js';
import { slotIdOf, requestOf } from './partition-key.js';
import { leaseMsOf, type EventDrivenDeps } from './types.js';
import { partitionOf } from '../../bookmarks/keys.js';

/**
 * The figures an earlier invocation recorded when it reached the commit of this conversion's
 * version (and then died before SUCCEEDED), if any: that version may already be served.
 */
function committedFigures(claimed: Bookmark, request: RemoteConvertRequest): StagedFigures | undefined {
  const { rowsIn, rowsOut, rowsRejected, bytesIn, engineRunId, bytesScanned, engineMs, location } = claimed;
  if (
    location !== locationUrl(request.stagingData) ||
    engineRunId === undefined ||
    rowsIn === undefined ||
    rowsOut === undefined ||
    rowsRejected === undefined ||
    bytesIn === undefined
  )
    return undefined;
  return { rowsIn, rowsOut, rowsRejected, bytesIn, engineRunId, bytesScanned, engineMs, location };
}

/** What became of a conversion when one of its runs was reported (or polled). */
export type ContinueOutcome =
  'unknown-run' | 'still-running' | 'already-handled' | 'advanced' | 'succeeded' | 'retry' | 'failed';

/**
 * A state-change event named run `runId`: find its conversion, and continue it from the bookmark.
 * Runs of no bookmark (another tool's query in the workgroup, or a run already handled) are
 * ignored; the state is read from the service, not trusted from the event.
 */
export async function onRunEnded(deps: EventDrivenDeps, runId: string): Promise<ContinueOutcome> {
  const bookmark = await deps.store.byActiveRun(runId);
  if (bookmark === undefined) return 'unknown-run';
  return continueConversion(deps, bookmark);
}

/**
 * Continues a RUNNING conversion whose run may have ended: asks the engine for the run's state;
 * when it ended, takes it in hand (one invocation only: duplicated events and the sweeper race
 * here), then starts the next step, or commits and marks the partition SUCCEEDED, or counts the
 * failed attempt (retry after a backoff, or FAILED for good).
 */
export async function continueConversion(
  deps: EventDrivenDeps,
  bookmark: Bookmark,
): Promise<ContinueOutcome> {
  if (bookmark.activeRunId === undefined || bookmark.step === undefined) return 'unknown-run';
  const run: StepRun = { step: bookmark.step, runId: bookmark.activeRunId };
  const status = await deps.engine.status(run);
  if (status.state === 'RUNNING') return 'still-running';
  const key = partitionOf(bookmark);
  const claimed = await deps.store.claim(key, run.runId, {
    now: deps.now(),
    staleAfterMs: deps.stuckAfterMs,
  });
  if (claimed === undefined) return 'already-handled';
  let request: RemoteConvertRequest | undefined;
  // Until the swap, what the conversion staged is deleted on failure; after it, never (it may be live).
  let discardable = true;
  try {
    const partition = await readPlan(deps.objects, claimed.plan ?? '', key);
    request = requestOf(deps, partition, claimed.conversionId ?? '');
    // An invocation that reached the swap of this very version and died there left its figures behind.
    const committed = committedFigures(claimed, request);
    if (committed !== undefined) discardable = false;
    if (status.state === 'FAILED') {
      // Asked again with the request, so that the message names the partition.
      const said = await deps.engine.status(run, request).catch(() => status);
      throw said.state === 'FAILED' ? said.error : status.error;
    }
    let figures = committed;
    if (figures === undefined) {
      const outcome = await deps.engine.next(request, run, claimed.steps ?? {});
      if ('next' in outcome) {
        const recorded = await deps.store.advanced(key, claimed, {
          finished: run,
          figures: outcome.figures,
          next: outcome.next,
          leaseMs: leaseMsOf(deps),
          now: deps.now(),
        });
        return recorded ? 'advanced' : 'already-handled';
      }
      figures = remoteFiguresOf(outcome.result, request);
      // Recorded before the swap, so that whoever takes this run in hand again knows it may be served.
      if (!(await deps.store.committing(key, claimed, figures, deps.now()))) return 'already-handled';
    }
    discardable = false;
    const location = await commitStaged(
      { store: deps.objects, catalog: deps.catalog, onWarning: deps.onWarning },
      partition,
      request,
    );
    const final: ConversionFigures = {
      ...figures,
      seconds: (deps.now() - Date.parse(claimed.startedAt ?? new Date(deps.now()).toISOString())) / 1000,
      location,
    };
    await deps.store.succeed(key, claimed.leaseOwner ?? '', final, deps.now());
    await deps.slots.give(slotIdOf(key, claimed.conversionId ?? ''));
    deps.observer.succeeded(key.source, final);
    await deletePlan(deps.objects, claimed.plan, key);
    await deps.engine.cleanUp(request);
    return 'succeeded';
  } catch (error) {
    if (request !== undefined) {
      await deps.engine.cleanUp(request);
      if (discardable) await discardStaged(deps.objects, request);
    }
    return failAttempt(deps, claimed, error);
  }
}
