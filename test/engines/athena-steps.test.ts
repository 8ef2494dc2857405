import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type QueryExecutionState,
} from '@aws-sdk/client-athena';
import { BatchDeleteTableCommand, CreatePartitionCommand, type GlueClient } from '@aws-sdk/client-glue';
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAthenaStepEngine, type AthenaStepEngineOptions } from '../../shared/engines/athena/steps.js';
import type { StepFigures, StepOutcome, StepRun } from '../../shared/engines/remote-steps.js';
import type { RemoteConvertRequest } from '../../shared/engines/remote-types.js';
import {
  FormatError,
  PipelineError,
  QueryError,
  ReconciliationError,
  ScanLimitError,
} from '../../shared/errors.js';
import { SOURCES } from '../../shared/sources/index.js';
import { expectOneValidStatement, trino } from '../sql/athena-parsers.js';
import { athenaEngineBase, LAKE, mockAthenaAws } from './athena-aws.js';
import { FakeAthena, type QueryScript } from './athena-fakes.js';

const RAW = { bucket: 'central-logs', prefix: 'raw/' };
const RUN = 'conv-20261122T0100Z-7f3a';
const PATH = 'account=111111111111/region=us-east-1/year=2026/month=11/day=21';
const KEYS = [
  'AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/111111111111_vpcflowlogs_us-east-1_fl-1_20261121T0000Z_a.log.gz',
  'AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/111111111111_vpcflowlogs_us-east-1_fl-1_20261121T2355Z_b.log.gz',
];

/** One vpc_flow partition as the orchestrator rebuilds it from its stored plan, in any invocation. */
function request(overrides: Partial<RemoteConvertRequest> = {}): RemoteConvertRequest {
  const runId = overrides.runId ?? RUN;
  return {
    source: SOURCES.vpc_flow,
    partition: { account: '111111111111', region: 'us-east-1', date: '2026-11-21' },
    objects: KEYS.map((key, index) => ({
      key,
      size: 1000 + index,
      lastModified: new Date('2026-11-21T12:00:00Z'),
    })),
    raw: RAW,
    stagingData: { bucket: LAKE.bucket, prefix: `lake/vpc_flow/${PATH}/v=${runId}/` },
    stagingRejects: { bucket: LAKE.bucket, prefix: `lake/_rejects/vpc_flow/${PATH}/v=${runId}/` },
    runId,
    ...overrides,
  };
}

/** Lines parsed, rows written, rejects written; bytes scanned and engine time of each step. */
const FIGURES = {
  parsed: { updateCount: 1000, bytesScanned: 4_000_000, engineMs: 3_000 },
  rows: { updateCount: 990, bytesScanned: 900_000, engineMs: 2_000 },
  rejects: { updateCount: 10, bytesScanned: 1_000, engineMs: 500 },
};

function stepOf(sql: string): keyof typeof FIGURES {
  const step = /^CREATE TABLE "[a-z_]+"\."[a-z0-9_]+_(parsed|rows|rejects)" /.exec(sql)?.[1];
  if (!step) throw new Error(`Unrecognised statement: ${sql.slice(0, 200)}`);
  return step as keyof typeof FIGURES;
}

/** Every query ends at once (no RUNNING answer) with its step's figures. */
const succeeding = (sql: string): QueryScript => ({ ...FIGURES[stepOf(sql)], runningPolls: 0 });

let s3: AwsClientStub<S3Client>;
let glue: AwsClientStub<GlueClient>;
let athena: AwsClientStub<AthenaClient>;
let warnings: string[];

/** A fresh engine, as each Lambda invocation builds its own: nothing is carried over in memory. */
function engine(overrides: Partial<AthenaStepEngineOptions> = {}) {
  const retry = { sleep: async () => undefined, random: () => 0.5 };
  return createAthenaStepEngine({
    ...athenaEngineBase(retry),
    retry,
    onWarning: (message) => warnings.push(message),
    ...overrides,
  });
}

const starts = () => athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);

/** `earlier` as it comes back from the bookmark: plain JSON. */
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

beforeEach(() => {
  ({ s3, glue, athena } = mockAthenaAws(['vpc_flow']));
  warnings = [];
});

