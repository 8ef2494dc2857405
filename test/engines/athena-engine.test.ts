import {
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import {
  BatchDeleteTableCommand,
  CreatePartitionCommand,
  GetPartitionCommand,
  GetTableCommand,
  UpdatePartitionCommand,
  type GlueClient,
} from '@aws-sdk/client-glue';
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InFlightCap } from '../../shared/aws/in-flight-cap.js';
import { stopRunningWork } from '../../shared/aws/running-work.js';
import { createAthenaEngine, type AthenaEngineOptions } from '../../shared/engines/athena/engine.js';
import type { RemoteConvertRequest } from '../../shared/engines/remote-types.js';
import { FormatError, QueryError, ReconciliationError } from '../../shared/errors.js';
import { SOURCES } from '../../shared/sources/index.js';
import { LINES_STORAGE } from '../catalog/glue-fixtures.js';
import { expectOneValidStatement, trino } from '../sql/athena-parsers.js';
import { athenaEngineBase, LAKE, mockAthenaAws } from './athena-aws.js';
import { FakeAthena, withoutQuotedParts, type QueryScript } from './athena-fakes.js';

const RAW = { bucket: 'central-logs', prefix: 'raw/' };
const RUN = 'run-20261122T0100Z';
const DATE = '2026-11-21';

