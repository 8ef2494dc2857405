import {
  ConcurrentRunsExceededException,
  EntityNotFoundException,
  GetJobRunCommand,
  StartJobRunCommand,
  type GlueClient,
  type JobRun,
} from '@aws-sdk/client-glue';
import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGlueJobEngine, type GlueJobEngineOptions } from '../../shared/engines/glue/engine.js';
import { jobSource } from '../../shared/engines/glue/job-definitions.js';
import type { JobManifest } from '../../shared/engines/glue/manifest.js';
import type { RemoteConvertRequest } from '../../shared/engines/remote-types.js';
import { JobRunError, ReconciliationError, UsageError } from '../../shared/errors.js';
import { SOURCES } from '../../shared/sources/index.js';
import {
  countsObject,
  glueEngineBase,
  JOB,
  mockGlueAws,
  throttled,
  throttleStartsTwice,
} from './glue-aws.js';

const RAW = { bucket: 'central-logs', prefix: 'raw/' };
const LAKE = { bucket: 'lake-bucket', prefix: 'lake/' };
const RUN = 'run-20261122T0100Z';

function request(
  sourceName: 'vpc_flow' | 'alb',
  account: string,
  region: string,
  keys: string[],
): RemoteConvertRequest {
  const path = `account=${account}/region=${region}/year=2026/month=11/day=21`;
  return {
    source: SOURCES[sourceName],
    partition: { account, region, date: '2026-11-21' },
    objects: keys.map((key, index) => ({
      key,
      size: 1000 + index,
      lastModified: new Date('2026-11-21T12:00:00Z'),
    })),
    raw: RAW,
    stagingData: { bucket: LAKE.bucket, prefix: `lake/${sourceName}/${path}/v=${RUN}/` },
    stagingRejects: { bucket: LAKE.bucket, prefix: `lake/_rejects/${sourceName}/${path}/v=${RUN}/` },
    runId: RUN,
  };
}

const FLOW_KEYS = [
  'AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/111111111111_vpcflowlogs_us-east-1_fl-1_20261121T0000Z_a.log.gz',
  'AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/111111111111_vpcflowlogs_us-east-1_fl-1_20261121T2355Z_b.log.gz',
];
const FLOWS = request('vpc_flow', '111111111111', 'us-east-1', FLOW_KEYS);
const NIGHT = [
  FLOWS,
  request('vpc_flow', '111111111111', 'eu-west-1', [
    'AWSLogs/111111111111/vpcflowlogs/eu-west-1/2026/11/21/111111111111_vpcflowlogs_eu-west-1_fl-2_20261121T1200Z_c.log.gz',
  ]),
  request('alb', '222222222222', 'ap-northeast-1', [
    'AWSLogs/222222222222/elasticloadbalancing/ap-northeast-1/2026/11/21/222222222222_elasticloadbalancing_ap-northeast-1_app.web.50dc6c495c0c9188_20261121T0005Z_10.0.0.1_x.log.gz',
  ]),
];

const scratchFolder = (r: RemoteConvertRequest) =>
  `lake/_staging/glue/${r.source.name}/${r.partition.account}/${r.partition.region}/2026-11-21/${RUN}/`;

let glue: AwsClientStub<GlueClient>;
let s3: AwsClientStub<S3Client>;
let sleeps: number[];
let warnings: string[];

function engine(options: Partial<GlueJobEngineOptions> = {}) {
  return createGlueJobEngine({
    ...glueEngineBase(warnings),
    pollIntervalMs: 10_000,
    retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, baseMs: 1000, capMs: 60_000 },
    ...options,
  });
}

/** The counts object the job writes, for the run id of the conversion. */
function countsBody(figures: Partial<Record<string, unknown>> = {}) {
  return countsObject({
    version: 1,
    runId: RUN,
    objects: 2,
    rowsIn: 1000,
    rowsOut: 990,
    rowsRejected: 10,
    bytesIn: 2001,
    blankLines: 3,
    emptyObjects: 0,
    ...figures,
  });
}

function runIn(state: string, extra: Partial<JobRun> = {}) {
  return { JobRun: { Id: 'jr_1', JobRunState: state, ...extra } } as never;
}

const startInputs = () => glue.commandCalls(StartJobRunCommand).map((call) => call.args[0].input);

beforeEach(() => {
  ({ glue, s3, sleeps, warnings } = mockGlueAws(() => countsBody()));
  glue
    .on(GetJobRunCommand)
    .resolvesOnce(runIn('STARTING'))
    .resolvesOnce(runIn('RUNNING'))
    .resolves(runIn('SUCCEEDED', { ExecutionTime: 93 }));
});

afterEach(() => {
  glue.restore();
  s3.restore();
});

