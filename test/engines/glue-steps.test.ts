import { GetJobRunCommand, StartJobRunCommand, type GlueClient, type JobRun } from '@aws-sdk/client-glue';
import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGlueStepEngine, type GlueStepEngineOptions } from '../../shared/engines/glue/steps.js';
import type { JobManifest } from '../../shared/engines/glue/manifest.js';
import type { StepRun } from '../../shared/engines/remote-steps.js';
import type { RemoteConvertRequest } from '../../shared/engines/remote-types.js';
import { JobRunError, PipelineError, ReconciliationError } from '../../shared/errors.js';
import { SOURCES } from '../../shared/sources/index.js';
import { countsObject, glueEngineBase, JOB, mockGlueAws, throttleStartsTwice } from './glue-aws.js';

const RUN = 'conv-20261122T0100Z-7f3a';
const PATH = 'account=222222222222/region=ap-northeast-1/year=2026/month=11/day=21';
const FOLDER = `lake/_staging/glue/alb/222222222222/ap-northeast-1/2026-11-21/${RUN}/`;
const KEY =
  'AWSLogs/222222222222/elasticloadbalancing/ap-northeast-1/2026/11/21/222222222222_elasticloadbalancing_ap-northeast-1_app.web.50dc6c495c0c9188_20261121T0005Z_10.0.0.1_x.log.gz';

/** One ALB partition as the orchestrator rebuilds it from its stored plan, in any invocation. */
const REQUEST: RemoteConvertRequest = {
  source: SOURCES.alb,
  partition: { account: '222222222222', region: 'ap-northeast-1', date: '2026-11-21' },
  objects: [{ key: KEY, size: 4096, lastModified: new Date('2026-11-21T12:00:00Z') }],
  raw: { bucket: 'central-logs', prefix: 'raw/' },
  stagingData: { bucket: 'lake-bucket', prefix: `lake/alb/${PATH}/v=${RUN}/` },
  stagingRejects: { bucket: 'lake-bucket', prefix: `lake/_rejects/alb/${PATH}/v=${RUN}/` },
  runId: RUN,
};
const JOB_RUN: StepRun = { step: 'job', runId: 'jr_1' };

let glue: AwsClientStub<GlueClient>;
let s3: AwsClientStub<S3Client>;
let sleeps: number[];
let warnings: string[];

/** A fresh engine, as each Lambda invocation builds its own: nothing is carried over in memory. */
function engine(options: Partial<GlueStepEngineOptions> = {}) {
  return createGlueStepEngine({
    ...glueEngineBase(warnings),
    retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, baseMs: 1000 },
    ...options,
  });
}

/** The counts object the job writes, for the run id of the conversion. */
function countsBody(figures: Record<string, unknown> = {}) {
  return countsObject({
    version: 1,
    runId: RUN,
    objects: 1,
    rowsIn: 70,
    rowsOut: 69,
    rowsRejected: 1,
    bytesIn: 4096,
    blankLines: 0,
    emptyObjects: 0,
    ...figures,
  });
}

/** A run as GetJobRun describes it, with the arguments the engine started it with. */
function runIn(state: string, extra: Partial<JobRun> = {}) {
  return {
    JobRun: {
      Id: 'jr_1',
      JobRunState: state,
      Arguments: { '--source': 'alb', '--manifest': `s3://lake-bucket/${FOLDER}manifest.json` },
      ...extra,
    },
  } as never;
}

beforeEach(() => {
  ({ glue, s3, sleeps, warnings } = mockGlueAws(() => countsBody()));
  glue.on(GetJobRunCommand).resolves(runIn('SUCCEEDED', { ExecutionTime: 93 }));
});

afterEach(() => {
  glue.restore();
  s3.restore();
});

