/**
 * The AWS a Glue engine talks to (the job in Glue, its manifest and counts in S3), mocked afresh for
 * each test of the engine, with what the engine's retries and warnings leave behind.
 */
import { Readable } from 'node:stream';
import { GlueClient, StartJobRunCommand, ThrottlingException } from '@aws-sdk/client-glue';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { createS3Store } from '../../shared/storage/s3-store.js';
import { testGlueClient } from '../catalog/glue-fixtures.js';
import { testClient } from '../storage/s3-fake-bucket.js';

export const JOB = 'athena-logs-convert';

export interface GlueAws {
  glue: AwsClientStub<GlueClient>;
  s3: AwsClientStub<S3Client>;
  /** What the engine slept, in order: give it `sleep: async (ms) => void sleeps.push(ms)`. */
  sleeps: number[];
  /** The engine's warnings: give it `onWarning: (message) => void warnings.push(message)`. */
  warnings: string[];
}

/**
 * Mocks Glue and S3: PutObject and DeleteObjects succeed, GetObject gives `counts()` (what the job
 * wrote at --counts-output), StartJobRun starts `jr_1`. GetJobRun is left to the test; restore both
 * stubs after it.
 */
export function mockGlueAws(counts: () => GetObjectCommandOutput): GlueAws {
  const glue = mockClient(GlueClient);
  const s3 = mockClient(S3Client);
  s3.on(PutObjectCommand).resolves({});
  s3.on(DeleteObjectsCommand).resolves({});
  s3.on(GetObjectCommand).callsFake(counts);
  glue.on(StartJobRunCommand).resolves({ JobRunId: 'jr_1' });
  return { glue, s3, sleeps: [], warnings: [] };
}

/** The counts object the job writes, as GetObject returns it. */
export function countsObject(counts: Record<string, unknown>): GetObjectCommandOutput {
  return { Body: Readable.from([Buffer.from(JSON.stringify(counts))]) } as unknown as GetObjectCommandOutput;
}

/** Glue refusing a call for its rate. */
export function throttled(): ThrottlingException {
  return new ThrottlingException({ message: 'Rate exceeded', $metadata: {} });
}

/** StartJobRun is throttled twice, then starts `jr_1`. */
export function throttleStartsTwice(glue: AwsClientStub<GlueClient>): void {
  glue
    .on(StartJobRunCommand)
    .rejectsOnce(throttled())
    .rejectsOnce(throttled())
    .resolves({ JobRunId: 'jr_1' });
}

/**
 * What every Glue engine of the tests is built with, on the mocked clients: the job, its scratch
 * folder in the lake bucket, and `warnings` to collect the engine's warnings.
 */
export function glueEngineBase(warnings: string[]) {
  return {
    client: testGlueClient(),
    store: createS3Store(testClient()),
    jobName: JOB,
    scratch: { bucket: 'lake-bucket', prefix: 'lake/_staging/glue/' },
    onWarning: (message: string) => void warnings.push(message),
  };
}
