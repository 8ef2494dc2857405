import {
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  BatchDeleteTableCommand,
  CreatePartitionCommand,
  EntityNotFoundException,
  GetPartitionCommand,
  GetTableCommand,
  GlueClient,
  UpdatePartitionCommand,
} from '@aws-sdk/client-glue';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGlueCatalog, partitionCatalog } from '../../shared/catalog/glue-catalog.js';
import { CatalogError, PartitionsRefusedError } from '../../shared/errors.js';
import { LINES_STORAGE, PARQUET_STORAGE, serveTables, table, testGlueClient } from './glue-fixtures.js';

const values = (index: number) => [String(100_000_000_000 + index), 'eu-west-1', '2026', '11', '21'];
const folder = (index: number) =>
  `s3://raw/AWSLogs/${100_000_000_000 + index}/vpcflowlogs/eu-west-1/2026/11/21/`;
const notFound = () => new EntityNotFoundException({ $metadata: {}, message: 'Cannot find partition.' });
const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

function quietRetry(sleeps: number[] = []) {
  return { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5, baseMs: 100, capMs: 1_000 };
}

describe('createPartitions (BatchCreatePartition)', () => {
  let glue: AwsClientStub<GlueClient>;
  beforeEach(() => {
    glue = mockClient(GlueClient);
    serveTables(glue, [table('vpc_flow_raw'), table('alb_raw')]);
  });
  afterEach(() => glue.restore());

  it("sends 250 partitions in calls of 100, 100 and 50, each with the table's storage and its own LOCATION", async () => {
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
    const catalog = createGlueCatalog(testGlueClient(), { retry: quietRetry() });
    const partitions = Array.from({ length: 250 }, (_, index) => ({
      values: values(index),
      location: folder(index),
    }));
    const result = await catalog.createPartitions('athena_logs', 'vpc_flow_raw', partitions);
    expect(result).toEqual({ created: 250, alreadyExisted: 0, calls: 3 });
    const calls = glue.commandCalls(BatchCreatePartitionCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.PartitionInputList?.length)).toEqual([100, 100, 50]);
    expect(calls[0]?.DatabaseName).toBe('athena_logs');
    expect(calls[0]?.TableName).toBe('vpc_flow_raw');
    expect(calls[0]?.PartitionInputList?.[0]).toStrictEqual({
      Values: values(0),
      StorageDescriptor: { ...PARQUET_STORAGE, Location: folder(0) },
    });
    expect(calls[2]?.PartitionInputList?.[49]?.Values).toEqual(values(249));
    expect(
      calls.flatMap((input) => input.PartitionInputList?.map((p) => p.StorageDescriptor?.Location)),
    ).toEqual(partitions.map((partition) => partition.location));
  });

  it('asks GetTable once per table, however many calls', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({});
    const catalog = createGlueCatalog(testGlueClient(), { retry: quietRetry() });
    const one = [{ values: values(1), location: folder(1) }];
    await catalog.createPartitions('athena_logs', 'vpc_flow_raw', one);
    await catalog.createPartitions('athena_logs', 'vpc_flow_raw', one);
    await catalog.createPartitions('athena_logs', 'alb_raw', one);
    await Promise.all([
      catalog.createPartitions('athena_logs', 'alb_raw', one),
      catalog.swapPartitionLocation('athena_logs', 'alb_raw', values(1), folder(1)).catch(() => undefined),
    ]);
    expect(glue.commandCalls(GetTableCommand).map((call) => call.args[0].input)).toEqual([
      { DatabaseName: 'athena_logs', Name: 'vpc_flow_raw' },
      { DatabaseName: 'athena_logs', Name: 'alb_raw' },
    ]);
  });

  it('reads partial Errors: AlreadyExists counted, throttled entries sent again, others thrown with their values', async () => {
    const sleeps: number[] = [];
    let call = 0;
    glue.on(BatchCreatePartitionCommand).callsFake(() => {
      call += 1;
      if (call === 1)
        return {
          Errors: [
            {
              PartitionValues: values(3),
              ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' },
            },
            {
              PartitionValues: values(7),
              ErrorDetail: { ErrorCode: 'InvalidInputException', ErrorMessage: 'Location is not valid.' },
            },
            {
              PartitionValues: values(9),
              ErrorDetail: { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded.' },
            },
          ],
        };
      if (call === 2) return {}; // the throttled entry, sent again
      return {
        Errors: [
          {
            PartitionValues: values(120),
            ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'exists' },
          },
        ],
      };
    });
    const catalog = createGlueCatalog(testGlueClient(), { retry: quietRetry(sleeps) });
    const partitions = Array.from({ length: 150 }, (_, index) => ({
      values: values(index),
      location: folder(index),
    }));
    const error = await catalog
      .createPartitions('athena_logs', 'vpc_flow_raw', partitions)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PartitionsRefusedError);
    const refused = error as PartitionsRefusedError;
    expect(refused.refused).toEqual([
      { values: values(7), code: 'InvalidInputException', message: 'Location is not valid.' },
    ]);
    expect(refused.message).toBe(
      'BatchCreatePartition athena_logs.vpc_flow_raw refused 1 of 150 partitions: ' +
        '(account=100000000007, region=eu-west-1, year=2026, month=11, day=21) InvalidInputException: Location is not valid.',
    );
    const calls = glue
      .commandCalls(BatchCreatePartitionCommand)
      .map((c) => c.args[0].input.PartitionInputList ?? []);
    expect(calls.map((list) => list.length)).toEqual([100, 1, 50]);
    expect(calls[1]?.[0]?.Values).toEqual(values(9));
    expect(sleeps).toEqual([50]);
  });

  it('counts what it created when some partitions were there already', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({
      Errors: [
        {
          PartitionValues: values(0),
          ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'exists' },
        },
      ],
    });
    const catalog = createGlueCatalog(testGlueClient(), { retry: quietRetry() });
    const partitions = [0, 1, 2].map((index) => ({ values: values(index), location: folder(index) }));
    expect(await catalog.createPartitions('athena_logs', 'vpc_flow_raw', partitions)).toEqual({
      created: 2,
      alreadyExisted: 1,
      calls: 1,
    });
  });

  it('retries a throttled call with backoff, and names the table when Glue keeps throttling', async () => {
    const sleeps: number[] = [];
    glue.on(BatchCreatePartitionCommand).rejectsOnce(throttle()).rejectsOnce(throttle()).resolves({});
    const catalog = createGlueCatalog(testGlueClient(), { retry: { ...quietRetry(sleeps), maxAttempts: 3 } });
    const one = [{ values: values(1), location: folder(1) }];
    expect(await catalog.createPartitions('athena_logs', 'vpc_flow_raw', one)).toEqual({
      created: 1,
      alreadyExisted: 0,
      calls: 1,
    });
    expect(glue.commandCalls(BatchCreatePartitionCommand)).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]);

    glue.on(BatchCreatePartitionCommand).rejects(throttle());
    const error = await catalog
      .createPartitions('athena_logs', 'vpc_flow_raw', one)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as Error).message).toMatch(
      /^BatchCreatePartition athena_logs\.vpc_flow_raw \(1 partitions\) failed with ThrottlingException: Glue was still throttling/,
    );
  });

  it('refuses values that do not fit the partition keys, before any call', async () => {
    const catalog = createGlueCatalog(testGlueClient(), { retry: quietRetry() });
    await expect(
      catalog.createPartitions('athena_logs', 'vpc_flow_raw', [
        { values: ['1', 'eu-west-1'], location: folder(1) },
      ]),
    ).rejects.toThrow(/partitioned by 5 keys \(account, region, year, month, day\), but 2 values were given/);
    expect(glue.commandCalls(BatchCreatePartitionCommand)).toHaveLength(0);
  });

  it('says how to create a missing table', async () => {
    const catalog = createGlueCatalog(testGlueClient(), { retry: quietRetry() });
    await expect(catalog.createPartitions('athena_logs', 'cloudfront_raw', [])).rejects.toThrow(
      'GetTable athena_logs.cloudfront_raw failed with EntityNotFoundException: the table or database does not exist: ' +
        'create it with the statements of `athena-logs ddl` (database athena_logs). Glue said: Table cloudfront_raw not found.',
    );
  });
});

