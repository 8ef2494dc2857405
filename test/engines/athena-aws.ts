/**
 * The AWS an Athena engine talks to besides Athena itself (S3 for manifests and scratch, the Glue
 * catalog), mocked afresh for each test of the engine, and the options every such engine is built
 * with. Athena's queries are the test's: see FakeAthena in athena-fakes.ts.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import {
  BatchDeleteTableCommand,
  CreatePartitionCommand,
  EntityNotFoundException,
  GetPartitionCommand,
  GlueClient,
  UpdatePartitionCommand,
} from '@aws-sdk/client-glue';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { ThrottleRetryOptions } from '../../shared/aws/throttle.js';
import { createGlueCatalog } from '../../shared/catalog/glue-catalog.js';
import { createS3Store } from '../../shared/storage/s3-store.js';
import { LINES_STORAGE, serveTables, table, testGlueClient } from '../catalog/glue-fixtures.js';
import { testClient } from '../storage/s3-fake-bucket.js';
import { testAthenaClient } from './athena-fakes.js';

export const LAKE = { bucket: 'lake-bucket', prefix: 'lake/' };

export interface AthenaAws {
  s3: AwsClientStub<S3Client>;
  glue: AwsClientStub<GlueClient>;
  athena: AwsClientStub<AthenaClient>;
}

/**
 * Mocks S3, Glue and Athena (left bare, for a FakeAthena): S3 writes and deletes succeed and lists
 * one Parquet file under any prefix; Glue serves the lines table of each of `sources`, has no
 * partition yet, creates, updates and drops what it is asked to. Restore the three stubs after the test.
 */
export function mockAthenaAws(sources: readonly string[]): AthenaAws {
  const s3 = mockClient(S3Client);
  const glue = mockClient(GlueClient);
  const athena = mockClient(AthenaClient);
  s3.on(PutObjectCommand).resolves({});
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({
    Contents: [
      {
        Key: `${input.Prefix ?? ''}20261122_000000_00001_abcde_1.parquet`,
        Size: 10,
        LastModified: new Date(),
      },
    ],
  }));
  s3.on(DeleteObjectsCommand).resolves({});
  serveTables(
    glue,
    sources.map((source) => table(`${source}_raw_lines`, LINES_STORAGE)),
  );
  glue
    .on(GetPartitionCommand)
    .rejects(new EntityNotFoundException({ $metadata: {}, message: 'no partition' }));
  glue.on(CreatePartitionCommand).resolves({});
  glue.on(UpdatePartitionCommand).resolves({});
  glue.on(BatchDeleteTableCommand).resolves({ Errors: [] });
  return { s3, glue, athena };
}

/**
 * What every Athena engine of the tests is built with, on the mocked clients: the `athena-logs`
 * workgroup and its results location, the `athena_logs` database, the lake, and `retry` for Glue.
 */
export function athenaEngineBase(retry: Partial<ThrottleRetryOptions>) {
  return {
    client: testAthenaClient(),
    workGroup: 'athena-logs',
    outputLocation: 's3://query-results-bucket/athena-logs/',
    glue: createGlueCatalog(testGlueClient(), { retry }),
    store: createS3Store(testClient()),
    database: 'athena_logs',
    lake: LAKE,
  };
}
