import type { QueryExecution } from '@aws-sdk/client-athena';
import type { GlueCatalog } from '../../catalog/glue-catalog.js';
import { PipelineError, QueryError } from '../../errors.js';
import { keyIn, type S3Location, locationUrl } from '../../storage/s3-location.js';
import type { S3Store } from '../../storage/s3-store.js';
import type { RunStatus, StepFigures, StepOutcome, StepRun, StepEngine } from '../remote-steps.js';
import type { RemoteConvertRequest } from '../remote-types.js';
import { SettledRuns } from '../settled-runs.js';
import { checkReadableObjects, MANIFEST_NAME } from './manifest.js';
import { reconcile } from './reconcile.js';
import {
  ATHENA_STEPS,
  clientRequestToken,
  describeRequest,
  isAthenaStep,
  planOf,
  STEP_LABELS,
  type AthenaStep,
  type ConversionPlan,
} from './plan.js';
import {
  getQueryExecution,
  hasEnded,
  outcomeOf,
  queryFailure,
  rowsWritten,
  startQuery,
  type QueryRunnerOptions,
} from './query-runner.js';

export interface AthenaStepEngineOptions extends QueryRunnerOptions {
  /** The catalog: the lines table's partitions are pointed at their manifests, scratch tables dropped. */
  glue: GlueCatalog;
  /** Writes the manifests, deletes the scratch files. */
  store: S3Store;
  /** The database of `<source>_raw_lines` (default contract name: athena_logs). */
  database: string;
  /** Where the scratch CTAS tables are created and dropped (default: `database`). */
  scratchDatabase?: string;
  /** The lake root: manifests go to `<lake>/_manifests/`, the parsed scratch to `<lake>/_staging/`. */
  lake: S3Location;
  /** Told about clean-up that failed after the conversion itself ended (default: console.warn). */
  onWarning?: (message: string) => void;
}

/** The Athena engine driven one query at a time. */
export interface AthenaStepEngine extends StepEngine {
  readonly name: 'athena';
}

/** What a step is for in messages: with the partition when the request is at hand. */
function whatOf(step: string, request?: RemoteConvertRequest): string {
  const label = isAthenaStep(step) ? STEP_LABELS[step] : `step ${step}`;
  return request ? `${label} of ${describeRequest(request)}` : label;
}

function stepOf(run: StepRun, request: RemoteConvertRequest): AthenaStep {
  if (isAthenaStep(run.step)) return run.step;
  throw new PipelineError(
    `The Athena conversion of ${describeRequest(request)} has no step "${run.step}" (run ${run.runId}): ` +
      `its steps are ${ATHENA_STEPS.join(', ')}. The bookmark names a step this engine does not know.`,
    { source: request.source.name },
  );
}

/**
 * The Athena engine as steps: one partition converted into its staging folders by three CTAS
 * queries, each started by the call that saw the previous one end, so that no process waits.
 *
 * 1. `start`: the symlink manifest naming exactly the request's objects is written to the
 *    partition's manifest folder, and the partition of `<source>_raw_lines` is pointed at that
 *    folder through the Glue API (GetPartition, then CreatePartition or UpdatePartition) rather
 *    than an Athena `ALTER TABLE … ADD IF NOT EXISTS PARTITION`: no DDL query to queue and wait
 *    for (seconds each, counted against the active-DDL quota, with a result file), and the
 *    LOCATION is made right even when something registered the partition elsewhere, where ADD IF
 *    NOT EXISTS or BatchCreatePartition's AlreadyExists would keep the wrong one and convert other
 *    objects. Then the `parse` query starts.
 * 2. The raw data is scanned ONCE: `parse` (a CTAS) parses every line into a scratch Parquet table
 *    (typed columns, `_reject_reason`, and for rejects only their key and text). `rows` (CTAS,
 *    Snappy Parquet into `stagingData`) and `rejects` (CTAS, gzip JSON into `stagingRejects`) are
 *    then read from that scratch: the rows step scans about the size of the final Parquet, the
 *    rejects step only the reason column and the few rejected lines. Running the parse in each of
 *    three statements, as a plain UNLOAD of rows, UNLOAD of rejects and count would, bills the raw
 *    bytes three times and parses every line three times. CTAS rather than UNLOAD because Athena
 *    reports the rows a CTAS wrote (GetQueryResults' UpdateCount) and not an UNLOAD's: rowsIn is
 *    what the parse wrote, rowsOut and rowsRejected what the two later writes wrote, three counts
 *    Athena reports on its own, and `rowsIn = rowsOut + rowsRejected` or `next` throws a
 *    ReconciliationError. Queries run one after the other, so a cap on conversions is also a cap
 *    on this engine's queries in Athena.
 * 3. `cleanUp`: the three scratch tables are dropped (one BatchDeleteTable; their files stay) and
 *    the scratch files deleted; staging folders are the pipeline's to commit or delete.
 *
 * Every statement, scratch name and token is derived from the request, and the figures of the
 * finished steps come back in `earlier`, so any invocation can continue any conversion.
 *
 * The workgroup must not override client-side settings with an enforced result location: Athena
 * refuses a CTAS with `external_location` there (the FAILED message says so). Its per-query data
 * usage control does apply, and must fit the largest partition's raw bytes.
 */
