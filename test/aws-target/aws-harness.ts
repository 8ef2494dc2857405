/**
 * A mocked AWS night (used by test/aws-target and test/pipeline/aws-night.test.ts) with *stateful*
 * buckets (PutObject adds, DeleteObjects removes, every CTAS writes a part file at its
 * external_location) so a test can ask "does the catalog point at a prefix that still holds data?".
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import {
  BatchCreatePartitionCommand,
  BatchDeleteTableCommand,
  CreatePartitionCommand,
  GetPartitionCommand,
  GlueClient,
  UpdatePartitionCommand,
  type BatchCreatePartitionCommandInput,
} from '@aws-sdk/client-glue';
import {
  DeleteObjectsCommand,
  PutObjectCommand,
  type DeleteObjectsCommandInput,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ensureBookmarkTable } from '../../shared/bookmarks/bookmark-table.js';
import { DynamoBookmarkStore } from '../../shared/bookmarks/dynamodb-store.js';
import { createGlueCatalog, partitionCatalog } from '../../shared/catalog/glue-catalog.js';
import { createAthenaEngine } from '../../shared/engines/athena/engine.js';
import { remoteTarget, type PartitionCatalog } from '../../shared/pipeline/targets/remote-target.js';
import type { PipelineOptions } from '../../shared/pipeline/types.js';
import { SOURCES } from '../../shared/sources/index.js';
import type { LogSource, SourceName, FlatLayoutPartition } from '../../shared/sources/types.js';
import type { S3Location } from '../../shared/storage/s3-location.js';
import { listRawS3 } from '../../shared/storage/s3-raw-listing.js';
import { createS3Store } from '../../shared/storage/s3-store.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startMemoryDynalite } from '../bookmarks/helpers.js';
import { LINES_STORAGE, serveTables, table, testGlueClient } from '../catalog/glue-fixtures.js';
import { FakeAthena, testAthenaClient } from '../engines/athena-fakes.js';
import { FakeBucket, mockS3, testClient, type FakeObject } from '../storage/s3-fake-bucket.js';

export const RAW: S3Location = { bucket: 'raw-bucket', prefix: 'logs/' };
export const LAKE: S3Location = { bucket: 'lake-bucket', prefix: 'lake/' };

/** What a Create/UpdatePartition carries: the partition's values and its new LOCATION. */
export interface PartitionWrite {
  TableName?: string;
  PartitionInput?: { Values?: string[]; StorageDescriptor?: { Location?: string } };
}

export interface NightSetup {
  dynamo: DynamoDBClient;
  tableName: string;
  sources: LogSource[];
  dates: string[];
  raw: S3Location;
  lake: S3Location;
  /** Bucket name → keys (raw and lake buckets; may be the same bucket). */
  buckets: Record<string, (string | FakeObject)[]>;
  prefixes?: Partial<Record<SourceName, string>>;
  flatLayouts?: Partial<Record<SourceName, FlatLayoutPartition>>;
  /** Catalog partitions that exist before the run: `table|v1/v2/…` → LOCATION. */
  catalog?: Map<string, string>;
  /** Replaces the catalog used by the commit/registration (e.g. Athena DDL). */
  partitionCatalog?: (glueCatalog: ReturnType<typeof createGlueCatalog>) => PartitionCatalog;
  runnerId?: string;
}

export interface Night {
  options: PipelineOptions;
  s3: AwsClientStub<S3Client>;
  glue: AwsClientStub<GlueClient>;
  athena: AwsClientStub<AthenaClient>;
  fakeAthena: FakeAthena;
  buckets: Map<string, FakeBucket>;
  /** The catalog: `table|values` → LOCATION. */
  locations: Map<string, string>;
  warnings: string[];
  /** Every key deleted, as `bucket/key`. */
  deleted: string[];
  registered: BatchCreatePartitionCommandInput[];
  /** Puts an object (as PutObject does) in a bucket of the night. */
  addObject(bucketName: string, key: string): void;
  /** Records a Create/UpdatePartition in `locations` (what the Glue fakes do). */
  remember(input: PartitionWrite): void;
  /** True when some object lies below the s3:// URL. */
  holdsData(url: string): boolean;
  restore(): void;
}

