import { AthenaClient } from '@aws-sdk/client-athena';
import {
  BatchCreatePartitionCommand,
  CreatePartitionCommand,
  GetPartitionCommand,
  GlueClient,
  UpdatePartitionCommand,
  BatchDeleteTableCommand,
} from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBookmarkTable } from '../../shared/bookmarks/bookmark-table.js';
import { DynamoBookmarkStore } from '../../shared/bookmarks/dynamodb-store.js';
import { createGlueCatalog, partitionCatalog } from '../../shared/catalog/glue-catalog.js';
import { createAthenaEngine } from '../../shared/engines/athena/engine.js';
import { runPipeline } from '../../shared/pipeline/run-pipeline.js';
import { remoteTarget } from '../../shared/pipeline/targets/remote-target.js';
import type { PipelineOptions } from '../../shared/pipeline/types.js';
import { SOURCES } from '../../shared/sources/index.js';
import { listRawS3 } from '../../shared/storage/s3-raw-listing.js';
import { createS3Store } from '../../shared/storage/s3-store.js';
import { startMemoryDynalite } from '../bookmarks/helpers.js';
import { LINES_STORAGE, serveTables, table, testGlueClient } from '../catalog/glue-fixtures.js';
import { FakeAthena, testAthenaClient } from '../engines/athena-fakes.js';
import { FakeBucket, mockS3, testClient } from '../storage/s3-fake-bucket.js';

const DAY = '2026-11-21';
const ACCOUNTS = ['111122223333', '012345678901'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const RAW = { bucket: 'raw-bucket', prefix: 'logs/' };
const LAKE = { bucket: 'lake-bucket', prefix: 'lake/' };

/** A night's raw keys: flow logs and ALB logs of two accounts in two regions, plus a classic ELB file ALB must not take. */
function nightKeys(): string[] {
  const keys: string[] = [];
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      const day = `AWSLogs/${account}/vpcflowlogs/${region}/2026/11/21/`;
      keys.push(`logs/${day}${account}_vpcflowlogs_${region}_fl-1_20261121T0005Z_a1.log.gz`);
      keys.push(`logs/${day}${account}_vpcflowlogs_${region}_fl-1_20261121T0010Z_b2.log.gz`);
      const elb = `AWSLogs/${account}/elasticloadbalancing/${region}/2026/11/21/`;
      keys.push(
        `logs/${elb}${account}_elasticloadbalancing_${region}_app.web.0f1e2d3c4b5a6978_20261121T0005Z_10.0.0.1_x1.log.gz`,
      );
      keys.push(
        `logs/${elb}${account}_elasticloadbalancing_${region}_classic-web_20261121T0005Z_10.0.0.2_y2.log`,
      );
    }
  }
  return keys;
}

