import type { GlueClient, JobRun, StartJobRunRequest, WorkerType } from '@aws-sdk/client-glue';
import { DEFAULT_THROTTLE_RETRY, type ThrottleRetryOptions } from '../../aws/throttle.js';
import { JobRunError, PipelineError, UsageError } from '../../errors.js';
import { s3Url, type S3Location } from '../../storage/s3-location.js';
import type { S3Store } from '../../storage/s3-store.js';
import type { RunStatus, StepOutcome, StepRun, StepEngine } from '../remote-steps.js';
import type { RemoteConvertRequest } from '../remote-types.js';
import { SettledRuns } from '../settled-runs.js';
import { readJobCounts } from './counts.js';
import { failedRunError, getJobRun, hasEnded, startJobRun, type RunSubject } from './job-run.js';
import { buildManifest, jobArguments, runObjects } from './manifest.js';
import { describeSourcePartition } from '../../sources/partition.js';

/** The one step of a Glue conversion: the job run. */
export const GLUE_STEP = 'job';

export interface GlueStepEngineOptions {
  client: GlueClient;
  /** Writes the manifest, reads the counts, removes both after a success. */
  store: S3Store;
  /** The deployed job running jobs/convert_logs.py. */
  jobName: string;
  /** Where manifests and counts go: a prefix outside every table (e.g. `<lake>/_staging/glue/`). */
  scratch: S3Location;
  /** Worker type and count of each run, both or neither (then the job's own). */
  workerType?: WorkerType;
  numberOfWorkers?: number;
  /** Minutes before Glue ends a run as TIMEOUT (the job's own timeout otherwise). */
  timeoutMinutes?: number;
  /** FLEX runs on spare capacity, for less, when a night's conversions are not urgent. */
  executionClass?: 'STANDARD' | 'FLEX';
  /** Lets Glue queue runs over its limits (state WAITING) instead of refusing them. */
  jobRunQueuing?: boolean;
  /** Backoff of refused calls (injected `sleep` and `random` in tests). */
  retry?: Partial<ThrottleRetryOptions>;
  /** Told about clean-up that failed after a conversion succeeded (default: console.warn). */
  onWarning?: (message: string) => void;
}

/** The Glue engine driven one job run at a time. */
export interface GlueStepEngine extends StepEngine {
  readonly name: 'glue';
}

function checkOptions(options: GlueStepEngineOptions): void {
  if (options.jobName.trim() === '')
    throw new UsageError('glue.jobName: --engine glue needs the name of the deployed Glue job.', {
      field: 'glue.jobName',
    });
  if ((options.workerType === undefined) !== (options.numberOfWorkers === undefined))
    throw new UsageError(
      "glue.workerType and glue.numberOfWorkers go together: Glue takes both or neither (then the job's own).",
      { field: 'glue.workerType' },
    );
}

async function readText(store: S3Store, bucket: string, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.getObjectStream(bucket, key))
    chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

function startInput(
  options: GlueStepEngineOptions,
  argumentsOfRun: Record<string, string>,
): StartJobRunRequest & { JobName: string } {
  const { jobName, workerType, numberOfWorkers, timeoutMinutes, executionClass, jobRunQueuing } = options;
  return {
    JobName: jobName,
    Arguments: argumentsOfRun,
    ...(workerType !== undefined ? { WorkerType: workerType, NumberOfWorkers: numberOfWorkers } : {}),
    ...(timeoutMinutes !== undefined ? { Timeout: timeoutMinutes } : {}),
    ...(executionClass !== undefined ? { ExecutionClass: executionClass } : {}),
    ...(jobRunQueuing !== undefined ? { JobRunQueuingEnabled: jobRunQueuing } : {}),
  };
}

/** Who messages are about: the partition of the request. */
function subjectOf(jobName: string, request: RemoteConvertRequest): RunSubject {
  return {
    jobName,
    partition: describeSourcePartition(request.source.name, request.partition),
    source: request.source.name,
  };
}

/**
 * A failed run, named from its own arguments when the request is not at hand (the sweeper polling
 * a run): the source it converted and the manifest it was given.
 */
function failureOf(
  jobName: string,
  run: JobRun,
  jobRunId: string,
  request: RemoteConvertRequest | undefined,
  scratch: S3Location,
): JobRunError {
  if (request) {
    const objects = runObjects(scratch, request);
    return failedRunError(
      run,
      jobRunId,
      subjectOf(jobName, request),
      s3Url(objects.manifest.bucket, objects.manifest.key),
    );
  }
  const source = run.Arguments?.['--source'] ?? 'unknown source';
  return failedRunError(
    run,
    jobRunId,
    { jobName, partition: source, source },
    run.Arguments?.['--manifest'] ?? 'its --manifest argument',
  );
}