export async function makeNight(setup: NightSetup): Promise<Night> {
  const buckets = new Map(
    Object.entries(setup.buckets).map(([name, keys]) => [name, new FakeBucket(name, keys)]),
  );
  const s3 = mockS3(...buckets.values());
  const sortBucket = (bucket: FakeBucket) =>
    bucket.objects.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const addObject = (bucketName: string, key: string) => {
    const bucket = buckets.get(bucketName);
    if (!bucket) throw new Error(`no bucket ${bucketName}`);
    if (!bucket.objects.some((o) => o.key === key))
      bucket.objects.push({ key, size: 100, lastModified: new Date('2026-11-22T03:00:00Z') });
    sortBucket(bucket);
  };
  const deleted: string[] = [];
  s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
    addObject(input.Bucket ?? '', input.Key ?? '');
    return {};
  });
  s3.on(DeleteObjectsCommand).callsFake((input: DeleteObjectsCommandInput) => {
    const bucket = buckets.get(input.Bucket ?? '');
    for (const { Key } of input.Delete?.Objects ?? []) {
      deleted.push(`${input.Bucket}/${Key}`);
      if (bucket) {
        const at = bucket.objects.findIndex((o) => o.key === Key);
        if (at >= 0) bucket.objects.splice(at, 1);
      }
    }
    return {};
  });

  const glue = mockClient(GlueClient);
  serveTables(
    glue,
    setup.sources.flatMap((source) => [
      table(source.name),
      table(`${source.name}_raw`),
      table(`${source.name}_raw_lines`, LINES_STORAGE),
    ]),
  );
  const locations = new Map(setup.catalog ?? []);
  glue.on(GetPartitionCommand).callsFake((input: { TableName?: string; PartitionValues?: string[] }) => {
    const location = locations.get(`${input.TableName}|${(input.PartitionValues ?? []).join('/')}`);
    if (location)
      return { Partition: { Values: input.PartitionValues, StorageDescriptor: { Location: location } } };
    throw Object.assign(new Error('Partition not found.'), { name: 'EntityNotFoundException' });
  });
  const remember = (input: PartitionWrite) => {
    locations.set(
      `${input.TableName}|${(input.PartitionInput?.Values ?? []).join('/')}`,
      input.PartitionInput?.StorageDescriptor?.Location ?? '',
    );
  };
  const rememberFake = (input: PartitionWrite) => {
    remember(input);
    return {};
  };
  glue.on(CreatePartitionCommand).callsFake(rememberFake);
  glue.on(UpdatePartitionCommand).callsFake(rememberFake);
  glue.on(BatchDeleteTableCommand).resolves({ Errors: [] });
  const registered: BatchCreatePartitionCommandInput[] = [];
  glue.on(BatchCreatePartitionCommand).callsFake((input: BatchCreatePartitionCommandInput) => {
    registered.push(input);
    return { Errors: [] };
  });

  const athena = mockClient(AthenaClient);
  const fakeAthena = new FakeAthena(athena, (sql) => {
    // A CTAS writes one file at its external_location.
    const where = /external_location = '(s3:\/\/([^/]+)\/([^']*))'/.exec(sql);
    if (where) addObject(where[2]!, `${where[3]}20261122_000000_00000_abcde-part-0`);
    return {
      runningPolls: 1,
      bytesScanned: 5000,
      engineMs: 900,
      updateCount: sql.includes('_raw_lines') ? 10 : sql.includes("format = 'JSON'") ? 1 : 9,
    };
  });

  await ensureBookmarkTable(setup.dynamo, setup.tableName);
  const store = createS3Store(testClient());
  const glueCatalog = createGlueCatalog(testGlueClient(), { retry: { sleep: () => Promise.resolve() } });
  const warnings: string[] = [];
  const engine = createAthenaEngine({
    client: testAthenaClient(),
    workGroup: 'logs',
    outputLocation: 's3://results-bucket/athena/',
    glue: glueCatalog,
    store,
    database: 'athena_logs',
    lake: setup.lake,
    maxInFlight: 20,
    sleep: () => Promise.resolve(),
    onWarning: (message) => warnings.push(message),
  });
  const options: PipelineOptions = {
    sources: setup.sources,
    dates: setup.dates,
    lake: `s3://${setup.lake.bucket}/${setup.lake.prefix}`,
    listRaw: (dates) =>
      listRawS3(store, setup.raw, { sources: setup.sources, dates, prefixes: setup.prefixes ?? {} }),
    target: remoteTarget({
      engine,
      store,
      catalog: setup.partitionCatalog?.(glueCatalog) ?? partitionCatalog(glueCatalog, 'athena_logs'),
      raw: setup.raw,
      lake: setup.lake,
      onWarning: (message) => warnings.push(message),
    }),
    backfill: false,
    retryFailed: false,
    retryBudget: 3,
    leaseMs: 60_000,
    concurrency: 20,
    bookmarks: new DynamoBookmarkStore(setup.dynamo, setup.tableName),
    runnerId: setup.runnerId ?? 'aws-target-runner:1:aws',
    flatLayouts: setup.flatLayouts,
  };
  return {
    options,
    s3,
    glue,
    athena,
    fakeAthena,
    buckets,
    locations,
    warnings,
    deleted,
    registered,
    addObject,
    remember,
    holdsData(url) {
      const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
      if (!match) return false;
      const prefix = match[2]!.endsWith('/') || match[2] === '' ? match[2]! : `${match[2]}/`;
      return (buckets.get(match[1]!)?.objects ?? []).some((o) => o.key.startsWith(prefix));
    },
    restore() {
      s3.restore();
      glue.restore();
      athena.restore();
    },
  };
}