describe('the Glue step engine: start', () => {
  it('writes the manifest of exactly the request objects and starts the job, waiting for nothing', async () => {
    const run = await engine().start(REQUEST);

    expect(run).toStrictEqual({ step: 'job', runId: 'jr_1' });
    const put = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(put.map(({ Key }) => Key)).toStrictEqual([`${FOLDER}manifest.json`]);
    const manifest = JSON.parse(String(put[0]?.Body)) as JobManifest;
    expect(manifest).toMatchObject({ runId: RUN, source: 'alb', partition: REQUEST.partition });
    expect(manifest.objects).toStrictEqual([
      { key: KEY, bucket: 'central-logs', bucketKey: `raw/${KEY}`, size: 4096 },
    ]);
    expect(glue.commandCalls(StartJobRunCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        JobName: JOB,
        Arguments: {
          '--manifest': `s3://lake-bucket/${FOLDER}manifest.json`,
          '--source': 'alb',
          '--staging-data': `s3://lake-bucket/${REQUEST.stagingData.prefix}`,
          '--staging-rejects': `s3://lake-bucket/${REQUEST.stagingRejects.prefix}`,
          '--counts-output': `s3://lake-bucket/${FOLDER}counts.json`,
        },
      },
    ]);
    expect(glue.commandCalls(GetJobRunCommand)).toHaveLength(0);
  });

  it('waits out throttling of StartJobRun with jittered, growing backoff', async () => {
    throttleStartsTwice(glue);

    expect(await engine().start(REQUEST)).toStrictEqual(JOB_RUN);

    expect(glue.commandCalls(StartJobRunCommand)).toHaveLength(3);
    expect(sleeps).toStrictEqual([500, 1000]);
  });
});

describe('the Glue step engine: status', () => {
  it.each(['STARTING', 'RUNNING', 'STOPPING', 'WAITING'])('reports a run %s as RUNNING', async (state) => {
    glue.on(GetJobRunCommand).resolves(runIn(state));

    expect(await engine().status(JOB_RUN)).toStrictEqual({ state: 'RUNNING' });

    expect(glue.commandCalls(GetJobRunCommand).map((call) => call.args[0].input)).toStrictEqual([
      { JobName: JOB, RunId: 'jr_1' },
    ]);
  });

  it('reports a run SUCCEEDED', async () => {
    expect(await engine().status(JOB_RUN)).toStrictEqual({ state: 'SUCCEEDED' });
  });

  it.each([
    ['FAILED', { ErrorMessage: 'FormatError: bad header' }, /ended FAILED: FormatError: bad header\./],
    [
      'TIMEOUT',
      { Timeout: 30 },
      /ended TIMEOUT \(Glue gave no error message\)\. It ran into the job's timeout/,
    ],
    ['STOPPED', {}, /ended STOPPED .* It was stopped/],
    ['ERROR', { ErrorMessage: 'Internal error' }, /ended ERROR: Internal error\./],
    ['EXPIRED', {}, /ended EXPIRED .* It waited in the queue longer than its timeout/],
  ])(
    'reports a run %s as FAILED, naming the run, the partition and the kept manifest',
    async (state, extra, message) => {
      glue.on(GetJobRunCommand).resolves(runIn(state, extra));

      const status = await engine().status(JOB_RUN, REQUEST);

      const error = status.state === 'FAILED' ? status.error : undefined;
      expect(error).toBeInstanceOf(JobRunError);
      expect(error).toMatchObject({ jobRunId: 'jr_1', state, jobName: JOB });
      expect(error?.message).toMatch(message);
      expect(error?.message).toContain(
        `Glue job run jr_1 of job "${JOB}" (alb 222222222222/ap-northeast-1/2026-11-21)`,
      );
      expect(error?.message).toContain(`Its manifest stays at s3://lake-bucket/${FOLDER}manifest.json`);
    },
  );

  it('names a failed run from its own arguments when the request is not at hand (the sweeper)', async () => {
    glue.on(GetJobRunCommand).resolves(runIn('FAILED', { ErrorMessage: 'OutOfMemory' }));

    const status = await engine().status(JOB_RUN);

    const error = status.state === 'FAILED' ? status.error : undefined;
    expect(error?.message).toBe(
      `Glue job run jr_1 of job "${JOB}" (alb) ended FAILED: OutOfMemory. Its manifest stays at ` +
        `s3://lake-bucket/${FOLDER}manifest.json; the previous version of the partition stays served.`,
    );
  });
});