afterEach(() => {
  s3.restore();
  glue.restore();
  athena.restore();
});

describe('the Athena step engine: start', () => {
  it('writes the manifest, points the lines partition at it and starts the parse with a ClientRequestToken, waiting for nothing', async () => {
    // Prepare
    new FakeAthena(athena, succeeding);

    // Act
    const run = await engine().start(request());

    // Assess
    expect(run).toStrictEqual({ step: 'parse', runId: 'q-1' });
    const manifestFolder = `lake/_manifests/vpc_flow/${PATH}/`;
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        Bucket: 'lake-bucket',
        Key: `${manifestFolder}manifest`,
        Body: KEYS.map((key) => `s3://central-logs/raw/${key}\n`).join(''),
        ContentType: 'text/plain',
      },
    ]);
    expect(
      glue
        .commandCalls(CreatePartitionCommand)
        .map((call) => call.args[0].input.PartitionInput?.StorageDescriptor?.Location),
    ).toStrictEqual([`s3://lake-bucket/${manifestFolder}`]);
    const [start] = starts();
    expect(starts()).toHaveLength(1);
    expect(start).toMatchObject({
      WorkGroup: 'athena-logs',
      ResultConfiguration: { OutputLocation: 's3://query-results-bucket/athena-logs/' },
    });
    expect(start?.ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
    expect(stepOf(start?.QueryString ?? '')).toBe('parsed');
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(0);
    expect(glue.commandCalls(BatchDeleteTableCommand)).toHaveLength(0);
  });

  it('sends the same token when the same step of the same run is started again, so Athena runs one query', async () => {
    // Prepare: Athena answers a repeated token with the query it already started.
    new FakeAthena(athena, succeeding, { honourTokens: true });

    // Act: a Lambda retried after a lost answer starts the same request again, in a new invocation.
    const first = await engine().start(request());
    const again = await engine().start(request());
    const nextAttempt = await engine().start(request({ runId: 'conv-20261122T0300Z-1b2c' }));
    const otherRegion = await engine().start(
      request({ partition: { account: '111111111111', region: 'eu-west-1', date: '2026-11-21' } }),
    );

    // Assess
    const tokens = starts().map((input) => input.ClientRequestToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(new Set(tokens).size).toBe(3);
    expect(again).toStrictEqual(first);
    expect([first.runId, nextAttempt.runId, otherRegion.runId]).toStrictEqual(['q-1', 'q-2', 'q-3']);
  });

  it('refuses flow logs delivered as Parquet before writing anything', async () => {
    new FakeAthena(athena, succeeding);
    const parquet = request({
      objects: [{ key: `${KEYS[0]!.replace('.log.gz', '.log.parquet')}`, size: 1, lastModified: new Date() }],
    });

    await expect(engine().start(parquet)).rejects.toBeInstanceOf(FormatError);

    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(starts()).toHaveLength(0);
  });
});

describe('the Athena step engine: status', () => {
  const run: StepRun = { step: 'parse', runId: 'q-7' };

  it.each<[QueryExecutionState, string]>([
    ['QUEUED', 'RUNNING'],
    ['RUNNING', 'RUNNING'],
    ['SUCCEEDED', 'SUCCEEDED'],
  ])('reports a query %s as %s', async (athenaState, state) => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: athenaState } } });

    expect(await engine().status(run)).toStrictEqual({ state });

    expect(athena.commandCalls(GetQueryExecutionCommand).map((call) => call.args[0].input)).toStrictEqual([
      { QueryExecutionId: 'q-7' },
    ]);
  });

  it('reports a FAILED query with its id, step and partition, and Athena’s reason', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: { State: 'FAILED', StateChangeReason: 'HIVE_BAD_DATA: Error parsing field value' },
      },
    });

    const status = await engine().status(run, request());

    expect(status.state).toBe('FAILED');
    const error = status.state === 'FAILED' ? status.error : undefined;
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ queryExecutionId: 'q-7', state: 'FAILED' });
    expect(error?.message).toBe(
      'Athena query q-7 (parsing the lines of vpc_flow 111111111111/us-east-1/2026-11-21) ended FAILED: HIVE_BAD_DATA: Error parsing field value.',
    );
  });

  it('says what to do when the scan limit CANCELLED the query, naming the step when the request is not at hand', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: { State: 'CANCELLED', StateChangeReason: 'Bytes scanned limit was exceeded' },
        Statistics: { DataScannedInBytes: 10_485_760 },
      },
    });

    const status = await engine().status({ step: 'rows', runId: 'q-8' });

    const error = status.state === 'FAILED' ? status.error : undefined;
    expect(error).toBeInstanceOf(ScanLimitError);
    expect(error?.message).toMatch(
      /^Athena query q-8 \(staging the rows\) was CANCELLED by the per-query data usage control of workgroup athena-logs after scanning 10485760 bytes .*BytesScannedCutoffPerQuery/,
    );
  });

  it('reports another cancellation as a plain failed query', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'Query was cancelled by user' } },
    });

    const status = await engine().status(run);

    const error = status.state === 'FAILED' ? status.error : undefined;
    expect(error).toBeInstanceOf(QueryError);
    expect(error).not.toBeInstanceOf(ScanLimitError);
    expect(error?.message).toBe(
      'Athena query q-7 (parsing the lines) ended CANCELLED: Query was cancelled by user.',
    );
  });
});