describe('swapPartitionLocation', () => {
  let glue: AwsClientStub<GlueClient>;
  const old = 's3://lake-bucket/lake/vpc_flow/account=1/region=r/year=2026/month=11/day=21/v=run-1/';
  const next = 's3://lake-bucket/lake/vpc_flow/account=1/region=r/year=2026/month=11/day=21/v=run-2/';
  beforeEach(() => {
    glue = mockClient(GlueClient);
    serveTables(glue, [table('vpc_flow'), table('vpc_flow_raw_lines', LINES_STORAGE)]);
  });
  afterEach(() => glue.restore());

  it('creates an absent partition and says it had no location', async () => {
    glue.on(GetPartitionCommand).rejects(notFound());
    glue.on(CreatePartitionCommand).resolves({});
    const catalog = createGlueCatalog(testGlueClient(), { retry: quietRetry() });
    expect(await catalog.swapPartitionLocation('athena_logs', 'vpc_flow', values(1), next)).toBeUndefined();
    expect(glue.commandCalls(GetPartitionCommand)[0]?.args[0].input).toStrictEqual({
      DatabaseName: 'athena_logs',
      TableName: 'vpc_flow',
      PartitionValues: values(1),
    });
    expect(glue.commandCalls(CreatePartitionCommand)[0]?.args[0].input).toStrictEqual({
      DatabaseName: 'athena_logs',
      TableName: 'vpc_flow',
      PartitionInput: { Values: values(1), StorageDescriptor: { ...PARQUET_STORAGE, Location: next } },
    });
    expect(glue.commandCalls(UpdatePartitionCommand)).toHaveLength(0);
  });

  it('updates an existing partition to the new location, keeping its parameters, and returns the old one', async () => {
    glue.on(GetPartitionCommand).resolves({
      Partition: {
        Values: values(1),
        StorageDescriptor: { ...PARQUET_STORAGE, Location: old },
        Parameters: { note: 'kept' },
      },
    });
    glue.on(UpdatePartitionCommand).resolves({});
    const commit = partitionCatalog(
      createGlueCatalog(testGlueClient(), { retry: quietRetry() }),
      'athena_logs',
    );
    expect(await commit.swapPartitionLocation('vpc_flow', values(1), next)).toBe(old);
    expect(glue.commandCalls(UpdatePartitionCommand)[0]?.args[0].input).toStrictEqual({
      DatabaseName: 'athena_logs',
      TableName: 'vpc_flow',
      PartitionValueList: values(1),
      PartitionInput: {
        Values: values(1),
        StorageDescriptor: { ...PARQUET_STORAGE, Location: next },
        Parameters: { note: 'kept' },
      },
    });
    expect(glue.commandCalls(CreatePartitionCommand)).toHaveLength(0);
  });

  it('leaves a partition that already points there as it is', async () => {
    glue
      .on(GetPartitionCommand)
      .resolves({ Partition: { Values: values(1), StorageDescriptor: { Location: next } } });
    const catalog = createGlueCatalog(testGlueClient(), { retry: quietRetry() });
    expect(await catalog.swapPartitionLocation('athena_logs', 'vpc_flow', values(1), next)).toBe(next);
    expect(glue.commandCalls(UpdatePartitionCommand)).toHaveLength(0);
    expect(glue.commandCalls(CreatePartitionCommand)).toHaveLength(0);
  });

  it('looks again and updates when another writer created the partition meanwhile', async () => {
    glue
      .on(GetPartitionCommand)
      .rejectsOnce(notFound())
      .resolves({ Partition: { Values: values(1), StorageDescriptor: { Location: old } } });
    glue.on(CreatePartitionCommand).rejects(new AlreadyExistsException({ $metadata: {}, message: 'exists' }));
    glue.on(UpdatePartitionCommand).resolves({});
    const catalog = createGlueCatalog(testGlueClient(), { retry: quietRetry() });
    expect(await catalog.swapPartitionLocation('athena_logs', 'vpc_flow', values(1), next)).toBe(old);
    expect(glue.commandCalls(GetPartitionCommand)).toHaveLength(2);
    expect(glue.commandCalls(UpdatePartitionCommand)).toHaveLength(1);
  });

  it('retries throttled calls and names the partition when a call fails', async () => {
    const sleeps: number[] = [];
    glue.on(GetPartitionCommand).rejectsOnce(throttle()).rejects(notFound());
    glue
      .on(CreatePartitionCommand)
      .rejectsOnce(throttle())
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const catalog = createGlueCatalog(testGlueClient(), { retry: quietRetry(sleeps) });
    const error = await catalog
      .swapPartitionLocation('athena_logs', 'vpc_flow', values(1), next)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as Error).message).toBe(
      `CreatePartition athena_logs.vpc_flow (account=100000000001, region=eu-west-1, year=2026, month=11, day=21 → ${next}) ` +
        'failed with AccessDeniedException: the caller may not do this: it needs glue:CreatePartition on the catalog, ' +
        'database athena_logs and table vpc_flow. Glue said: User is not authorized',
    );
    expect(glue.commandCalls(GetPartitionCommand)).toHaveLength(2);
    expect(glue.commandCalls(CreatePartitionCommand)).toHaveLength(2);
    expect(sleeps).toEqual([50, 50]);
  });
});

