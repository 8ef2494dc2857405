import {
  AccessDeniedException,
  BatchDeleteTableCommand,
  GetTablesCommand,
  GlueClient,
  type BatchDeleteTableCommandInput,
  type GetTablesCommandInput,
  type Table,
} from '@aws-sdk/client-glue';
import { DeleteObjectsCommand, type DeleteObjectsCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGlueCatalog } from '../../shared/catalog/glue-catalog.js';
import {
  isScratchTableName,
  listScratchTables,
  SCRATCH_TABLES_EXPRESSION,
  scratchTableCatalog,
  scratchTableSource,
} from '../../shared/catalog/glue-scratch-tables.js';
import { scratchTables } from '../../shared/engines/athena/scratch.js';
import { CatalogError } from '../../shared/errors.js';
import {
  DEFAULT_GLUE_MANIFEST_AGE_MS,
  DEFAULT_ORPHAN_AGE_MS,
  sweepOrphans,
  type OrphanSweepDeps,
} from '../../shared/pipeline/events/sweep-orphans.js';
import { AVAILABLE_SOURCES, SOURCES } from '../../shared/sources/index.js';
import { createS3Store } from '../../shared/storage/s3-store.js';
import { testGlueClient } from '../catalog/glue-fixtures.js';
import { FakeBucket, listInputs, mockS3, testClient, type FakeObject } from '../storage/s3-fake-bucket.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-22T12:00:00Z');
const ago = (hours: number) => new Date(NOW - hours * HOUR);
const LAKE = { bucket: 'lake-bucket', prefix: 'lake/' };
const HEX = '0123456789abcdef';
const PARTITION = 'account=111122223333/region=eu-west-1/year=2026/month=11/day=21';

const quietRetry = () => ({ sleep: async () => undefined, random: () => 0.5, baseMs: 1, capMs: 1 });
const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
const denied = () => new AccessDeniedException({ $metadata: {}, message: 'Not authorized.' });

function scratch(name: string, createdHoursAgo: number | undefined): Table {
  return {
    Name: name,
    DatabaseName: 'athena_logs',
    TableType: 'EXTERNAL_TABLE',
    ...(createdHoursAgo === undefined ? {} : { CreateTime: ago(createdHoursAgo) }),
  };
}

/** GetTables over `tables`, `pageSize` a page, with opaque NextTokens (Glue's Expression not applied: the code must filter). */
function serveGetTables(glue: AwsClientStub<GlueClient>, tables: readonly Table[], pageSize = 100): void {
  glue.on(GetTablesCommand).callsFake((input: GetTablesCommandInput) => {
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken.replace('page-', ''));
    const end = start + pageSize;
    return {
      TableList: tables.slice(start, end),
      ...(end < tables.length ? { NextToken: `page-${end}` } : {}),
    };
  });
}

const droppedNames = (glue: AwsClientStub<GlueClient>) =>
  glue
    .commandCalls(BatchDeleteTableCommand)
    .flatMap((call) => (call.args[0].input as BatchDeleteTableCommandInput).TablesToDelete ?? []);

const deletedKeys = (s3: AwsClientStub<S3Client>) =>
  s3
    .commandCalls(DeleteObjectsCommand)
    .flatMap(
      (call) => (call.args[0].input as DeleteObjectsCommandInput).Delete?.Objects?.map((o) => o.Key) ?? [],
    );

function object(key: string, hoursAgo: number): FakeObject {
  return { key, size: 10, lastModified: ago(hoursAgo) };
}

