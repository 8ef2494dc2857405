/**
 * The AWS around the Lambda functions, faked with aws-sdk-client-mock — S3 (stateful buckets with
 * bodies), Athena (queries end when the test says), Glue (catalog partitions), SNS, Lambda — and
 * the bookmark table on a real dynalite. The handlers themselves are imported for real, after the
 * environment the deployment sets is in place.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import {
  BatchCreatePartitionCommand,
  BatchDeleteTableCommand,
  CreatePartitionCommand,
  GetJobRunCommand,
  GetPartitionCommand,
  GetTablesCommand,
  GlueClient,
  StartJobRunCommand,
  UpdatePartitionCommand,
  type StartJobRunCommandInput,
} from '@aws-sdk/client-glue';
import { InvokeCommand, LambdaClient, type InvokeCommandInput } from '@aws-sdk/client-lambda';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  type DeleteObjectsCommandInput,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { vi } from 'vitest';
import type { Runtime } from '../../functions/lib/runtime.js';
import { ensureBookmarkTable } from '../../shared/bookmarks/bookmark-table.js';
import type { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { startMemoryDynalite } from '../bookmarks/helpers.js';
import { LINES_STORAGE, serveTables, table } from '../catalog/glue-fixtures.js';
import { FakeBucket, mockS3 } from '../storage/s3-fake-bucket.js';

export const RAW_BUCKET = 'raw-bucket';
export const LAKE_BUCKET = 'lake-bucket';
export const LAKE_URL = `s3://${LAKE_BUCKET}/lake/`;
export const WORKGROUP = 'athena-logs';
export const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:athena-logs-alerts';

/** One query the fake Athena started: it runs until the test ends it. */
export interface FakeQuery {
  id: string;
  sql: string;
  token?: string;
  state: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  reason?: string;
}

/** One run of the fake Glue job: it runs until the test ends it. */
export interface FakeJobRun {
  id: string;
  jobName: string;
  arguments: Record<string, string>;
  state: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMEOUT' | 'STOPPED';
  error?: string;
}

/** A "Glue Job State Change" event as EventBridge delivers it. */
export interface GlueEvent {
  source: 'aws.glue';
  'detail-type': 'Glue Job State Change';
  time: string;
  detail: { jobName: string; jobRunId: string; state: string; message?: string };
}

export interface LambdaWorld {
  queries: FakeQuery[];
  /** Runs of the fake Glue job (StartJobRun), in start order. */
  jobRuns: FakeJobRun[];
  /** How a job run ends when the test finishes it: a state and message, or undefined (SUCCEEDED). */
  failJobWhen(
    predicate: (run: FakeJobRun) => { state: FakeJobRun['state']; error: string } | undefined,
  ): void;
  /**
   * Ends a running job run as scripted. A SUCCEEDED run does what jobs/convert_logs.py does: it
   * reads its manifest, writes a Parquet file into --staging-data, a rejects file, and the counts
   * (10 lines in, 9 rows out, 1 rejected, unless `counts` says otherwise) at --counts-output.
   * Returns the event EventBridge would deliver.
   */
  finishJob(run: FakeJobRun, counts?: Record<string, unknown>): GlueEvent;
  runningJobs(): FakeJobRun[];
  /** The body of an object of the lake bucket, if it exists. */
  lakeBody(key: string): string | undefined;
  /** `table|values` → LOCATION of the catalog's partitions. */
  locations: Map<string, string>;
  /** Keys of the lake bucket now. */
  lakeKeys(): string[];
  invocations: InvokeCommandInput[];
  published: PublishCommandInput[];
  /** Tables GetTables lists besides the converted ones; BatchDeleteTable's names land in `droppedTables`. */
  extraTables: { Name: string; CreateTime: Date }[];
  droppedTables: string[];
  addLake(key: string, body: string, lastModified: Date): void;
  /** How a query ends when the test finishes it (default: SUCCEEDED). */
  failWhen(predicate: (sql: string) => string | undefined): void;
  /** Ends a running query as scripted; returns the event EventBridge would deliver. */
  finish(query: FakeQuery): AthenaEvent;
  running(): FakeQuery[];
  addRaw(key: string, body: string, lastModified?: Date): void;
  close(): Promise<void>;
}