describe('the Glue step engine: next', () => {
  it('reads the counts, reconciles them, deletes manifest and counts, and returns the result', async () => {
    const outcome = await engine().next(REQUEST, JSON.parse(JSON.stringify(JOB_RUN)) as StepRun, {});

    expect(outcome).toStrictEqual({
      figures: { runId: 'jr_1', rows: 69, engineMs: 93_000 },
      result: {
        rowsIn: 70,
        rowsOut: 69,
        rowsRejected: 1,
        bytesIn: 4096,
        engine: { kind: 'glue', id: 'jr_1', engineMs: 93_000, state: 'SUCCEEDED' },
      },
    });
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toStrictEqual([
      { Bucket: 'lake-bucket', Key: `${FOLDER}counts.json` },
    ]);
    expect(
      s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete?.Objects),
    ).toStrictEqual([[{ Key: `${FOLDER}manifest.json` }, { Key: `${FOLDER}counts.json` }]]);
    expect(glue.commandCalls(GetJobRunCommand)).toHaveLength(1);
    expect(warnings).toStrictEqual([]);
  });

  it('reuses the answer its own status poll just read instead of asking Glue again', async () => {
    const steps = engine();

    await steps.status(JOB_RUN);
    await steps.next(REQUEST, JOB_RUN, {});

    expect(glue.commandCalls(GetJobRunCommand)).toHaveLength(1);
  });

  it('fails with a ReconciliationError naming the run, and keeps the manifest', async () => {
    s3.on(GetObjectCommand).callsFake(() => countsBody({ rowsOut: 60 }));

    const error = await engine()
      .next(REQUEST, JOB_RUN, {})
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ReconciliationError);
    expect((error as Error).message).toBe(
      'Counts do not reconcile for alb 222222222222/ap-northeast-1/2026-11-21 (Glue job run jr_1): 70 lines in, 60 rows out, 1 rejected.',
    );
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  });

  it('refuses counts written for another conversion', async () => {
    s3.on(GetObjectCommand).callsFake(() => countsBody({ runId: 'conv-earlier' }));

    await expect(engine().next(REQUEST, JOB_RUN, {})).rejects.toThrow(
      /counts object s3:\/\/lake-bucket\/.*counts\.json belongs to run "conv-earlier"/,
    );
  });

  it.each([
    ['RUNNING', /has not ended \(RUNNING\): its counts cannot be read yet/],
    ['FAILED', /ended FAILED \(Glue gave no error message\)\./],
  ])('refuses to read the counts of a run that is %s', async (state, message) => {
    glue.on(GetJobRunCommand).resolves(runIn(state));

    const error = await engine()
      .next(REQUEST, JOB_RUN, {})
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(JobRunError);
    expect((error as Error).message).toMatch(message);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('refuses a step it does not know, before calling Glue', async () => {
    const error = await engine()
      .next(REQUEST, { step: 'parse', runId: 'q-1' }, {})
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PipelineError);
    expect((error as Error).message).toBe(
      'The Glue conversion of alb 222222222222/ap-northeast-1/2026-11-21 has no step "parse" (run q-1): ' +
        'its one step is job. The bookmark names a step this engine does not know.',
    );
    expect(glue.calls()).toHaveLength(0);
  });

  it('still succeeds when the manifest cannot be deleted afterwards, and says so', async () => {
    s3.on(DeleteObjectsCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    const outcome = await engine().next(REQUEST, JOB_RUN, {});

    expect('result' in outcome && outcome.result.rowsOut).toBe(69);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^The manifest and counts of Glue job run jr_1 \(s3:\/\/lake-bucket\/.*manifest\.json\)/,
    );
  });
});

describe('the Glue step engine: cleanUp', () => {
  it('has nothing to remove: a failed run keeps its manifest for inspection', async () => {
    await expect(engine().cleanUp(REQUEST)).resolves.toBeUndefined();

    expect(glue.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});
