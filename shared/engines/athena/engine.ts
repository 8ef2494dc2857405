import { StopQueryExecutionCommand } from '@aws-sdk/client-athena';
import { DEFAULT_MAX_IN_FLIGHT, InFlightCap } from '../../aws/in-flight-cap.js';
import { realSleep } from '../../aws/throttle.js';
import { driveSteps } from '../drive-steps.js';
import type { RemoteConvertRequest, RemoteEngine } from '../remote-types.js';
import { checkReadableObjects, MANIFEST_NAME } from './manifest.js';
import { planOf } from './plan.js';
import { locationUrl } from '../../storage/s3-location.js';
import { pollIntervals } from './query-runner.js';
import { createAthenaStepEngine, type AthenaStepEngineOptions } from './steps.js';

export interface AthenaEngineOptions extends AthenaStepEngineOptions {
  /** Conversions in flight at once (default 20); ignored when `cap` is given. */
  maxInFlight?: number;
  /** A cap shared with other engines or tests. */
  cap?: InFlightCap;
}

/** The Athena engine, with the cap it converts under (tests and metrics read `cap.peak`). */
export interface AthenaEngine extends RemoteEngine {
  readonly name: 'athena';
  readonly cap: InFlightCap;
}

/**
 * The Athena engine for a process that waits (the CLI): each conversion runs the steps of
 * `createAthenaStepEngine` (manifest and lines partition, then the parse, rows and rejects
 * queries, reconciled, then the scratch dropped) one after the other, polling each query at
 * growing intervals, under a cap on the conversions in flight. Queries still running when the
 * process is interrupted are stopped.
 */
export function createAthenaEngine(options: AthenaEngineOptions): AthenaEngine {
  const cap = options.cap ?? new InFlightCap(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  const scratchDatabase = options.scratchDatabase ?? options.database;
  const steps = createAthenaStepEngine(options);
  const drive = {
    waits: () => pollIntervals(options),
    sleep: options.sleep ?? realSleep,
    stop: (run: { runId: string }) =>
      options.client.send(new StopQueryExecutionCommand({ QueryExecutionId: run.runId })),
  };

  /** The calls and statements of a conversion, in order, sending nothing (--dry-run). */
  function describeConversion(request: RemoteConvertRequest): string[] {
    checkReadableObjects(request.source, request.objects);
    const plan = planOf({ database: options.database, scratchDatabase, lake: options.lake }, request);
    const query = (sql: string) =>
      `Athena StartQueryExecution (workgroup ${options.workGroup}), then GetQueryExecution until it ends and GetQueryResults for its row count:\n${sql}`;
    return [
      `S3 PutObject ${locationUrl(plan.manifest)}${MANIFEST_NAME}: a symlink manifest of ${request.objects.length} object(s)`,
      `Glue GetPartition, then CreatePartition or UpdatePartition: ${options.database}.${plan.linesTable} (${plan.values.join(', ')}) LOCATION ${locationUrl(plan.manifest)}`,
      query(plan.sql.parse),
      query(plan.sql.rows),
      query(plan.sql.rejects),
      `Glue BatchDeleteTable ${scratchDatabase}: ${[plan.tables.parsed, plan.tables.rows, plan.tables.rejects].join(', ')}`,
      `S3 ListObjectsV2 + DeleteObjects under ${locationUrl(plan.parsedLocation)} (the parsed scratch)`,
    ];
  }

  return {
    name: 'athena',
    cap,
    convert: (request) => cap.run(() => driveSteps(steps, request, drive)),
    describe: (request) => describeConversion(request),
  };
}