describe('the scratch table pattern', () => {
  it('matches every name scratchTables gives, for every source', () => {
    for (const name of AVAILABLE_SOURCES) {
      for (const runId of ['run-1', '2026-11-22T01:02:03Z-abc', 'x']) {
        const tables = scratchTables(
          SOURCES[name],
          { account: '111122223333', region: 'eu-west-1', date: '2026-11-21' },
          runId,
        );
        for (const table of [tables.parsed, tables.rows, tables.rejects]) {
          expect(isScratchTableName(table), table).toBe(true);
          expect(scratchTableSource(table)).toBe(name);
        }
      }
    }
  });

  it('matches nothing else: user tables with similar names, wrong digits, case or suffix', () => {
    for (const name of [
      'sales_tmp_x',
      'sales_tmp_20261121_0123456789abcdef_parsed',
      'waf_tmp_20261121_0123456789abcdef_rows',
      'my_vpc_flow_tmp_20261121_0123456789abcdef_rows',
      'vpc_flow_tmp_20261121_0123456789abcdef_rows_backup',
      'vpc_flow_tmp_20261121_0123456789abcdef_staged',
      'vpc_flow_tmp_20261121_0123456789ABCDEF_rows',
      'vpc_flow_tmp_20261121_0123456789abcde_rows',
      'vpc_flow_tmp_20261121_0123456789abcdef0_rows',
      'vpc_flow_tmp_2026112_0123456789abcdef_rows',
      'vpc_flow_tmp_2026-11-21_0123456789abcdef_rows',
      'vpc_flow_tmp_20261121_0123456789abcdeg_rows',
      'vpc_flow_tmp_20261121_0123456789abcdef_parsed\n',
      'vpc_flow',
      'vpc_flow_raw',
      'vpcXflow_tmp_20261121_0123456789abcdef_rows',
      '',
    ])
      expect(isScratchTableName(name), JSON.stringify(name)).toBe(false);
  });
});

describe('listScratchTables (GetTables)', () => {
  let glue: AwsClientStub<GlueClient>;
  beforeEach(() => {
    glue = mockClient(GlueClient);
  });
  afterEach(() => glue.restore());

  it('follows NextToken over every page, sends the Expression, keeps only exact scratch names (no views) with their CreateTime', async () => {
    const tables: Table[] = [];
    for (let index = 0; index < 25; index += 1)
      tables.push(scratch(`alb_tmp_20261121_${index.toString(16).padStart(16, '0')}_rows`, index));
    tables.push(scratch('sales_tmp_x', 100));
    tables.push({ ...scratch(`elb_tmp_20261121_${HEX}_rows`, 100), TableType: 'VIRTUAL_VIEW' });
    serveGetTables(glue, tables, 10);

    const found = await listScratchTables(testGlueClient(), 'athena_logs', quietRetry());

    expect(found).toHaveLength(25);
    expect(found[0]).toEqual({
      name: 'alb_tmp_20261121_0000000000000000_rows',
      source: 'alb',
      createTime: ago(0),
    });
    expect(found[24]?.createTime).toEqual(ago(24));
    const inputs = glue.commandCalls(GetTablesCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.NextToken)).toEqual([undefined, 'page-10', 'page-20']);
    for (const input of inputs) {
      expect(input.DatabaseName).toBe('athena_logs');
      expect(input.Expression).toBe(SCRATCH_TABLES_EXPRESSION);
    }
  });

  it('retries a throttled page, and fails on a NextToken given twice instead of looping', async () => {
    glue
      .on(GetTablesCommand)
      .rejectsOnce(throttle())
      .resolvesOnce({ TableList: [scratch(`alb_tmp_20261121_${HEX}_rows`, 30)], NextToken: 'again' })
      .resolves({ TableList: [], NextToken: 'again' });
    const failure = await listScratchTables(testGlueClient(), 'athena_logs', quietRetry()).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CatalogError);
    expect((failure as Error).message).toMatch(/NextToken it had already given/);
    expect(glue.commandCalls(GetTablesCommand)).toHaveLength(3);
  });
});