export function createAthenaStepEngine(options: AthenaStepEngineOptions): AthenaStepEngine {
  const settings = {
    database: options.database,
    scratchDatabase: options.scratchDatabase ?? options.database,
    lake: options.lake,
  };
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  const succeeded = new SettledRuns<QueryExecution>();

  async function startStep(
    request: RemoteConvertRequest,
    plan: ConversionPlan,
    step: AthenaStep,
  ): Promise<StepRun> {
    const what = whatOf(step, request);
    const runId = await startQuery(options, plan.sql[step], what, clientRequestToken(request, step));
    return { step, runId };
  }

  async function start(request: RemoteConvertRequest): Promise<StepRun> {
    checkReadableObjects(request.source, request.objects);
    const plan = planOf(settings, request);
    await options.store.putObject(
      plan.manifest.bucket,
      keyIn(plan.manifest, MANIFEST_NAME),
      plan.manifestBody,
      { contentType: 'text/plain' },
    );
    await options.glue.swapPartitionLocation(
      options.database,
      plan.linesTable,
      plan.values,
      locationUrl(plan.manifest),
    );
    return startStep(request, plan, 'parse');
  }

  async function status(run: StepRun, request?: RemoteConvertRequest): Promise<RunStatus> {
    const what = whatOf(run.step, request);
    const execution = await getQueryExecution(options, run.runId, what);
    if (!hasEnded(execution)) return { state: 'RUNNING' };
    if (execution.Status?.State !== 'SUCCEEDED')
      return { state: 'FAILED', error: queryFailure(execution, what, options.workGroup) };
    succeeded.keep(run.runId, execution);
    return { state: 'SUCCEEDED' };
  }

  async function next(
    request: RemoteConvertRequest,
    finished: StepRun,
    earlier: Readonly<Record<string, StepFigures>>,
  ): Promise<StepOutcome> {
    const step = stepOf(finished, request);
    const what = whatOf(step, request);
    const execution =
      succeeded.take(finished.runId) ?? (await getQueryExecution(options, finished.runId, what));
    if (!hasEnded(execution))
      throw new QueryError(
        `Athena query ${finished.runId} (${what}) has not ended (${execution.Status?.State ?? 'no state'}): its figures cannot be read yet.`,
        { queryExecutionId: finished.runId, state: execution.Status?.State ?? 'UNKNOWN' },
      );
    const outcome = outcomeOf(execution, what, options.workGroup);
    const figures: StepFigures = {
      runId: finished.runId,
      rows: await rowsWritten(options, finished.runId, what),
      bytesScanned: outcome.bytesScanned,
      engineMs: outcome.engineMs,
    };
    const following = ATHENA_STEPS[ATHENA_STEPS.indexOf(step) + 1];
    if (following) return { figures, next: await startStep(request, planOf(settings, request), following) };
    return { figures, result: reconcile(request, { ...earlier, [step]: figures }) };
  }

  async function cleanUp(request: RemoteConvertRequest): Promise<void> {
    const what = describeRequest(request);
    let plan: ConversionPlan;
    try {
      plan = planOf(settings, request);
    } catch (error) {
      warn(`The scratch of ${what} was not cleaned up: its names could not be derived (${String(error)}).`);
      return;
    }
    const { tables, parsedLocation } = plan;
    const names = [tables.parsed, tables.rows, tables.rejects];
    await options.glue.deleteTables(settings.scratchDatabase, names).catch((error: unknown) => {
      warn(`The scratch tables of ${what} (${names.join(', ')}) were not all dropped: ${String(error)}`);
    });
    try {
      const objects = await options.store.listObjects(parsedLocation);
      await options.store.deleteObjects(
        parsedLocation.bucket,
        objects.map((object) => keyIn(parsedLocation, object.key)),
      );
    } catch (error) {
      warn(
        `The scratch files of ${what} under ${locationUrl(parsedLocation)} were not all deleted: ${String(error)}`,
      );
    }
  }

  return { name: 'athena', start, status, next, cleanUp };
}