describe('the Glue engine', () => {
  it('writes the manifest of exactly the request objects, starts the job with its arguments and polls it to the end', async () => {
    const result = await engine().convert(FLOWS);

    const folder = scratchFolder(FLOWS);
    const put = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(put.map(({ Bucket, Key, ContentType }) => ({ Bucket, Key, ContentType }))).toStrictEqual([
      { Bucket: 'lake-bucket', Key: `${folder}manifest.json`, ContentType: 'application/json' },
    ]);
    const manifest = JSON.parse(String(put[0]?.Body)) as JobManifest;
    expect(manifest).toStrictEqual({
      version: 1,
      runId: RUN,
      source: 'vpc_flow',
      partition: { account: '111111111111', region: 'us-east-1', date: '2026-11-21' },
      definition: jobSource(SOURCES.vpc_flow),
      limits: expect.objectContaining({ maxLineBytes: 1_048_576, quotedValueChars: 200 }),
      objects: FLOW_KEYS.map((key, index) => ({
        key,
        bucket: 'central-logs',
        bucketKey: `raw/${key}`,
        size: 1000 + index,
      })),
      stagingData: `s3://lake-bucket/${FLOWS.stagingData.prefix}`,
      stagingRejects: `s3://lake-bucket/${FLOWS.stagingRejects.prefix}`,
      countsOutput: `s3://lake-bucket/${folder}counts.json`,
    });
    expect(startInputs()).toStrictEqual([
      {
        JobName: JOB,
        Arguments: {
          '--manifest': `s3://lake-bucket/${folder}manifest.json`,
          '--source': 'vpc_flow',
          '--staging-data': `s3://lake-bucket/${FLOWS.stagingData.prefix}`,
          '--staging-rejects': `s3://lake-bucket/${FLOWS.stagingRejects.prefix}`,
          '--counts-output': `s3://lake-bucket/${folder}counts.json`,
        },
      },
    ]);
    expect(glue.commandCalls(GetJobRunCommand).map((call) => call.args[0].input)).toStrictEqual([
      { JobName: JOB, RunId: 'jr_1' },
      { JobName: JOB, RunId: 'jr_1' },
      { JobName: JOB, RunId: 'jr_1' },
    ]);
    expect(sleeps).toStrictEqual([10_000, 10_000, 10_000]);
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toStrictEqual([
      { Bucket: 'lake-bucket', Key: `${folder}counts.json` },
    ]);
    expect(
      s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete?.Objects),
    ).toStrictEqual([[{ Key: `${folder}manifest.json` }, { Key: `${folder}counts.json` }]]);
    expect(result).toStrictEqual({
      rowsIn: 1000,
      rowsOut: 990,
      rowsRejected: 10,
      bytesIn: 2001,
      engine: { kind: 'glue', id: 'jr_1', engineMs: 93_000, state: 'SUCCEEDED' },
    });
  });

  it('passes worker type and count, timeout, execution class and queuing when configured', async () => {
    await engine({
      workerType: 'G.1X',
      numberOfWorkers: 4,
      timeoutMinutes: 30,
      executionClass: 'FLEX',
      jobRunQueuing: true,
    }).convert(FLOWS);

    expect(startInputs()[0]).toMatchObject({
      JobName: JOB,
      WorkerType: 'G.1X',
      NumberOfWorkers: 4,
      Timeout: 30,
      ExecutionClass: 'FLEX',
      JobRunQueuingEnabled: true,
    });
  });

  it('converts a multi-account, multi-region night with one run per partition, never more in flight than the cap', async () => {
    let next = 0;
    glue.on(StartJobRunCommand).callsFake(async () => ({ JobRunId: `jr_${(next += 1)}` }));
    glue
      .on(GetJobRunCommand)
      .callsFake(async (input: { RunId: string }) => runIn('SUCCEEDED', { Id: input.RunId }));
    const glueEngine = engine({ maxInFlight: 2 });

    const results = await Promise.all(NIGHT.map((r) => glueEngine.convert(r)));

    expect(glueEngine.cap.peak).toBe(2);
    expect(startInputs().map((input) => input?.Arguments?.['--manifest'])).toStrictEqual(
      NIGHT.map((r) => `s3://lake-bucket/${scratchFolder(r)}manifest.json`),
    );
    expect(startInputs().map((input) => input?.Arguments?.['--source'])).toStrictEqual([
      'vpc_flow',
      'vpc_flow',
      'alb',
    ]);
    expect(results.map((result) => result.engine.id).sort()).toStrictEqual(['jr_1', 'jr_2', 'jr_3']);
  });

  it.each([
    [
      'FAILED',
      { ErrorMessage: 'FormatError: Raw object a.log.gz starts with a header naming "bogus"' },
      /ended FAILED: FormatError: Raw object a\.log\.gz starts with a header naming "bogus"\./,
    ],
    [
      'TIMEOUT',
      { Timeout: 30 },
      /ended TIMEOUT \(Glue gave no error message\)\. It ran into the job's timeout \(30 minutes\)/,
    ],
    ['STOPPED', {}, /ended STOPPED .* It was stopped/],
    ['ERROR', { ErrorMessage: 'Internal error' }, /ended ERROR: Internal error\./],
  ])(
    'reports a run that ends %s with its run id and Glue message, and keeps its manifest',
    async (state, extra, message) => {
      glue.on(GetJobRunCommand).resolves(runIn(state, extra));

      const error = await engine()
        .convert(FLOWS)
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(JobRunError);
      expect((error as JobRunError).message).toMatch(message);
      expect((error as JobRunError).message).toContain(
        `Glue job run jr_1 of job "${JOB}" (vpc_flow 111111111111/us-east-1/2026-11-21)`,
      );
      expect((error as JobRunError).message).toContain(
        `s3://lake-bucket/${scratchFolder(FLOWS)}manifest.json`,
      );
      expect(error).toMatchObject({ jobRunId: 'jr_1', state, jobName: JOB });
      expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
      expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    },
  );

  it('waits out throttling of StartJobRun and GetJobRun with jittered, growing backoff', async () => {
    throttleStartsTwice(glue);
    glue.on(GetJobRunCommand).rejectsOnce(throttled()).resolves(runIn('SUCCEEDED'));

    const result = await engine().convert(FLOWS);

    expect(glue.commandCalls(StartJobRunCommand)).toHaveLength(3);
    expect(glue.commandCalls(GetJobRunCommand)).toHaveLength(2);
    // random() = 0.5 of the ceiling 1 s, then 2 s; then the poll interval, a throttled poll's 1 s.
    expect(sleeps).toStrictEqual([500, 1000, 10_000, 500]);
    expect(result.engine.id).toBe('jr_1');
  });

  it('gives up on ConcurrentRunsExceededException after the attempts, saying how to raise the limit', async () => {
    glue
      .on(StartJobRunCommand)
      .rejects(new ConcurrentRunsExceededException({ message: 'Concurrent runs exceeded', $metadata: {} }));

    const error = await engine({ retry: { sleep: async () => undefined, maxAttempts: 4 } })
      .convert(FLOWS)
      .catch((caught: unknown) => caught);

    expect(glue.commandCalls(StartJobRunCommand)).toHaveLength(4);
    expect(error).toBeInstanceOf(JobRunError);
    expect((error as JobRunError).message).toMatch(
      /StartJobRun for Glue job "athena-logs-convert" \(vpc_flow 111111111111\/us-east-1\/2026-11-21\) was refused with ConcurrentRunsExceededException 4 times in a row.*MaxConcurrentRuns/,
    );
    expect(glue.commandCalls(GetJobRunCommand)).toHaveLength(0);
  });

  it('does not retry an error that says something about the request (a missing job)', async () => {
    glue
      .on(StartJobRunCommand)
      .rejects(new EntityNotFoundException({ message: 'Job not found', $metadata: {} }));

    await expect(engine().convert(FLOWS)).rejects.toBeInstanceOf(EntityNotFoundException);
    expect(glue.commandCalls(StartJobRunCommand)).toHaveLength(1);
    expect(sleeps).toStrictEqual([]);
  });

  it('fails with a ReconciliationError naming the run when lines in are not rows out plus rejects', async () => {
    s3.on(GetObjectCommand).callsFake(() => countsBody({ rowsOut: 980 }));

    const error = await engine()
      .convert(FLOWS)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ReconciliationError);
    expect((error as Error).message).toBe(
      'Counts do not reconcile for vpc_flow 111111111111/us-east-1/2026-11-21 (Glue job run jr_1): 1000 lines in, 980 rows out, 10 rejected.',
    );
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  });

  it.each([
    [{ runId: 'run-earlier' }, /belongs to run "run-earlier", not run-20261122T0100Z/],
    [{ rowsOut: -1 }, /has no count "rowsOut" \(found -1\)/],
    [{ bytesIn: '2001' }, /has no count "bytesIn" \(found "2001"\)/],
  ])('refuses counts that are not this run’s or not whole numbers (%j)', async (figures, message) => {
    s3.on(GetObjectCommand).callsFake(() => countsBody(figures));

    const error = await engine()
      .convert(FLOWS)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(JobRunError);
    expect((error as Error).message).toMatch(
      /^Glue job run jr_1 of job "athena-logs-convert" .* succeeded, but its counts object s3:\/\/lake-bucket\/.*counts\.json /,
    );
    expect((error as Error).message).toMatch(message);
  });

  it('still succeeds when the manifest cannot be deleted afterwards, and says so', async () => {
    s3.on(DeleteObjectsCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    const result = await engine().convert(FLOWS);

    expect(result.rowsOut).toBe(990);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^The manifest and counts of Glue job run jr_1 \(s3:\/\/lake-bucket\/.*manifest\.json\) were not deleted: /,
    );
  });

  it('refuses a worker type without a worker count', () => {
    expect(() => engine({ workerType: 'G.1X' })).toThrow(UsageError);
    expect(() => engine({ jobName: ' ' })).toThrow(/needs the name of the deployed Glue job/);
  });
});