describe('sweepOrphans', () => {
  let glue: AwsClientStub<GlueClient>;
  let s3: AwsClientStub<S3Client>;
  let warnings: string[];

  const userTables = [
    scratch('sales_tmp_x', 500),
    scratch('vpc_flow_tmp_20261121_0123456789ABCDEF_rows', 500),
    scratch(`vpc_flow_tmp_20261121_${HEX}_backup`, 500),
    scratch('vpc_flow', 500),
  ];
  const oldScratch = [
    `vpc_flow_tmp_20261120_${HEX}_parsed`,
    `vpc_flow_tmp_20261120_${HEX}_rows`,
    `vpc_flow_tmp_20261120_${HEX}_rejects`,
    `s3_access_tmp_20261101_fedcba9876543210_rows`,
  ];
  const youngScratch = [`alb_tmp_20261121_${HEX}_parsed`, `alb_tmp_20261121_${HEX}_rows`];

  const keep = [
    object(`lake/vpc_flow/${PARTITION}/v=run-1/part-00000.snappy.parquet`, 500),
    object(`lake/vpc_flow/${PARTITION}/part-00000.snappy.parquet`, 500),
    object(`lake/_rejects/vpc_flow/${PARTITION}/v=run-1/rejects.json`, 500),
    object(`lake/_plans/vpc_flow/${PARTITION}/abc.json`, 500),
    object(`lake/_manifests/vpc_flow/${PARTITION}/symlink.txt`, 500),
    object(`lake/_stagingX/old.txt`, 500),
    object(`other/_staging/vpc_flow/${PARTITION}/v=run-1/old.gz`, 500),
    object(`lake/_staging/vpc_flow/${PARTITION}/v=run-2/young.gz`, 23),
    object('lake/_staging/glue/vpc_flow/111122223333/eu-west-1/2026-11-19/run-3/manifest.json', 3 * 24),
  ];
  const remove = [
    object(`lake/_staging/vpc_flow/${PARTITION}/v=run-1/20261121_000.gz`, 25),
    object(`lake/_staging/vpc_flow/${PARTITION}/v=run-1/20261121_001.gz`, 25),
    object(`lake/_staging/alb/${PARTITION}/v=run-9/20261121_000.gz`, 24 * 30),
    object('lake/_staging/glue/vpc_flow/111122223333/eu-west-1/2026-11-10/run-4/manifest.json', 8 * 24),
    object('lake/_staging/glue/vpc_flow/111122223333/eu-west-1/2026-11-10/run-4/counts.json', 8 * 24),
  ];

  function deps(overrides: Partial<OrphanSweepDeps> = {}): OrphanSweepDeps {
    const client = testGlueClient();
    return {
      glue: scratchTableCatalog(client, createGlueCatalog(client, { retry: quietRetry() }), quietRetry()),
      database: 'athena_logs',
      objects: createS3Store(testClient()),
      lake: LAKE,
      now: () => NOW,
      onWarning: (message) => warnings.push(message),
      ...overrides,
    };
  }

  beforeEach(() => {
    warnings = [];
    glue = mockClient(GlueClient);
    serveGetTables(glue, [
      ...userTables,
      ...oldScratch.map((name) => scratch(name, 30)),
      ...youngScratch.map((name) => scratch(name, 2)),
      scratch(`cloudtrail_tmp_20261101_${HEX}_rows`, undefined),
    ]);
    glue.on(BatchDeleteTableCommand).resolves({ Errors: [] });
    s3 = mockS3(new FakeBucket(LAKE.bucket, [...keep, ...remove]));
    s3.on(DeleteObjectsCommand).resolves({});
  });
  afterEach(() => {
    glue.restore();
    s3.restore();
  });

  it('drops only old scratch tables and deletes only old `_staging/` objects (Glue manifests after 7 days)', async () => {
    const result = await sweepOrphans(deps());

    expect(result).toEqual({ tablesDropped: 4, objectsDeleted: 5, failures: [] });
    expect(droppedNames(glue).sort()).toEqual([...oldScratch].sort());
    expect(glue.commandCalls(BatchDeleteTableCommand)[0]?.args[0].input.DatabaseName).toBe('athena_logs');
    expect(deletedKeys(s3).sort()).toEqual(remove.map((o) => o.key).sort());
    for (const call of s3.commandCalls(DeleteObjectsCommand))
      expect(call.args[0].input.Bucket).toBe(LAKE.bucket);
    expect(warnings).toEqual([]);
  });

  it('lists only below `<lake>/_staging/`', async () => {
    await sweepOrphans(deps());
    expect(listInputs(s3).map((input) => input.Prefix)).toEqual(['lake/_staging/']);
  });

  it('uses the thresholds it is given (the Glue one never shorter than the other)', async () => {
    const glueRun = 'lake/_staging/glue/alb/111122223333/eu-west-1/2026-11-20/';
    const objects = [
      object(`lake/_staging/alb/${PARTITION}/v=run-1/a.gz`, 30),
      object(`lake/_staging/alb/${PARTITION}/v=run-2/b.gz`, 50),
      object(`${glueRun}run-1/manifest.json`, 30),
      object(`${glueRun}run-2/manifest.json`, 50),
    ];
    s3.restore();
    s3 = mockS3(new FakeBucket(LAKE.bucket, objects));
    s3.on(DeleteObjectsCommand).resolves({});

    const result = await sweepOrphans(deps(), { olderThanMs: 48 * HOUR, glueManifestsOlderThanMs: HOUR });

    // The 30-hour-old tables are young at 48 hours; so is the 30-hour-old manifest (1 hour is raised to 48).
    expect(result).toEqual({ tablesDropped: 0, objectsDeleted: 2, failures: [] });
    expect(glue.commandCalls(BatchDeleteTableCommand)).toHaveLength(0);
    expect(deletedKeys(s3).sort()).toEqual([objects[1]?.key, objects[3]?.key].sort());
    expect(DEFAULT_ORPHAN_AGE_MS).toBe(24 * HOUR);
    expect(DEFAULT_GLUE_MANIFEST_AGE_MS).toBe(7 * 24 * HOUR);
  });

  it('refuses a negative threshold: reports it and removes nothing', async () => {
    const result = await sweepOrphans(deps(), { olderThanMs: -1 });
    expect(result.tablesDropped).toBe(0);
    expect(result.objectsDeleted).toBe(0);
    expect(result.failures).toHaveLength(1);
    expect(warnings[0]).toMatch(/olderThanMs/);
    expect(glue.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('pages through GetTables and drops 150 old tables in calls of 100 and 50', async () => {
    const many = Array.from({ length: 150 }, (_, index) =>
      scratch(`elb_tmp_20261101_${index.toString(16).padStart(16, '0')}_rejects`, 48),
    );
    serveGetTables(glue, [...many, scratch('sales_tmp_x', 500)], 40);

    const result = await sweepOrphans(deps());

    expect(result.tablesDropped).toBe(150);
    expect(glue.commandCalls(GetTablesCommand)).toHaveLength(4);
    const calls = glue.commandCalls(BatchDeleteTableCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.TablesToDelete?.length)).toEqual([100, 50]);
    expect(droppedNames(glue)).toEqual(many.map((table) => table.Name));
  });

  it('reports a Glue failure and still sweeps S3', async () => {
    glue.on(GetTablesCommand).rejects(denied());

    const result = await sweepOrphans(deps());

    expect(result.tablesDropped).toBe(0);
    expect(result.objectsDeleted).toBe(5);
    expect(result.failures).toHaveLength(1);
    expect(warnings).toEqual(result.failures);
    expect(warnings[0]).toMatch(/could not be listed.*GetTables.*AccessDeniedException/s);
    expect(glue.commandCalls(BatchDeleteTableCommand)).toHaveLength(0);
  });

  it('counts tables already gone as dropped, and reports the ones Glue refused', async () => {
    glue.on(BatchDeleteTableCommand).resolves({
      Errors: [
        { TableName: oldScratch[0], ErrorDetail: { ErrorCode: 'EntityNotFoundException' } },
        {
          TableName: oldScratch[1],
          ErrorDetail: { ErrorCode: 'AccessDeniedException', ErrorMessage: 'No.' },
        },
      ],
    });

    const result = await sweepOrphans(deps());

    expect(result.tablesDropped).toBe(3);
    expect(result.objectsDeleted).toBe(5);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toContain(oldScratch[1]);
  });

  it('reports a BatchDeleteTable that fails as a whole (nothing counted) and goes on', async () => {
    glue.on(BatchDeleteTableCommand).rejects(denied());
    const result = await sweepOrphans(deps());
    expect(result).toMatchObject({ tablesDropped: 0, objectsDeleted: 5 });
    expect(result.failures[0]).toMatch(/BatchDeleteTable/);
  });

  it('reports S3 listing and delete failures without throwing', async () => {
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: remove[0]?.key, Code: 'AccessDenied', Message: 'Access Denied' }],
    });
    const partial = await sweepOrphans(deps());
    expect(partial).toMatchObject({ tablesDropped: 4, objectsDeleted: 4 });
    expect(partial.failures).toHaveLength(1);
    expect(partial.failures[0]).toContain(remove[0]?.key);

    const missing = await sweepOrphans(deps({ lake: { bucket: 'no-such-bucket', prefix: '' } }));
    expect(missing.tablesDropped).toBe(4);
    expect(missing.objectsDeleted).toBe(0);
    expect(missing.failures).toHaveLength(1);
    expect(missing.failures[0]).toMatch(/s3:\/\/no-such-bucket\/_staging\/ could not be listed/);
  });

  it('never throws, even when the warning callback does', async () => {
    glue.on(GetTablesCommand).rejects(denied());
    const result = await sweepOrphans(
      deps({
        onWarning: () => {
          throw new Error('logger gone');
        },
      }),
    );
    expect(result.failures).toHaveLength(1);
    expect(result.objectsDeleted).toBe(5);
  });
});
