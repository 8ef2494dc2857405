import { BatchStopJobRunCommand } from '@aws-sdk/client-glue';
import { trackRunningWork } from '../../aws/running-work.js';
import type { GlueClient, StartJobRunRequest, WorkerType } from '@aws-sdk/client-glue';
import { DEFAULT_MAX_IN_FLIGHT, InFlightCap } from '../../aws/in-flight-cap.js';
import { DEFAULT_THROTTLE_RETRY, type ThrottleRetryOptions } from '../../aws/throttle.js';
import { UsageError } from '../../errors.js';
import { s3Url, type S3Location } from '../../storage/s3-location.js';
import type { S3Store } from '../../storage/s3-store.js';
import type { RemoteConvertRequest, RemoteConvertResult, RemoteEngine } from '../remote-types.js';
import { readJobCounts } from './counts.js';
import { failedRunError, startJobRun, waitForJobRun, type RunSubject } from './job-run.js';
import { buildManifest, jobArguments, runObjects } from './manifest.js';

/** Between two GetJobRun calls: a run lasts minutes, its start-up alone tens of seconds. */
export const DEFAULT_POLL_INTERVAL_MS = 15_000;

export interface GlueJobEngineOptions {
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
  /** Conversions in flight at once (default 20); ignored when `cap` is given. */
  maxInFlight?: number;
  /** A cap shared with other engines or tests. */
  cap?: InFlightCap;
  pollIntervalMs?: number;
  /** Backoff of refused calls; its `sleep` also waits between polls (injected in tests). */
  retry?: Partial<ThrottleRetryOptions>;
  /** Told about clean-up that failed after a conversion succeeded (default: console.warn). */
  onWarning?: (message: string) => void;
}

/** The Glue engine, with the cap it converts under (tests and metrics read `cap.peak`). */
export interface GlueJobEngine extends RemoteEngine {
  readonly name: 'glue';
  readonly cap: InFlightCap;
}

function checkOptions(options: GlueJobEngineOptions): void {
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
  options: GlueJobEngineOptions,
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

/**
 * The Glue engine: one job run per partition, under a cap on the runs in flight. It writes a
 * manifest naming exactly the request's objects (with the source definition the job parses
 * with), starts the job with its arguments (throttling and concurrent-run refusals waited out
 * with jittered backoff), polls the run to its end, then reads back the counts the job wrote and
 * reconciles them. A run that does not succeed throws a JobRunError naming the run, its state and
 * Glue's message; its manifest is kept for inspection. The pipeline then commits `stagingData`
 * as the partition's LOCATION: the engine never touches the converted table's catalog entry.
 */
export function createGlueJobEngine(options: GlueJobEngineOptions): GlueJobEngine {
  checkOptions(options);
  const cap = options.cap ?? new InFlightCap(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  const policy: ThrottleRetryOptions = { ...DEFAULT_THROTTLE_RETRY, ...options.retry };
  const warn = options.onWarning ?? ((message: string) => console.warn(message));

  async function convert(request: RemoteConvertRequest): Promise<RemoteConvertResult> {
    const { client, store, jobName } = options;
    const { account, region, date } = request.partition;
    const subject: RunSubject = {
      jobName,
      partition: `${request.source.name} ${account}/${region}/${date}`,
      source: request.source.name,
    };
    const objects = runObjects(options.scratch, request);
    const manifest = buildManifest(request, objects);
    const manifestUrl = s3Url(objects.manifest.bucket, objects.manifest.key);
    await store.putObject(objects.manifest.bucket, objects.manifest.key, JSON.stringify(manifest), {
      contentType: 'application/json',
    });
    const jobRunId = await startJobRun(
      client,
      startInput(options, jobArguments(manifest, objects)),
      subject,
      policy,
    );
    const untrack = trackRunningWork(`glue:${jobRunId}`, () =>
      options.client.send(new BatchStopJobRunCommand({ JobName: options.jobName, JobRunIds: [jobRunId] })),
    );
    const run = await waitForJobRun(
      client,
      jobRunId,
      subject,
      policy,
      options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    ).finally(untrack);
    if (run.JobRunState !== 'SUCCEEDED') throw failedRunError(run, jobRunId, subject, manifestUrl);
    const counts = readJobCounts(await readText(store, objects.counts.bucket, objects.counts.key), {
      ...subject,
      jobRunId,
      url: manifest.countsOutput,
      runId: request.runId,
    });
    // Kept after a failure (to inspect or rerun the run); after a success they serve nothing more.
    await store
      .deleteObjects(objects.manifest.bucket, [objects.manifest.key, objects.counts.key])
      .catch((error: unknown) =>
        warn(
          `The manifest and counts of Glue job run ${jobRunId} (${manifestUrl}) were not deleted: ${String(error)}`,
        ),
      );
    return {
      rowsIn: counts.rowsIn,
      rowsOut: counts.rowsOut,
      rowsRejected: counts.rowsRejected,
      bytesIn: counts.bytesIn,
      engine: {
        kind: 'glue',
        id: jobRunId,
        ...(run.ExecutionTime !== undefined ? { engineMs: run.ExecutionTime * 1000 } : {}),
        state: run.JobRunState,
      },
    };
  }

  return { name: 'glue', cap, convert: (request) => cap.run(() => convert(request)) };
}
