import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import {
  isThrottlingError,
  realSleep,
  withThrottleRetry,
  type ThrottleRetryOptions,
} from '../../aws/throttle.js';
import { trackRunningWork } from '../../aws/running-work.js';
import { QueryError, ScanLimitError } from '../../errors.js';
import { pollUntil } from '../drive-steps.js';

/** Where and how the queries run. */
export interface QueryRunnerOptions {
  client: AthenaClient;
  /** The workgroup every query runs in (its settings, data usage controls and engine version apply). */
  workGroup: string;
  /**
   * `ResultConfiguration.OutputLocation` (s3://…/): where Athena keeps each query's result and
   * metadata. Leave it out when the workgroup sets (and enforces) its own.
   */
  outputLocation?: string;
  /** First wait between two GetQueryExecution calls, in ms (default 1,000); it doubles up to `maxPollMs`. */
  pollMs?: number;
  /** Longest wait between two polls, in ms (default 5,000). */
  maxPollMs?: number;
  /** Waits between polls (injected so that tests do not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** How throttled Athena calls are retried (StartQueryExecution above all). */
  retry?: Partial<ThrottleRetryOptions>;
}

/** A query that SUCCEEDED: its id, and what Athena reports it cost. */
export interface QueryOutcome {
  queryExecutionId: string;
  state: 'SUCCEEDED';
  /** `Statistics.DataScannedInBytes` (what the query is billed for). */
  bytesScanned: number;
  /** `Statistics.EngineExecutionTimeInMillis`. */
  engineMs: number;
}

const FINAL_STATES = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * How Athena words the cancellation of a query by the workgroup's per-query data usage control
 * (BytesScannedCutoffPerQuery): the query ends CANCELLED with a StateChangeReason such as
 * "Bytes scanned limit was exceeded".
 */
const SCAN_LIMIT = /bytes scanned limit/i;

/**
 * The conversion writes with `CREATE TABLE … WITH (external_location = …)`, which Athena refuses
 * in a workgroup that enforces its own query result location ("Override client-side settings").
 */
const EXTERNAL_LOCATION = /external_location/i;
const ENFORCED_LOCATION_ADVICE =
  ' If the workgroup overrides client-side settings (an enforced query result location), Athena refuses ' +
  'CREATE TABLE AS with an external_location: run the conversions in a workgroup that does not override them.';

/** Calls Athena, retried while it throttles; other failures become QueryErrors naming the call. */
async function send<T>(
  options: QueryRunnerOptions,
  what: string,
  operation: string,
  queryExecutionId: string | undefined,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await withThrottleRetry(call, options.retry);
  } catch (error) {
    const throttled = isThrottlingError(error);
    const said = error instanceof Error ? error.message : String(error);
    throw new QueryError(
      `${operation}${queryExecutionId ? ` of query ${queryExecutionId}` : ''} for ${what} failed: ${
        throttled
          ? "Athena was still throttling after every retry (the account's active-query quota is full): lower the number of conversions in flight, or ask for a higher quota."
          : said
      }`,
      {
        queryExecutionId,
        state: operation === 'StartQueryExecution' ? 'NOT_STARTED' : 'UNKNOWN',
        reason: said,
        cause: error,
      },
    );
  }
}

/** The error for a query that ended FAILED or CANCELLED, saying what to do when the scan limit cancelled it. */
export function queryFailure(execution: QueryExecution, what: string, workGroup: string): QueryError {
  const id = execution.QueryExecutionId ?? '?';
  const state = execution.Status?.State ?? 'UNKNOWN';
  const athenaError = execution.Status?.AthenaError;
  const reason = execution.Status?.StateChangeReason ?? athenaError?.ErrorMessage ?? 'Athena gave no reason';
  const bytesScanned = execution.Statistics?.DataScannedInBytes;
  const context = { queryExecutionId: id, state, reason, bytesScanned };
  if (state === 'CANCELLED' && (SCAN_LIMIT.test(reason) || SCAN_LIMIT.test(athenaError?.ErrorMessage ?? '')))
    return new ScanLimitError(
      `Athena query ${id} (${what}) was CANCELLED by the per-query data usage control of workgroup ${workGroup} ` +
        `after scanning ${bytesScanned ?? 'an unknown number of'} bytes ("${reason}"). Raise or remove the workgroup's ` +
        'limit (BytesScannedCutoffPerQuery: Athena console, Workgroups, Data usage controls; or UpdateWorkGroup), ' +
        "or run the conversions in a workgroup whose limit fits a whole day of one partition's raw logs.",
      context,
    );
  const category =
    athenaError?.ErrorCategory === undefined
      ? ''
      : ` (error category ${athenaError.ErrorCategory}, type ${athenaError.ErrorType ?? '?'}${athenaError.Retryable ? ', retryable' : ''})`;
  return new QueryError(
    `Athena query ${id} (${what}) ended ${state}: ${reason}${category}.${EXTERNAL_LOCATION.test(reason) ? ENFORCED_LOCATION_ADVICE : ''}`,
    context,
  );
}

