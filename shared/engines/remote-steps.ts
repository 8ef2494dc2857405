import type { RemoteConvertRequest, RemoteConvertResult } from './remote-types.js';

/**
 * One engine run of a conversion: an Athena query (steps `parse`, `rows`, `rejects`) or a Glue
 * job run (step `job`). Its id is what the service's state-change event names.
 */
export interface StepRun {
  step: string;
  /** Athena QueryExecutionId or Glue JobRunId. */
  runId: string;
}

/** What a finished step measured, kept in the bookmark until the conversion ends. */
export interface StepFigures {
  runId: string;
  /** Rows the step wrote (Athena: GetQueryResults' UpdateCount of the CTAS). */
  rows?: number;
  bytesScanned?: number;
  engineMs?: number;
}

/** A run's state as the service reports it now. */
export type RunStatus =
  | { state: 'RUNNING' }
  | { state: 'SUCCEEDED' }
  /** FAILED, CANCELLED, TIMEOUT, STOPPED, ERROR, EXPIRED: `error` names the run and the reason. */
  | { state: 'FAILED'; error: Error };

/** After a successful step: the next run was started, or the conversion is complete. */
export type StepOutcome =
  { figures: StepFigures; next: StepRun } | { figures: StepFigures; result: RemoteConvertResult };

/**
 * An AWS engine driven one run at a time, so that no process waits for a query or job: the
 * state-change event (or the sweeper's poll) of a run calls `next`, which starts the following
 * run or returns the reconciled result. Everything a step needs beyond the request is in
 * `earlier` (kept in the bookmark), so any invocation can continue any conversion.
 */
export interface StepEngine {
  readonly name: 'athena' | 'glue';
  /**
   * Prepares the conversion (manifest, catalog entries) and starts its first run. Starting the
   * same step of the same `request.runId` twice starts one run where the service allows it
   * (Athena's ClientRequestToken), so a retry after a lost answer is harmless.
   */
  start(request: RemoteConvertRequest): Promise<StepRun>;
  /**
   * The state of a run now (the events' handler confirms with it; the sweeper polls runs nobody
   * heard the end of). Given the request, a failure's message names the partition too.
   */
  status(run: StepRun, request?: RemoteConvertRequest): Promise<RunStatus>;
  /**
   * A run ended SUCCEEDED: reads its figures, then starts the next step, or reconciles the counts
   * (rowsIn = rowsOut + rowsRejected, else a ReconciliationError) and returns the result.
   */
  next(
    request: RemoteConvertRequest,
    finished: StepRun,
    earlier: Readonly<Record<string, StepFigures>>,
  ): Promise<StepOutcome>;
  /** Removes the conversion's scratch (tables, manifests, parsed files), never its staging folders. Never throws. */
  cleanUp(request: RemoteConvertRequest): Promise<void>;
}