export interface AthenaEvent {
  source: 'aws.athena';
  'detail-type': 'Athena Query State Change';
  time: string;
  detail: { queryExecutionId: string; currentState: string; workgroupName: string };
}

/** A handler as the tests call it: any event (invalid ones included), a context. */
export type TestHandler = (event: unknown, context: Context) => Promise<unknown>;

/** A middy handler, callable with any event (the validation middleware is what refuses bad ones). */
export function asTestHandler(handler: unknown): TestHandler {
  return handler as TestHandler;
}

/** A Lambda context whose remaining time the test sets. */
export function lambdaContext(remainingMs: () => number = () => 900_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'athena-logs-test-backfill',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:athena-logs-test-backfill',
    memoryLimitInMB: '1024',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/athena-logs-test',
    logStreamName: 'stream',
    getRemainingTimeInMillis: remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The functions' modules, imported only when asked for: they read the environment as they load. */
const HANDLER_MODULES = {
  nightly: () => import('../../functions/nightly.js'),
  onConversionEvent: () => import('../../functions/on-conversion-event.js'),
  sweeper: () => import('../../functions/sweeper.js'),
  backfill: () => import('../../functions/backfill.js'),
};

export type HandlerName = keyof typeof HANDLER_MODULES;

/** The handlers a test asked for, and the runtime (clients, bookmark store) they share. */
export interface LoadedHandlers<N extends HandlerName> {
  handlers: Record<N, TestHandler>;
  runtime: Runtime;
  store: ConversionStore;
}

/**
 * Imports the named handlers (in that order), then the runtime they share. Call it after
 * `startLambdaWorld`: the modules build their runtime from the environment it sets. With `fakeNow`,
 * `Date` (only `Date`) is faked at that instant first, so the runtime's clock is the fake one; the
 * test restores it (`vi.useRealTimers()`).
 */
export async function loadHandlers<N extends HandlerName>(
  names: readonly N[],
  options: { fakeNow?: number } = {},
): Promise<LoadedHandlers<N>> {
  if (options.fakeNow !== undefined) {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(options.fakeNow);
  }
  const handlers = {} as Record<N, TestHandler>;
  for (const name of names) handlers[name] = asTestHandler((await HANDLER_MODULES[name]()).handler);
  const runtime = (await import('../../functions/lib/runtime.js')).runtime();
  return { handlers, runtime, store: runtime.deps.store };
}

/**
 * Delivers the end of every running query to `onConversionEvent`, one at a time, as EventBridge
 * would (each delivery may start more); returns the outcomes, in delivery order.
 */
export async function deliverAll(world: LambdaWorld, onConversionEvent: TestHandler): Promise<string[]> {
  const outcomes: string[] = [];
  while (world.running().length > 0) {
    const result = (await onConversionEvent(world.finish(world.running()[0]!), lambdaContext())) as {
      outcome: string;
    };
    outcomes.push(result.outcome);
  }
  return outcomes;
}

/** The key of an ALB raw object of `account` in `region` on `date` (YYYY-MM-DD), as ALB names it. */
export function albRawKey(account: string, region: string, date: string, name = 'x1'): string {
  const [year, month, day] = date.split('-');
  return `AWSLogs/${account}/elasticloadbalancing/${region}/${year}/${month}/${day}/${account}_elasticloadbalancing_${region}_app.web.0f1e2d3c4b5a6978_${year}${month}${day}T0005Z_10.0.0.1_${name}.log.gz`;
}

/** The bookmark key of the ALB partition of `account`/`region` on `date`, in the test lake. */
export function albPartition(account: string, date: string, region = 'eu-west-1') {
  return { lake: LAKE_URL, source: 'alb', account, region, date };
}

/** Sets the environment serverless.yml gives the functions, starts dynalite and the fakes. */
export async function startLambdaWorld(env: Record<string, string> = {}): Promise<LambdaWorld> {
  const dynamo = await startMemoryDynalite();
  const tableName = 'athena-logs-test-bookmarks';
  await ensureBookmarkTable(dynamo.client, tableName);
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    BOOKMARK_TABLE: tableName,
    RAW_LOCATION: `s3://${RAW_BUCKET}/`,
    LAKE_LOCATION: LAKE_URL,
    SOURCES: 'alb,vpc_flow',
    ENGINE: 'athena',
    ATHENA_WORKGROUP: WORKGROUP,
    GLUE_DATABASE: 'athena_logs',
    LOOKBACK_DAYS: '0',
    MAX_IN_FLIGHT: '3',
    RETRY_BUDGET: '2',
    BACKFILL_MAX_DAYS: '60',
    STUCK_AFTER_MINUTES: '30',
    ALERT_TOPIC_ARN: TOPIC,
    BACKFILL_FUNCTION_NAME: 'athena-logs-test-backfill',
    POWERTOOLS_SERVICE_NAME: 'athena-logs-test',
    POWERTOOLS_METRICS_NAMESPACE: 'AthenaLogs',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...env,
  });

  const raw = new FakeBucket(RAW_BUCKET, []);
  const lake = new FakeBucket(LAKE_BUCKET, []);
  const bodies = new Map<string, string>();
  const s3 = mockS3(raw, lake);
  const bucketOf = (name: string | undefined) => (name === RAW_BUCKET ? raw : lake);
  const put = (
    bucket: FakeBucket,
    key: string,
    body: string,
    lastModified = new Date('2026-11-22T03:00:00Z'),
  ) => {
    const at = bucket.objects.findIndex((object) => object.key === key);
    if (at >= 0) bucket.objects.splice(at, 1);
    bucket.objects.push({ key, size: Buffer.byteLength(body), lastModified });
    bucket.objects.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    bodies.set(`${bucket.name}/${key}`, body);
  };
  s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
    put(
      bucketOf(input.Bucket),
      input.Key ?? '',
      typeof input.Body === 'string' ? input.Body : String(input.Body ?? ''),
    );
    return {};
  });
  s3.on(GetObjectCommand).callsFake((input: { Bucket?: string; Key?: string }) => {
    const body = bodies.get(`${input.Bucket}/${input.Key}`);
    if (body === undefined)
      throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    return { Body: Readable.from([Buffer.from(body)]) };
  });
  s3.on(DeleteObjectsCommand).callsFake((input: DeleteObjectsCommandInput) => {
    const bucket = bucketOf(input.Bucket);
    for (const { Key } of input.Delete?.Objects ?? []) {
      const at = bucket.objects.findIndex((object) => object.key === Key);
      if (at >= 0) bucket.objects.splice(at, 1);
      bodies.delete(`${input.Bucket}/${Key}`);
    }
    return {};
  });

  const glue = mockClient(GlueClient);
  serveTables(
    glue,
    ['alb', 'vpc_flow'].flatMap((name) => [
      table(name),
      table(`${name}_raw`),
      table(`${name}_raw_lines`, LINES_STORAGE),
    ]),
  );
  const locations = new Map<string, string>();
  glue.on(GetPartitionCommand).callsFake((input: { TableName?: string; PartitionValues?: string[] }) => {
    const location = locations.get(`${input.TableName}|${(input.PartitionValues ?? []).join('/')}`);
    if (location)
      return { Partition: { Values: input.PartitionValues, StorageDescriptor: { Location: location } } };
    throw Object.assign(new Error('Partition not found.'), { name: 'EntityNotFoundException' });
  });
  const remember = (input: {
    TableName?: string;
    PartitionInput?: { Values?: string[]; StorageDescriptor?: { Location?: string } };
  }) => {
    locations.set(
      `${input.TableName}|${(input.PartitionInput?.Values ?? []).join('/')}`,
      input.PartitionInput?.StorageDescriptor?.Location ?? '',
    );
    return {};
  };
  glue.on(CreatePartitionCommand).callsFake(remember);
  glue.on(UpdatePartitionCommand).callsFake(remember);
  // Tables of the database beside the converted ones (e.g. a dead conversion's scratch), for GetTables.
  const extraTables: { Name: string; CreateTime: Date }[] = [];
  const droppedTables: string[] = [];
  glue.on(GetTablesCommand).callsFake(() => ({ TableList: extraTables }));
  glue.on(BatchDeleteTableCommand).callsFake((input: { TablesToDelete?: string[] }) => {
    droppedTables.push(...(input.TablesToDelete ?? []));
    return { Errors: [] };
  });
  glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });

  // The Glue job: StartJobRun gives a run id, GetJobRun reports the run as the test scripted it.
  const jobRuns: FakeJobRun[] = [];
  let jobFailure: (run: FakeJobRun) => { state: FakeJobRun['state']; error: string } | undefined = () =>
    undefined;
  glue.on(StartJobRunCommand).callsFake((input: StartJobRunCommandInput) => {
    const run: FakeJobRun = {
      id: `jr_${String(jobRuns.length + 1).padStart(4, '0')}`,
      jobName: input.JobName ?? '',
      arguments: { ...(input.Arguments ?? {}) },
      state: 'RUNNING',
    };
    jobRuns.push(run);
    return { JobRunId: run.id };
  });
  glue.on(GetJobRunCommand).callsFake((input: { JobName?: string; RunId?: string }) => {
    const run = jobRuns.find(
      (candidate) => candidate.id === input.RunId && candidate.jobName === input.JobName,
    );
    if (!run)
      throw Object.assign(new Error(`Job run ${input.RunId} of ${input.JobName} was not found`), {
        name: 'EntityNotFoundException',
      });
    return {
      JobRun: {
        Id: run.id,
        JobName: run.jobName,
        Arguments: run.arguments,
        JobRunState: run.state,
        ...(run.error ? { ErrorMessage: run.error } : {}),
        ExecutionTime: run.state === 'RUNNING' ? 0 : 42,
      },
    };
  });
  const objectOf = (url: string | undefined) => {
    const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url ?? '');
    if (!match) throw new Error(`The fake Glue job got no s3:// URL but "${url}"`);
    return { bucket: match[1]!, key: match[2]! };
  };

  const queries: FakeQuery[] = [];
  let failure: (sql: string) => string | undefined = () => undefined;
  const athena = mockClient(AthenaClient);
  athena.on(StartQueryExecutionCommand).callsFake((input: StartQueryExecutionCommandInput) => {
    // Athena's idempotency: the same ClientRequestToken gives the same query.
    const same =
      input.ClientRequestToken && queries.find((query) => query.token === input.ClientRequestToken);
    if (same) return { QueryExecutionId: same.id };
    const query: FakeQuery = {
      id: `q-${queries.length + 1}`,
      sql: input.QueryString ?? '',
      token: input.ClientRequestToken,
      state: 'RUNNING',
    };
    queries.push(query);
    return { QueryExecutionId: query.id };
  });
  const find = (id: string | undefined) => {
    const query = queries.find((candidate) => candidate.id === id);
    if (!query)
      throw Object.assign(new Error(`QueryExecution ${id} was not found`), {
        name: 'InvalidRequestException',
      });
    return query;
  };
  athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId?: string }) => {
    const query = find(input.QueryExecutionId);
    return {
      QueryExecution: {
        QueryExecutionId: query.id,
        Query: query.sql,
        WorkGroup: WORKGROUP,
        Status: { State: query.state, ...(query.reason ? { StateChangeReason: query.reason } : {}) },
        Statistics: {
          DataScannedInBytes: query.state === 'RUNNING' ? 0 : 5000,
          EngineExecutionTimeInMillis: 900,
        },
      },
    };
  });
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId?: string }) => {
    const { sql } = find(input.QueryExecutionId);
    // The parse reads the lines table (10 lines); the rows CTAS writes 9, the rejects CTAS (JSON) 1.
    return {
      UpdateCount: sql.includes('_raw_lines') ? 10 : sql.includes("format = 'JSON'") ? 1 : 9,
      ResultSet: { Rows: [] },
    };
  });
  athena.on(StopQueryExecutionCommand).resolves({});

  const invocations: InvokeCommandInput[] = [];
  mockClient(LambdaClient)
    .on(InvokeCommand)
    .callsFake((input: InvokeCommandInput) => {
      invocations.push(input);
      return { StatusCode: 202 };
    });
  const published: PublishCommandInput[] = [];
  mockClient(SNSClient)
    .on(PublishCommand)
    .callsFake((input: PublishCommandInput) => {
      published.push(input);
      return { MessageId: `m-${published.length}` };
    });

  return {
    queries,
    jobRuns,
    failJobWhen(predicate) {
      jobFailure = predicate;
    },
    finishJob(run, counts) {
      const failed = jobFailure(run);
      if (failed) {
        run.state = failed.state;
        run.error = failed.error;
      } else {
        const manifestAt = objectOf(run.arguments['--manifest']);
        const manifest = JSON.parse(bodies.get(`${manifestAt.bucket}/${manifestAt.key}`) ?? '{}') as {
          runId?: string;
          objects?: { size: number }[];
        };
        const data = objectOf(run.arguments['--staging-data']);
        const rejects = objectOf(run.arguments['--staging-rejects']);
        put(bucketOf(data.bucket), `${data.key}part-00000.snappy.parquet`, 'PAR1');
        put(bucketOf(rejects.bucket), `${rejects.key}part-00000.json.gz`, 'gz');
        const countsAt = objectOf(run.arguments['--counts-output']);
        put(
          bucketOf(countsAt.bucket),
          countsAt.key,
          JSON.stringify({
            runId: manifest.runId,
            objects: manifest.objects?.length ?? 0,
            rowsIn: 10,
            rowsOut: 9,
            rowsRejected: 1,
            bytesIn: (manifest.objects ?? []).reduce((sum, object) => sum + object.size, 0),
            blankLines: 0,
            emptyObjects: 0,
            ...counts,
          }),
        );
        run.state = 'SUCCEEDED';
      }
      return {
        source: 'aws.glue',
        'detail-type': 'Glue Job State Change',
        time: new Date().toISOString(),
        detail: {
          jobName: run.jobName,
          jobRunId: run.id,
          state: run.state,
          ...(run.error ? { message: run.error } : {}),
        },
      };
    },
    runningJobs: () => jobRuns.filter((run) => run.state === 'RUNNING'),
    lakeBody: (key) => bodies.get(`${LAKE_BUCKET}/${key}`),
    locations,
    invocations,
    published,
    extraTables,
    droppedTables,
    addLake: (key, body, lastModified) => put(lake, key, body, lastModified),
    lakeKeys: () => lake.objects.map((object) => object.key),
    failWhen(predicate) {
      failure = predicate;
    },
    finish(query) {
      const reason = failure(query.sql);
      query.state = reason === undefined ? 'SUCCEEDED' : 'FAILED';
      query.reason = reason;
      // A CTAS writes a file at its external_location.
      const where = /external_location = 's3:\/\/([^/]+)\/([^']*)'/.exec(query.sql);
      if (where && query.state === 'SUCCEEDED') put(bucketOf(where[1]), `${where[2]}part-0.parquet`, 'PAR1');
      return {
        source: 'aws.athena',
        'detail-type': 'Athena Query State Change',
        time: new Date().toISOString(),
        detail: { queryExecutionId: query.id, currentState: query.state, workgroupName: WORKGROUP },
      };
    },
    running: () => queries.filter((query) => query.state === 'RUNNING'),
    addRaw: (key, body, lastModified) => put(raw, key, body, lastModified),
    close: () => dynamo.close(),
  };
}