/** A night's set-up without the suite's parts: every field but the keys has a default. */
export type NightOverrides = Partial<Omit<NightSetup, 'dynamo' | 'tableName' | 'buckets'>> & {
  /** Keys of the raw bucket. */
  rawKeys?: (string | FakeObject)[];
  /** Keys of the lake bucket (empty by default). */
  lakeKeys?: (string | FakeObject)[];
};

/**
 * Registers a suite's set-up (one in-memory DynamoDB for the suite, the night's mocks restored
 * after each test) and returns a factory of nights, each with its own bookmark table
 * `<tablePrefix>_<n>`, vpc_flow on 2026-11-21 from RAW into LAKE unless told otherwise.
 */
export function useNightSuite(
  tablePrefix: string,
  defaults: NightOverrides = {},
): (overrides?: NightOverrides) => Promise<Night> {
  let dynamo: Awaited<ReturnType<typeof startMemoryDynalite>>;
  let night: Night | undefined;
  let tables = 0;
  beforeAll(async () => {
    dynamo = await startMemoryDynalite();
  });
  afterAll(async () => dynamo.close());
  afterEach(() => {
    night?.restore();
    night = undefined;
  });
  return async (overrides = {}) => {
    const { rawKeys = [], lakeKeys = [], ...setup } = { ...defaults, ...overrides };
    const raw = setup.raw ?? RAW;
    const lake = setup.lake ?? LAKE;
    const buckets: NightSetup['buckets'] = { [raw.bucket]: rawKeys };
    buckets[lake.bucket] = [...(buckets[lake.bucket] ?? []), ...lakeKeys];
    night = await makeNight({
      dynamo: dynamo.client,
      tableName: `${tablePrefix}_${++tables}`,
      sources: [SOURCES.vpc_flow],
      dates: ['2026-11-21'],
      ...setup,
      raw,
      lake,
      buckets,
    });
    return night;
  };
}