describe('the Athena step engine: next', () => {
  /** Runs `next` in a fresh engine with `earlier` read back from JSON, as a state-change event would. */
  async function onEvent(finished: StepRun, earlier: Record<string, StepFigures>): Promise<StepOutcome> {
    return engine().next(request(), roundTrip(finished), roundTrip(earlier));
  }

  /** A whole conversion, one fresh invocation per event, figures kept between them as the bookmark does. */
  async function convertByEvents(outcomes: StepOutcome[] = []): Promise<StepOutcome[]> {
    const earlier: Record<string, StepFigures> = {};
    let run = await engine().start(request());
    for (;;) {
      const outcome = await onEvent(run, earlier);
      outcomes.push(outcome);
      earlier[run.step] = outcome.figures;
      if ('result' in outcome) return outcomes;
      run = outcome.next;
    }
  }

  it('walks parse → rows → rejects → result, each event starting the next query', async () => {
    // Prepare
    new FakeAthena(athena, succeeding);

    // Act
    const outcomes = await convertByEvents();

    // Assess
    expect(outcomes).toStrictEqual([
      {
        figures: { runId: 'q-1', rows: 1000, bytesScanned: 4_000_000, engineMs: 3_000 },
        next: { step: 'rows', runId: 'q-2' },
      },
      {
        figures: { runId: 'q-2', rows: 990, bytesScanned: 900_000, engineMs: 2_000 },
        next: { step: 'rejects', runId: 'q-3' },
      },
      {
        figures: { runId: 'q-3', rows: 10, bytesScanned: 1_000, engineMs: 500 },
        result: {
          rowsIn: 1000,
          rowsOut: 990,
          rowsRejected: 10,
          bytesIn: 2001,
          engine: { kind: 'athena', id: 'q-1', bytesScanned: 4_901_000, engineMs: 5_500, state: 'SUCCEEDED' },
        },
      },
    ]);
    const sent = starts();
    expect(sent.map((input) => stepOf(input.QueryString ?? ''))).toStrictEqual(['parsed', 'rows', 'rejects']);
    expect(new Set(sent.map((input) => input.ClientRequestToken)).size).toBe(3);
    for (const input of sent) expectOneValidStatement(trino, input.QueryString ?? '');
    expect(athena.commandCalls(GetQueryResultsCommand).map((call) => call.args[0].input)).toStrictEqual(
      ['q-1', 'q-2', 'q-3'].map((id) => ({ QueryExecutionId: id, MaxResults: 1 })),
    );
    // The scratch is the orchestrator's to clean up once it has committed (or given up).
    expect(glue.commandCalls(BatchDeleteTableCommand)).toHaveLength(0);
  });

  it('reuses the answer its own status poll just read instead of asking Athena again', async () => {
    new FakeAthena(athena, succeeding);
    const steps = engine();
    const run = await steps.start(request());

    expect(await steps.status(run)).toStrictEqual({ state: 'SUCCEEDED' });
    const outcome = await steps.next(request(), run, {});

    expect(outcome.figures).toStrictEqual({
      runId: 'q-1',
      rows: 1000,
      bytesScanned: 4_000_000,
      engineMs: 3_000,
    });
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(1);
  });

  it('fails with a ReconciliationError naming the three queries when the counts disagree', async () => {
    new FakeAthena(athena, (sql) => ({
      ...succeeding(sql),
      ...(stepOf(sql) === 'rows' ? { updateCount: 980 } : {}),
    }));
    const outcomes: StepOutcome[] = [];

    const error = await convertByEvents(outcomes).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ReconciliationError);
    expect((error as Error).message).toBe(
      'The Athena conversion of vpc_flow 111111111111/us-east-1/2026-11-21 does not reconcile: ' +
        'query q-1 parsed 1000 lines, query q-2 wrote 980 rows and query q-3 10 rejects.',
    );
    expect(outcomes.map((outcome) => outcome.figures.rows)).toStrictEqual([1000, 980]);
  });

  it('refuses to reconcile when the figures of an earlier step are missing', async () => {
    new FakeAthena(athena, succeeding);
    await engine().start(request());

    await expect(
      onEvent({ step: 'rejects', runId: 'q-1' }, { parse: { runId: 'q-0', rows: 1000 } }),
    ).rejects.toThrow(
      /^The Athena conversion of vpc_flow 111111111111\/us-east-1\/2026-11-21 cannot reconcile: the figures of its rows step \(staging the rows\) are missing/,
    );
  });

  it('refuses a step it does not know, before calling Athena', async () => {
    const error = await onEvent({ step: 'job', runId: 'jr_1' }, {}).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PipelineError);
    expect((error as Error).message).toBe(
      'The Athena conversion of vpc_flow 111111111111/us-east-1/2026-11-21 has no step "job" (run jr_1): ' +
        'its steps are parse, rows, rejects. The bookmark names a step this engine does not know.',
    );
    expect(athena.calls()).toHaveLength(0);
  });

  it.each<[QueryExecutionState, object, RegExp]>([
    ['RUNNING', {}, /^Athena query q-1 \(parsing the lines of .*\) has not ended \(RUNNING\)/],
    [
      'FAILED',
      { StateChangeReason: 'boom' },
      /^Athena query q-1 \(parsing the lines of .*\) ended FAILED: boom\.$/,
    ],
  ])('refuses to read the figures of a query that is %s', async (state, extra, message) => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: state, ...extra } } });

    await expect(onEvent({ step: 'parse', runId: 'q-1' }, {})).rejects.toThrow(message);

    expect(starts()).toHaveLength(0);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });
});