/** The waits between two GetQueryExecution calls of one query: `pollMs`, doubling up to `maxPollMs`. */
export function* pollIntervals(options: Pick<QueryRunnerOptions, 'pollMs' | 'maxPollMs'>): Generator<number> {
  const maxPollMs = options.maxPollMs ?? 5_000;
  for (let waitMs = options.pollMs ?? 1_000; ; waitMs = Math.min(maxPollMs, waitMs * 2)) yield waitMs;
}

/**
 * StartQueryExecution in the configured workgroup (and result location), retried while Athena
 * throttles; returns the query execution id. With a `clientRequestToken` (32 to 128 characters),
 * a start sent again with the same token and statement — a retry after a lost answer — gets the
 * same query back instead of running a second one.
 */
export async function startQuery(
  options: QueryRunnerOptions,
  sql: string,
  what: string,
  clientRequestToken?: string,
): Promise<string> {
  const started = await send(options, what, 'StartQueryExecution', undefined, () =>
    options.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        ...(clientRequestToken ? { ClientRequestToken: clientRequestToken } : {}),
        WorkGroup: options.workGroup,
        ...(options.outputLocation
          ? { ResultConfiguration: { OutputLocation: options.outputLocation } }
          : {}),
      }),
    ),
  );
  const id = started.QueryExecutionId;
  if (!id)
    throw new QueryError(`StartQueryExecution for ${what} answered without a query execution id.`, {
      state: 'NOT_STARTED',
    });
  return id;
}

/** One GetQueryExecution (retried while Athena throttles): the query's state and statistics now. */
export async function getQueryExecution(
  options: QueryRunnerOptions,
  queryExecutionId: string,
  what: string,
): Promise<QueryExecution> {
  const answer = await send(options, what, 'GetQueryExecution', queryExecutionId, () =>
    options.client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryExecutionId })),
  );
  return { ...answer.QueryExecution, QueryExecutionId: queryExecutionId };
}

/** True once a query is SUCCEEDED, FAILED or CANCELLED (QUEUED and RUNNING are not). */
export function hasEnded(execution: QueryExecution): boolean {
  return FINAL_STATES.has(execution.Status?.State ?? '');
}

/**
 * What a query that ended reports: its outcome when it SUCCEEDED; a QueryError naming the query id
 * and Athena's reason when it FAILED or was CANCELLED (see `queryFailure`).
 */
export function outcomeOf(execution: QueryExecution, what: string, workGroup: string): QueryOutcome {
  const id = execution.QueryExecutionId ?? '?';
  if (execution.Status?.State !== 'SUCCEEDED') throw queryFailure(execution, what, workGroup);
  return {
    queryExecutionId: id,
    state: 'SUCCEEDED',
    bytesScanned: execution.Statistics?.DataScannedInBytes ?? 0,
    engineMs: execution.Statistics?.EngineExecutionTimeInMillis ?? 0,
  };
}

/**
 * Runs one statement: StartQueryExecution (see `startQuery`), then GetQueryExecution at growing
 * intervals until the query is SUCCEEDED, FAILED or CANCELLED. SUCCEEDED gives the query id, bytes
 * scanned and engine time; FAILED and CANCELLED throw a QueryError naming the query id and
 * Athena's reason (a ScanLimitError, with the fix, when the workgroup's scan limit cancelled it).
 * `what` says in messages what the query was for. The query is stopped if the process is
 * interrupted while it runs.
 */
export async function runQuery(
  options: QueryRunnerOptions,
  sql: string,
  what: string,
): Promise<QueryOutcome> {
  const id = await startQuery(options, sql, what);
  const untrack = trackRunningWork(`athena:${id}`, () =>
    options.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })),
  );
  try {
    const execution = await pollUntil(
      async () => {
        const now = await getQueryExecution(options, id, what);
        return hasEnded(now) ? now : undefined;
      },
      pollIntervals(options),
      options.sleep ?? realSleep,
    );
    return outcomeOf(execution, what, options.workGroup);
  } finally {
    untrack();
  }
}

/**
 * The number of rows a SUCCEEDED `CREATE TABLE AS SELECT` wrote (GetQueryResults' UpdateCount);
 * a missing count fails rather than being read as zero.
 */
export async function rowsWritten(
  options: QueryRunnerOptions,
  queryExecutionId: string,
  what: string,
): Promise<number> {
  const answer = await send(options, what, 'GetQueryResults', queryExecutionId, () =>
    options.client.send(new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, MaxResults: 1 })),
  );
  if (typeof answer.UpdateCount !== 'number')
    throw new QueryError(
      `GetQueryResults of query ${queryExecutionId} (${what}) gave no UpdateCount: the number of rows it wrote is unknown.`,
      { queryExecutionId, state: 'SUCCEEDED' },
    );
  return answer.UpdateCount;
}
