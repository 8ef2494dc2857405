import {
  GetJobRunCommand,
  StartJobRunCommand,
  type GlueClient,
  type JobRun,
  type StartJobRunRequest,
} from '@aws-sdk/client-glue';
import { isThrottlingError, withThrottleRetry, type ThrottleRetryOptions } from '../../aws/throttle.js';
import { glueErrorCode } from '../../catalog/glue-errors.js';
import { JobRunError } from '../../errors.js';

/** Throttling, or one of the extra codes a Glue action can wait out. */
function refusedForNow(extraCodes: ReadonlySet<string>): (error: unknown) => boolean {
  return (error) => isThrottlingError(error) || extraCodes.has(glueErrorCode(error) ?? '');
}

/**
 * Besides throttling (the request did nothing, so sending it again is safe), StartJobRun waits out
 * the job's MaxConcurrentRuns, or the account's quota, being reached.
 */
const START_LATER = refusedForNow(new Set(['ConcurrentRunsExceededException']));
/** GetJobRun only reads: a transient service failure is worth another try too. */
const READ_AGAIN = refusedForNow(new Set(['InternalServiceException', 'OperationTimeoutException']));

/** States after which a run changes no more. */
export const FINAL_STATES = new Set(['SUCCEEDED', 'FAILED', 'TIMEOUT', 'STOPPED', 'ERROR', 'EXPIRED']);

/** Who a message is about: the job, and the partition the run converts. */
export interface RunSubject {
  jobName: string;
  /** `alb 123456789012/us-east-1/2024-01-05`. */
  partition: string;
  source: string;
}

function gaveUp(subject: RunSubject, action: string, jobRunId: string | undefined) {
  return (error: unknown, attempts: number): JobRunError => {
    const code = glueErrorCode(error) ?? 'Error';
    const run = jobRunId
      ? `job run ${jobRunId} of Glue job "${subject.jobName}"`
      : `Glue job "${subject.jobName}"`;
    const advice =
      code === 'ConcurrentRunsExceededException'
        ? ' The job allows fewer concurrent runs than athena-logs starts: raise its MaxConcurrentRuns ' +
          '(ExecutionProperty) to the conversion cap (20 by default), lower the cap, or enable job run queuing.'
        : ' Glue is throttling this account: lower the conversion cap or run again later.';
    return new JobRunError(
      `${action} for ${run} (${subject.partition}) was refused with ${code} ${attempts} times in a row, ` +
        `waiting longer after each.${advice}`,
      {
        jobName: subject.jobName,
        jobRunId,
        state: action,
        reason: code,
        source: subject.source,
        cause: error,
      },
    );
  };
}

/** Starts a job run, waiting out throttling and concurrent-run limits; returns its JobRunId. */
export async function startJobRun(
  glue: GlueClient,
  input: StartJobRunRequest & { JobName: string },
  subject: RunSubject,
  policy: ThrottleRetryOptions,
): Promise<string> {
  const response = await withThrottleRetry(() => glue.send(new StartJobRunCommand(input)), policy, {
    retryable: START_LATER,
    giveUp: gaveUp(subject, 'StartJobRun', undefined),
  });
  if (!response.JobRunId)
    throw new JobRunError(
      `StartJobRun for Glue job "${subject.jobName}" (${subject.partition}) returned no JobRunId.`,
      {
        jobName: subject.jobName,
        state: 'StartJobRun',
        source: subject.source,
      },
    );
  return response.JobRunId;
}

/** One GetJobRun (throttling and transient service failures waited out): the run as Glue sees it now. */
export async function getJobRun(
  glue: GlueClient,
  jobRunId: string,
  subject: RunSubject,
  policy: ThrottleRetryOptions,
): Promise<JobRun> {
  const response = await withThrottleRetry(
    () => glue.send(new GetJobRunCommand({ JobName: subject.jobName, RunId: jobRunId })),
    policy,
    { retryable: READ_AGAIN, giveUp: gaveUp(subject, 'GetJobRun', jobRunId) },
  );
  return response.JobRun ?? {};
}

/** True once a run is in a state it never leaves (STARTING, RUNNING, STOPPING and WAITING are not). */
export function hasEnded(run: JobRun): boolean {
  return FINAL_STATES.has(run.JobRunState ?? '');
}

/** Why a run ended as it did, in words a user can act on. */
function explanation(run: JobRun): string {
  switch (run.JobRunState) {
    case 'TIMEOUT':
      return ` It ran into the job's timeout (${run.Timeout ?? '?'} minutes): raise the timeout or the workers.`;
    case 'STOPPED':
      return ' It was stopped (BatchStopJobRun, or the console) before it finished.';
    case 'EXPIRED':
      return ' It waited in the queue longer than its timeout and never started.';
    default:
      return '';
  }
}

/** The error for a run that ended in any state but SUCCEEDED: names the run, its state and Glue's message. */
export function failedRunError(
  run: JobRun,
  jobRunId: string,
  subject: RunSubject,
  manifestUrl: string,
): JobRunError {
  const state = run.JobRunState ?? 'UNKNOWN';
  const said = run.ErrorMessage
    ? `: ${run.ErrorMessage.trim().replace(/\.?$/, '.')}`
    : ' (Glue gave no error message).';
  return new JobRunError(
    `Glue job run ${jobRunId} of job "${subject.jobName}" (${subject.partition}) ended ${state}${said}` +
      `${explanation(run)} Its manifest stays at ${manifestUrl}; the previous version of the partition stays served.`,
    { jobName: subject.jobName, jobRunId, state, reason: run.ErrorMessage, source: subject.source },
  );
}