describe('the Athena step engine: cleanUp', () => {
  it('drops the three scratch tables and deletes the parsed files', async () => {
    await engine().cleanUp(request());

    const [drop] = glue.commandCalls(BatchDeleteTableCommand).map((call) => call.args[0].input);
    expect(drop?.DatabaseName).toBe('athena_logs');
    expect(drop?.TablesToDelete).toHaveLength(3);
    expect(drop?.TablesToDelete?.map((name) => name.replace(/_[0-9a-f]{16}_/, '_<digest>_'))).toStrictEqual([
      'vpc_flow_tmp_20261121_<digest>_parsed',
      'vpc_flow_tmp_20261121_<digest>_rows',
      'vpc_flow_tmp_20261121_<digest>_rejects',
    ]);
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.Prefix)).toStrictEqual([
      `lake/_staging/vpc_flow/${PATH}/v=${RUN}/`,
    ]);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(1);
    expect(warnings).toStrictEqual([]);
  });

  it('never throws: failures are warnings', async () => {
    const denied = () => Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    glue.on(BatchDeleteTableCommand).rejects(denied());
    s3.on(ListObjectsV2Command).rejects(denied());

    await expect(engine().cleanUp(request())).resolves.toBeUndefined();

    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^The scratch tables of vpc_flow 111111111111\/us-east-1\/2026-11-21 \(/);
    expect(warnings[1]).toMatch(
      /^The scratch files of vpc_flow .* under s3:\/\/lake-bucket\/lake\/_staging\//,
    );
  });
});
