import { BatchStopJobRunCommand } from '@aws-sdk/client-glue';
import { DEFAULT_MAX_IN_FLIGHT, InFlightCap } from '../../aws/in-flight-cap.js';
import { DEFAULT_THROTTLE_RETRY } from '../../aws/throttle.js';
import { driveSteps } from '../drive-steps.js';
import type { RemoteEngine } from '../remote-types.js';
import { createGlueStepEngine, type GlueStepEngineOptions } from './steps.js';

/** Between two GetJobRun calls: a run lasts minutes, its start-up alone tens of seconds. */
export const DEFAULT_POLL_INTERVAL_MS = 15_000;

export interface GlueJobEngineOptions extends GlueStepEngineOptions {
  /** Conversions in flight at once (default 20); ignored when `cap` is given. */
  maxInFlight?: number;
  /** A cap shared with other engines or tests. */
  cap?: InFlightCap;
  pollIntervalMs?: number;
}

/** The Glue engine, with the cap it converts under (tests and metrics read `cap.peak`). */
export interface GlueJobEngine extends RemoteEngine {
  readonly name: 'glue';
  readonly cap: InFlightCap;
}

/**
 * The Glue engine for a process that waits (the CLI): each conversion runs the step of
 * `createGlueStepEngine` (manifest, job run, counts read back and reconciled), polling the run at
 * a fixed interval (the retry policy's `sleep` waits, so tests do not), under a cap on the runs in
 * flight. A run still going when the process is interrupted is stopped.
 */
export function createGlueJobEngine(options: GlueJobEngineOptions): GlueJobEngine {
  const steps = createGlueStepEngine(options);
  const cap = options.cap ?? new InFlightCap(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const drive = {
    waits: () => [pollIntervalMs],
    sleep: options.retry?.sleep ?? DEFAULT_THROTTLE_RETRY.sleep,
    stop: (run: { runId: string }) =>
      options.client.send(new BatchStopJobRunCommand({ JobName: options.jobName, JobRunIds: [run.runId] })),
  };
  return { name: 'glue', cap, convert: (request) => cap.run(() => driveSteps(steps, request, drive)) };
}