describe('deleteTables (BatchDeleteTable)', () => {
  let glue: AwsClientStub<GlueClient>;
  beforeEach(() => {
    glue = mockClient(GlueClient);
  });
  afterEach(() => glue.restore());

  it('drops the tables in one call; tables already gone are no failure, other refusals are', async () => {
    glue.on(BatchDeleteTableCommand).resolves({
      Errors: [
        { TableName: 't_rows', ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: 'gone' } },
      ],
    });
    const catalog = createGlueCatalog(testGlueClient(), { retry: quietRetry() });
    await catalog.deleteTables('scratch', ['t_parsed', 't_rows', 't_rejects']);
    expect(glue.commandCalls(BatchDeleteTableCommand).map((call) => call.args[0].input)).toStrictEqual([
      { DatabaseName: 'scratch', TablesToDelete: ['t_parsed', 't_rows', 't_rejects'] },
    ]);

    glue.on(BatchDeleteTableCommand).resolves({
      Errors: [
        { TableName: 't_rows', ErrorDetail: { ErrorCode: 'AccessDeniedException', ErrorMessage: 'no' } },
      ],
    });
    await expect(catalog.deleteTables('scratch', ['t_rows'])).rejects.toThrow(
      'BatchDeleteTable in scratch refused t_rows (AccessDeniedException: no).',
    );
  });
});