/** A request as the AWS target builds it: staging folders are fresh `v=<runId>/` prefixes. */
function request(
  sourceName: 'vpc_flow' | 'alb',
  account: string,
  region: string,
  keys: string[],
): RemoteConvertRequest {
  const path = `account=${account}/region=${region}/year=2026/month=11/day=21`;
  return {
    source: SOURCES[sourceName],
    partition: { account, region, date: DATE },
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

const NIGHT = [
  request('vpc_flow', '111111111111', 'us-east-1', [
    'AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/111111111111_vpcflowlogs_us-east-1_fl-1_20261121T0000Z_a.log.gz',
    'AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/111111111111_vpcflowlogs_us-east-1_fl-1_20261121T2355Z_b.log.gz',
  ]),
  request('vpc_flow', '111111111111', 'eu-west-1', [
    'AWSLogs/111111111111/vpcflowlogs/eu-west-1/2026/11/21/111111111111_vpcflowlogs_eu-west-1_fl-2_20261121T1200Z_c.log.gz',
  ]),
  request('alb', '222222222222', 'ap-northeast-1', [
    'AWSLogs/222222222222/elasticloadbalancing/ap-northeast-1/2026/11/21/222222222222_elasticloadbalancing_ap-northeast-1_app.web.50dc6c495c0c9188_20261121T0005Z_10.0.0.1_x.log.gz',
  ]),
];

/** Lines parsed, rows written and rejects written, per account/region. */
const COUNTS: Record<string, [number, number, number]> = {
  '111111111111/us-east-1': [1000, 990, 10],
  '111111111111/eu-west-1': [500, 500, 0],
  '222222222222/ap-northeast-1': [70, 69, 1],
};

/** Which step a statement is, and for which partition, read off its text. */
function stepOf(sql: string): { step: 'parsed' | 'rows' | 'rejects'; key: string } {
  const step = /^CREATE TABLE "[a-z_]+"\."[a-z0-9_]+_(parsed|rows|rejects)" /.exec(sql)?.[1];
  const key = Object.keys(COUNTS).find((candidate) => {
    const [account, region] = candidate.split('/');
    return (
      (sql.includes(`'${account}'`) && sql.includes(`'${region}'`)) ||
      sql.includes(`account=${account}/region=${region}/`)
    );
  });
  if (!step || !key) throw new Error(`Unrecognised statement: ${sql.slice(0, 200)}`);
  return { step: step as 'parsed' | 'rows' | 'rejects', key };
}

/** Each partition's three statements succeed with its counts, scanning a made-up number of bytes. */
function succeeding(sql: string): QueryScript {
  const { step, key } = stepOf(sql);
  const [rowsIn, rowsOut, rejected] = COUNTS[key] ?? [0, 0, 0];
  const byStep = {
    parsed: [rowsIn, 4_000_000, 3_000],
    rows: [rowsOut, 900_000, 2_000],
    rejects: [rejected, 1_000, 500],
  };
  const [updateCount, bytesScanned, engineMs] = byStep[step];
  return { updateCount, bytesScanned, engineMs, runningPolls: 2 };
}

describe('the Athena engine', () => {
  let s3: AwsClientStub<S3Client>;
  let glue: AwsClientStub<GlueClient>;
  let athena: AwsClientStub<AthenaClient>;
  let sleeps: number[];
  let warnings: string[];

  beforeEach(() => {
    ({ s3, glue, athena } = mockAthenaAws(['vpc_flow', 'alb']));
    sleeps = [];
    warnings = [];
  });
  afterEach(() => {
    s3.restore();
    glue.restore();
    athena.restore();
  });

  function engine(overrides: Partial<AthenaEngineOptions> = {}) {
    const sleep = async (ms: number) => void sleeps.push(ms);
    const retry = { sleep, random: () => 0.5 };
    return createAthenaEngine({
      ...athenaEngineBase(retry),
      sleep,
      retry,
      pollMs: 500,
      maxPollMs: 2_000,
      onWarning: (message) => warnings.push(message),
      ...overrides,
    });
  }

  it('converts a night of three partitions (two accounts, three regions) with exactly these calls', async () => {
    const fake = new FakeAthena(athena, succeeding);
    const athenaEngine = engine();
    const results = [];
    for (const item of NIGHT) results.push(await athenaEngine.convert(item));

    // Results: counts reconcile, the parse query is named, bytes and engine time added up over three queries.
    expect(results).toEqual([
      {
        rowsIn: 1000,
        rowsOut: 990,
        rowsRejected: 10,
        bytesIn: 2001,
        engine: { kind: 'athena', id: 'q-1', bytesScanned: 4_901_000, engineMs: 5_500, state: 'SUCCEEDED' },
      },
      {
        rowsIn: 500,
        rowsOut: 500,
        rowsRejected: 0,
        bytesIn: 1000,
        engine: { kind: 'athena', id: 'q-4', bytesScanned: 4_901_000, engineMs: 5_500, state: 'SUCCEEDED' },
      },
      {
        rowsIn: 70,
        rowsOut: 69,
        rowsRejected: 1,
        bytesIn: 1000,
        engine: { kind: 'athena', id: 'q-7', bytesScanned: 4_901_000, engineMs: 5_500, state: 'SUCCEEDED' },
      },
    ]);

    // S3: one manifest per partition naming exactly its objects, in its Hive-style manifest folder.
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toStrictEqual(
      NIGHT.map((item) => ({
        Bucket: 'lake-bucket',
        Key: `lake/_manifests/${item.source.name}/account=${item.partition.account}/region=${item.partition.region}/year=2026/month=11/day=21/manifest`,
        Body: item.objects.map((object) => `s3://central-logs/raw/${object.key}\n`).join(''),
        ContentType: 'text/plain',
      })),
    );

    // Glue: the lines table's partition pointed at the manifest folder (GetTable once per table).
    expect(glue.commandCalls(GetTableCommand).map((call) => call.args[0].input)).toStrictEqual([
      { DatabaseName: 'athena_logs', Name: 'vpc_flow_raw_lines' },
      { DatabaseName: 'athena_logs', Name: 'alb_raw_lines' },
    ]);
    expect(glue.commandCalls(CreatePartitionCommand).map((call) => call.args[0].input)).toStrictEqual(
      NIGHT.map((item) => {
        const values = [item.partition.account, item.partition.region, '2026', '11', '21'];
        const location = `s3://lake-bucket/lake/_manifests/${item.source.name}/account=${values[0]}/region=${values[1]}/year=2026/month=11/day=21/`;
        return {
          DatabaseName: 'athena_logs',
          TableName: `${item.source.name}_raw_lines`,
          PartitionInput: { Values: values, StorageDescriptor: { ...LINES_STORAGE, Location: location } },
        };
      }),
    );

    // Athena: three CTAS per partition, in the configured workgroup and result location.
    const starts = athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toHaveLength(9);
    for (const input of starts) {
      expect(Object.keys(input).sort()).toEqual([
        'ClientRequestToken',
        'QueryString',
        'ResultConfiguration',
        'WorkGroup',
      ]);
      expect(input.ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
      expect(input.WorkGroup).toBe('athena-logs');
      expect(input.ResultConfiguration).toStrictEqual({
        OutputLocation: 's3://query-results-bucket/athena-logs/',
      });
    }
    // One token per query: the same step of the same run is never started twice.
    expect(new Set(starts.map((input) => input.ClientRequestToken)).size).toBe(9);
    const sql = starts.map((input) => input.QueryString ?? '');
    expect(sql.map((text) => stepOf(text))).toEqual(
      Object.keys(COUNTS).flatMap((key) =>
        (['parsed', 'rows', 'rejects'] as const).map((step) => ({ step, key })),
      ),
    );
    const [parse, rows, rejects] = sql as [string, string, string];
    const stem = /^CREATE TABLE "athena_logs"\."(vpc_flow_tmp_20261121_[0-9a-f]{16})_parsed"/.exec(
      parse,
    )?.[1];
    expect(stem).toBeDefined();
    expect(parse).toMatch(
      new RegExp(
        `^CREATE TABLE "athena_logs"\\."${stem}_parsed" WITH \\(format = 'PARQUET', write_compression = 'SNAPPY', ` +
          `external_location = 's3://lake-bucket/lake/_staging/vpc_flow/account=111111111111/region=us-east-1/year=2026/month=11/day=21/v=${RUN}/'\\) AS SELECT `,
      ),
    );
    expect(parse).toContain(
      `FROM "athena_logs"."vpc_flow_raw_lines" WHERE (("account" = '111111111111' AND "region" = 'us-east-1' AND "year" = '2026' AND "month" = '11' AND "day" = '21')) AND "line" <> ''`,
    );
    expect(parse).toContain(
      `CASE WHEN "_reject_reason" IS NOT NULL THEN CASE WHEN substr("_file", 1, 22) = 's3://central-logs/raw/' THEN substr("_file", 23) ELSE "_file" END END AS "_key"`,
    );
    expect(rows).toBe(
      `CREATE TABLE "athena_logs"."${stem}_rows" WITH (format = 'PARQUET', write_compression = 'SNAPPY', ` +
        `external_location = 's3://lake-bucket/lake/vpc_flow/account=111111111111/region=us-east-1/year=2026/month=11/day=21/v=${RUN}/') AS ` +
        `SELECT ${SOURCES.vpc_flow.columns.map((column) => `"${column.name}"`).join(', ')} FROM "athena_logs"."${stem}_parsed" ` +
        `WHERE "_reject_reason" IS NULL ORDER BY "srcaddr", "dstaddr"`,
    );
    expect(rejects).toBe(
      `CREATE TABLE "athena_logs"."${stem}_rejects" WITH (format = 'JSON', write_compression = 'GZIP', ` +
        `external_location = 's3://lake-bucket/lake/_rejects/vpc_flow/account=111111111111/region=us-east-1/year=2026/month=11/day=21/v=${RUN}/') AS ` +
        `SELECT "_key" AS "key", "_line_number" AS "line", "_reject_reason" AS "reason", "_text" AS "text" ` +
        `FROM "athena_logs"."${stem}_parsed" WHERE "_reject_reason" IS NOT NULL`,
    );

    // Every statement is one valid Trino statement, and every value in it sits inside a quoted literal.
    for (const text of sql) {
      expectOneValidStatement(trino, text);
      const bare = withoutQuotedParts(text);
      for (const value of [
        '111111111111',
        '222222222222',
        'us-east-1',
        'eu-west-1',
        'ap-northeast-1',
        's3:',
        'central-logs',
        'lake-bucket',
        RUN,
        '2026',
      ])
        expect(bare).not.toContain(value);
      // No quote is left over once the literals and quoted identifiers are taken out: none is unbalanced.
      expect(bare.replaceAll("''", '').replaceAll('""', '')).not.toMatch(/['"]/);
    }

    // Polling: each query QUEUED, RUNNING, then done; waits double from 500 ms up to 2 s.
    expect(fake.queries.map((query) => query.polls)).toEqual(Array(9).fill(3));
    expect(sleeps).toEqual(Array(9).fill([500, 1_000, 2_000]).flat());

    // Clean-up: the three scratch tables dropped in one call, the scratch files deleted, per partition.
    expect(
      glue.commandCalls(BatchDeleteTableCommand).map((call) => call.args[0].input.TablesToDelete),
    ).toEqual(
      [0, 3, 6].map((index) => {
        const name = /^CREATE TABLE "athena_logs"\."([a-z0-9_]+)_parsed"/.exec(sql[index] ?? '')?.[1];
        return [`${name}_parsed`, `${name}_rows`, `${name}_rejects`];
      }),
    );
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.Prefix)).toEqual(
      NIGHT.map(
        (item) =>
          `lake/_staging/${item.source.name}/account=${item.partition.account}/region=${item.partition.region}/year=2026/month=11/day=21/v=${RUN}/`,
      ),
    );
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(3);
    expect(warnings).toEqual([]);
  });

  it('re-points a lines partition that was registered elsewhere, and leaves a right one alone', async () => {
    new FakeAthena(athena, succeeding);
    const manifest =
      's3://lake-bucket/lake/_manifests/vpc_flow/account=111111111111/region=us-east-1/year=2026/month=11/day=21/';
    glue
      .on(GetPartitionCommand)
      .resolvesOnce({
        Partition: {
          StorageDescriptor: {
            Location: 's3://central-logs/raw/AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/',
          },
        },
      })
      .resolves({ Partition: { StorageDescriptor: { Location: manifest } } });
    const athenaEngine = engine();
    await athenaEngine.convert(NIGHT[0]!);
    await athenaEngine.convert(NIGHT[0]!);
    expect(
      glue
        .commandCalls(UpdatePartitionCommand)
        .map((call) => call.args[0].input.PartitionInput?.StorageDescriptor?.Location),
    ).toEqual([manifest]);
    expect(glue.commandCalls(CreatePartitionCommand)).toHaveLength(0);
  });

  it('fails with a ReconciliationError naming the three queries when the counts disagree, and still cleans up', async () => {
    new FakeAthena(athena, (sql) => ({
      ...succeeding(sql),
      ...(stepOf(sql).step === 'rows' ? { updateCount: 980 } : {}),
    }));
    const error = await engine()
      .convert(NIGHT[0]!)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReconciliationError);
    expect((error as Error).message).toBe(
      'The Athena conversion of vpc_flow 111111111111/us-east-1/2026-11-21 does not reconcile: ' +
        'query q-1 parsed 1000 lines, query q-2 wrote 980 rows and query q-3 10 rejects.',
    );
    expect(glue.commandCalls(BatchDeleteTableCommand)).toHaveLength(1);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(1);
  });

  it('stops at a FAILED parse, names the query, and drops the scratch tables', async () => {
    new FakeAthena(athena, () => ({
      state: 'FAILED',
      reason: 'HIVE_BAD_DATA: Error parsing field value',
      runningPolls: 0,
    }));
    const error = await engine()
      .convert(NIGHT[1]!)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as Error).message).toBe(
      'Athena query q-1 (parsing the lines of vpc_flow 111111111111/eu-west-1/2026-11-21) ended FAILED: HIVE_BAD_DATA: Error parsing field value.',
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
    expect(glue.commandCalls(BatchDeleteTableCommand)).toHaveLength(1);
  });

  it('warns, without failing the conversion, when the clean-up fails', async () => {
    new FakeAthena(athena, succeeding);
    glue
      .on(BatchDeleteTableCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const result = await engine().convert(NIGHT[2]!);
    expect(result.rowsOut).toBe(69);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^The scratch tables of alb 222222222222\/ap-northeast-1\/2026-11-21 \(alb_tmp_20261121_[0-9a-f]{16}_parsed, .*\) were not all dropped: CatalogError: BatchDeleteTable/,
    );
  });

  it('refuses flow logs delivered as Parquet before writing anything', async () => {
    new FakeAthena(athena, succeeding);
    const parquet = request('vpc_flow', '111111111111', 'us-east-1', [
      'AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/111111111111_vpcflowlogs_us-east-1_fl-1_20261121T0000Z_a.log.gz',
      'AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/111111111111_vpcflowlogs_us-east-1_fl-9_20261121T0000Z_p.log.parquet',
    ]);
    const error = await engine()
      .convert(parquet)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).key).toMatch(/_p\.log\.parquet$/);
    expect((error as Error).message).toMatch(
      /is a flow log delivered as Parquet: .* Convert this partition with the glue or duckdb engine/,
    );
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it('stops the query still running when the run is interrupted, and still cleans up', async () => {
    // The parse ends at once; the rows query stays RUNNING until stopped.
    const fake = new FakeAthena(athena, (sql) => ({
      ...succeeding(sql),
      runningPolls: stepOf(sql).step === 'rows' ? 1_000_000 : 0,
    }));
    athena.on(StopQueryExecutionCommand).resolves({});
    let interrupted = false;
    let polls = 0;
    const conversion = engine({
      sleep: async () => {
        polls += 1;
        if (interrupted) throw new Error('interrupted');
        await new Promise((resolve) => setImmediate(resolve));
      },
    }).convert(NIGHT[0]!);
    while (fake.queries.length < 2 || polls < 3) await new Promise((resolve) => setImmediate(resolve));

    expect(await stopRunningWork()).toBe(1);
    interrupted = true;

    await expect(conversion).rejects.toThrow('interrupted');
    expect(
      athena.commandCalls(StopQueryExecutionCommand).map((call) => call.args[0].input.QueryExecutionId),
    ).toEqual(['q-2']);
    expect(glue.commandCalls(BatchDeleteTableCommand)).toHaveLength(1);
  });

  it('never has more than the cap of conversions (and so of queries) in flight, with 50 requests at once', async () => {
    const fake = new FakeAthena(athena, (sql) => ({ ...succeeding(sql), runningPolls: 3 }));
    const cap = new InFlightCap(20);
    // A sleep that yields to the event loop, so that conversions really interleave.
    const athenaEngine = engine({ cap, sleep: () => new Promise((resolve) => setImmediate(resolve)) });
    const requests = Array.from({ length: 50 }, (_, index) => NIGHT[index % 3]!);
    const results = await Promise.all(requests.map((item) => athenaEngine.convert(item)));
    expect(results).toHaveLength(50);
    expect(cap.peak).toBe(20);
    expect(cap.inFlight).toBe(0);
    expect(fake.peak).toBeLessThanOrEqual(20);
    expect(fake.peak).toBeGreaterThan(1);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(150);
  });
});