describe('a night on AWS: S3 listing, Athena conversions, Glue partition swaps, DynamoDB bookmarks', () => {
  let dynamo: Awaited<ReturnType<typeof startMemoryDynalite>>;
  let s3: AwsClientStub<S3Client>;
  let glue: AwsClientStub<GlueClient>;
  let athena: AwsClientStub<AthenaClient>;
  let fakeAthena: FakeAthena;
  let tableCount = 0;
  let options: PipelineOptions;
  /** Partition values → the LOCATION the catalog holds (what GetPartition answers). */
  let locations: Map<string, string>;

  beforeAll(async () => {
    dynamo = await startMemoryDynalite();
  });

  afterAll(async () => {
    await dynamo.close();
  });

  beforeEach(async () => {
    s3 = mockS3(new FakeBucket('raw-bucket', nightKeys()), new FakeBucket('lake-bucket', []));
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});
    glue = mockClient(GlueClient);
    serveTables(glue, [
      table('vpc_flow'),
      table('alb'),
      table('vpc_flow_raw_lines', LINES_STORAGE),
      table('vpc_flow_raw'),
      table('alb_raw'),
      table('alb_raw_lines', LINES_STORAGE),
    ]);
    locations = new Map();
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
    glue.on(BatchDeleteTableCommand).resolves({ Errors: [] });
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
    athena = mockClient(AthenaClient);
    // Every partition: 10 lines parsed, 9 rows, 1 reject.
    fakeAthena = new FakeAthena(athena, (sql) => ({
      runningPolls: 1,
      bytesScanned: 5000,
      engineMs: 900,
      // The parse reads the lines table; the rejects are written as JSON; the rows as Parquet.
      updateCount: sql.includes('_raw_lines') ? 10 : sql.includes("format = 'JSON'") ? 1 : 9,
    }));
    const tableName = `bookmarks_${++tableCount}`;
    await ensureBookmarkTable(dynamo.client, tableName);
    const store = createS3Store(testClient());
    const catalog = createGlueCatalog(testGlueClient());
    const engine = createAthenaEngine({
      client: testAthenaClient(),
      workGroup: 'logs',
      outputLocation: 's3://results-bucket/athena/',
      glue: catalog,
      store,
      database: 'athena_logs',
      lake: LAKE,
      maxInFlight: 20,
      sleep: () => Promise.resolve(),
    });
    const sources = [SOURCES.vpc_flow, SOURCES.alb];
    options = {
      sources,
      dates: [DAY],
      lake: 's3://lake-bucket/lake/',
      listRaw: (dates) => listRawS3(store, RAW, { sources, dates, prefixes: {} }),
      target: remoteTarget({
        engine,
        store,
        catalog: partitionCatalog(catalog, 'athena_logs'),
        raw: RAW,
        lake: LAKE,
      }),
      backfill: false,
      retryFailed: false,
      retryBudget: 3,
      leaseMs: 60_000,
      concurrency: 20,
      bookmarks: new DynamoBookmarkStore(dynamo.client, tableName),
      runnerId: 'test-runner:1:aws',
    };
  });

  afterEach(() => {
    s3.restore();
    glue.restore();
    athena.restore();
  });

  it('converts every partition once, records the queries in the bookmarks and points the catalog at each new version', async () => {
    const outcomes = await runPipeline(options);

    expect(outcomes).toHaveLength(8);
    for (const outcome of outcomes)
      expect(outcome).toMatchObject({
        action: 'converted',
        state: 'SUCCEEDED',
        rowsIn: 10,
        rowsOut: 9,
        rowsRejected: 1,
      });
    // Three queries per partition (parse once, then rows and rejects from the parsed scratch).
    expect(fakeAthena.queries).toHaveLength(24);
    expect(new Set(fakeAthena.queries.map((query) => query.input.WorkGroup))).toEqual(new Set(['logs']));
    // The ALB manifests list the ALB file only, never the classic ELB file beside it.
    const manifests = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    const albManifest = manifests.find((input) =>
      input.Key?.includes('_manifests/alb/account=111122223333/region=us-east-1/'),
    );
    expect(String(albManifest?.Body)).toMatch(/_app\.web\./);
    expect(String(albManifest?.Body)).not.toMatch(/classic-web/);
    // The raw tables' partitions of the night are registered in one BatchCreatePartition per table,
    // each at its day folder.
    const registered = glue.commandCalls(BatchCreatePartitionCommand).map((call) => call.args[0].input);
    expect(registered.map((input) => [input.TableName, input.PartitionInputList?.length])).toEqual([
      ['alb_raw', 4],
      ['vpc_flow_raw', 4],
    ]);
    expect(registered[1]?.PartitionInputList?.map((entry) => entry.StorageDescriptor?.Location)).toContain(
      's3://raw-bucket/logs/AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/21/',
    );
    // The converted table's partition points at this run's version.
    const converted = locations.get('vpc_flow|111122223333/us-east-1/2026/11/21');
    expect(converted).toMatch(
      /^s3:\/\/lake-bucket\/lake\/vpc_flow\/account=111122223333\/region=us-east-1\/year=2026\/month=11\/day=21\/v=[^/]+\/$/,
    );
    const bookmark = await options.bookmarks.get({
      lake: options.lake,
      source: 'vpc_flow',
      account: '111122223333',
      region: 'us-east-1',
      date: DAY,
    });
    expect(bookmark).toMatchObject({
      state: 'SUCCEEDED',
      bytesScanned: 15000,
      engineMs: 2700,
      location: converted,
    });
    expect(bookmark?.engineRunId).toMatch(/^q-\d+$/);
  });

  it('converts nothing on a second run: the bookmarks say every partition is up to date', async () => {
    await runPipeline(options);
    const queriesAfterFirst = fakeAthena.queries.length;

    const again = await runPipeline(options);

    expect(again.every((outcome) => outcome.action === 'up-to-date')).toBe(true);
    expect(fakeAthena.queries).toHaveLength(queriesAfterFirst);
  });

  it('a re-run after late data swaps the partition to the new version and deletes the old one', async () => {
    await runPipeline(options);
    const first = locations.get('alb|012345678901/eu-west-1/2026/11/21');
    const lake = new FakeBucket('lake-bucket', [`${first?.replace('s3://lake-bucket/', '')}part-0.parquet`]);
    s3.restore();
    s3 = mockS3(
      new FakeBucket('raw-bucket', [
        ...nightKeys(),
        'logs/AWSLogs/012345678901/elasticloadbalancing/eu-west-1/2026/11/21/012345678901_elasticloadbalancing_eu-west-1_app.web.0f1e2d3c4b5a6978_20261121T2355Z_10.0.0.1_late.log.gz',
      ]),
      lake,
    );
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});

    const rerun = await runPipeline({ ...options, runnerId: 'test-runner:2:aws' });

    const late = rerun.filter((outcome) => outcome.action === 'converted');
    expect(late.map((outcome) => `${outcome.source} ${outcome.account} ${outcome.region}`)).toEqual([
      'alb 012345678901 eu-west-1',
    ]);
    const second = locations.get('alb|012345678901/eu-west-1/2026/11/21');
    expect(second).not.toBe(first);
    const deleted = s3
      .commandCalls(DeleteObjectsCommand)
      .flatMap((call) => call.args[0].input.Delete?.Objects?.map((object) => object.Key) ?? []);
    expect(deleted).toContain(`${first?.replace('s3://lake-bucket/', '')}part-0.parquet`);
  });

  it("--dry-run lists and plans, prints each partition's statements and calls, and sends no write at all", async () => {
    const outcomes = await runPipeline({ ...options, dryRun: true });

    expect(outcomes.every((outcome) => outcome.action === 'would-convert')).toBe(true);
    const plan = outcomes[0]?.plan ?? [];
    expect(plan.some((step) => step.startsWith('S3 PutObject s3://lake-bucket/lake/_manifests/'))).toBe(true);
    expect(
      plan.filter((step) => step.startsWith('Athena StartQueryExecution (workgroup logs)')),
    ).toHaveLength(3);
    expect(plan.some((step) => /CREATE TABLE/.test(step))).toBe(true);
    expect(fakeAthena.queries).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expect(glue.commandCalls(CreatePartitionCommand)).toHaveLength(0);
    expect(glue.commandCalls(UpdatePartitionCommand)).toHaveLength(0);
    expect(glue.commandCalls(BatchCreatePartitionCommand)).toHaveLength(0);
    expect(plan[0]).toMatch(
      /^Glue BatchCreatePartition .*_raw \(.*\) LOCATION s3:\/\/raw-bucket\/logs\/AWSLogs\//,
    );
    expect(await options.bookmarks.list({ lake: options.lake, source: 'vpc_flow' })).toEqual([]);
  });
});