/**
 * The Glue engine as steps: one job run per partition. `start` writes a manifest naming exactly
 * the request's objects (with the source definition the job parses with) and starts the job with
 * its arguments (throttling and concurrent-run refusals waited out with jittered backoff). Once
 * the run SUCCEEDED, `next` reads back the counts the job wrote, reconciles them and deletes the
 * manifest and counts. A run that does not succeed is a JobRunError naming the run, its state and
 * Glue's message; its manifest is kept for inspection, so `cleanUp` has nothing to remove. The
 * pipeline then commits `stagingData` as the partition's LOCATION: the engine never touches the
 * converted table's catalog entry.
 *
 * Glue's StartJobRun takes no idempotency token: a `start` sent again starts a second run.
 */
export function createGlueStepEngine(options: GlueStepEngineOptions): GlueStepEngine {
  checkOptions(options);
  const policy: ThrottleRetryOptions = { ...DEFAULT_THROTTLE_RETRY, ...options.retry };
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  const { client, store, jobName } = options;
  const succeeded = new SettledRuns<JobRun>();

  async function start(request: RemoteConvertRequest): Promise<StepRun> {
    const objects = runObjects(options.scratch, request);
    const manifest = buildManifest(request, objects);
    await store.putObject(objects.manifest.bucket, objects.manifest.key, JSON.stringify(manifest), {
      contentType: 'application/json',
    });
    const runId = await startJobRun(
      client,
      startInput(options, jobArguments(manifest, objects)),
      subjectOf(jobName, request),
      policy,
    );
    return { step: GLUE_STEP, runId };
  }

  async function status(run: StepRun, request?: RemoteConvertRequest): Promise<RunStatus> {
    const subject = request
      ? subjectOf(jobName, request)
      : { jobName, partition: `the ${run.step} step`, source: 'unknown' };
    const jobRun = await getJobRun(client, run.runId, subject, policy);
    if (!hasEnded(jobRun)) return { state: 'RUNNING' };
    if (jobRun.JobRunState !== 'SUCCEEDED')
      return { state: 'FAILED', error: failureOf(jobName, jobRun, run.runId, request, options.scratch) };
    succeeded.keep(run.runId, jobRun);
    return { state: 'SUCCEEDED' };
  }

  async function next(request: RemoteConvertRequest, finished: StepRun): Promise<StepOutcome> {
    const subject = subjectOf(jobName, request);
    if (finished.step !== GLUE_STEP)
      throw new PipelineError(
        `The Glue conversion of ${subject.partition} has no step "${finished.step}" (run ${finished.runId}): ` +
          `its one step is ${GLUE_STEP}. The bookmark names a step this engine does not know.`,
        { source: subject.source },
      );
    const jobRunId = finished.runId;
    const run = succeeded.take(jobRunId) ?? (await getJobRun(client, jobRunId, subject, policy));
    if (!hasEnded(run))
      throw new JobRunError(
        `Glue job run ${jobRunId} of job "${jobName}" (${subject.partition}) has not ended (${run.JobRunState ?? 'no state'}): its counts cannot be read yet.`,
        { jobName, jobRunId, state: run.JobRunState ?? 'UNKNOWN', source: subject.source },
      );
    if (run.JobRunState !== 'SUCCEEDED') throw failureOf(jobName, run, jobRunId, request, options.scratch);
    const objects = runObjects(options.scratch, request);
    const countsUrl = s3Url(objects.counts.bucket, objects.counts.key);
    const counts = readJobCounts(await readText(store, objects.counts.bucket, objects.counts.key), {
      ...subject,
      jobRunId,
      url: countsUrl,
      runId: request.runId,
    });
    // Kept after a failure (to inspect or rerun the run); after a success they serve nothing more.
    await store
      .deleteObjects(objects.manifest.bucket, [objects.manifest.key, objects.counts.key])
      .catch((error: unknown) =>
        warn(
          `The manifest and counts of Glue job run ${jobRunId} (${s3Url(objects.manifest.bucket, objects.manifest.key)}) were not deleted: ${String(error)}`,
        ),
      );
    const engineMs = run.ExecutionTime !== undefined ? run.ExecutionTime * 1000 : undefined;
    return {
      figures: { runId: jobRunId, rows: counts.rowsOut, ...(engineMs !== undefined ? { engineMs } : {}) },
      result: {
        rowsIn: counts.rowsIn,
        rowsOut: counts.rowsOut,
        rowsRejected: counts.rowsRejected,
        bytesIn: counts.bytesIn,
        engine: {
          kind: 'glue',
          id: jobRunId,
          ...(engineMs !== undefined ? { engineMs } : {}),
          state: 'SUCCEEDED',
        },
      },
    };
  }

  return {
    name: 'glue',
    start,
    status,
    next,
    // Nothing to drop: no catalog entries, and a failed run's manifest is kept for inspection.
    cleanUp: async () => undefined,
  };
}
