import { describe, expect, it } from 'vitest';
import { AVAILABLE_SOURCES, SOURCES } from '../../shared/sources/index.js';
import { convertedTableSql } from '../../shared/sql/athena/converted-table.js';
import {
  convertSelectSql,
  lineCountsSql,
  MAX_PARTITIONS_PER_STATEMENT,
  rejectsSelectSql,
  rowsSelectSql,
  unloadRejectsSql,
  unloadRowsSql,
} from '../../shared/sql/athena/convert-query.js';
import type { AthenaPartition } from '../../shared/sql/athena/partition-values.js';
import { addPartitionsSql, MAX_QUERY_BYTES, msckRepairSql } from '../../shared/sql/athena/partitions.js';
import { projectionTableSql } from '../../shared/sql/athena/projection.js';
import { linesTableSql, rawTableSql } from '../../shared/sql/athena/raw-table.js';
import {
  convertedTableName,
  createDatabaseSql,
  linesTableName,
  rawTableName,
} from '../../shared/sql/athena/tables.js';
import { expectOneValidStatement, hive, trino, unloadParts } from './athena-parsers.js';

const target = { database: 'athena_logs', raw: 's3://raw-bucket/logs/', lake: 's3://lake-bucket/lake/' };
const staging = { ...target, staging: 's3://lake-bucket/lake/_staging/batch-1/' };
const batch: AthenaPartition[] = [
  { account: '111122223333', region: 'eu-west-1', date: '2024-02-03' },
  { account: 'unknown', region: 'global', date: '2024-02-29' },
];
const fullBatch: AthenaPartition[] = Array.from({ length: MAX_PARTITIONS_PER_STATEMENT }, (_, index) => ({
  account: String(100_000_000_000 + index),
  region: 'ap-southeast-2',
  date: `2024-${String((index % 12) + 1).padStart(2, '0')}-${String((index % 28) + 1).padStart(2, '0')}`,
}));

it('CREATE DATABASE parses as one Hive statement', () => {
  expectOneValidStatement(hive, createDatabaseSql('athena_logs'));
});

it('the grammars do find errors: a cut statement, a missing literal, and UNLOAD itself (hence taken apart)', () => {
  const select = convertSelectSql(SOURCES.alb, batch, target);
  expect(trino.validate(select.slice(0, -1)).length).toBeGreaterThan(0);
  expect(trino.validate(select.replace(' FROM (', ' FROM ((')).length).toBeGreaterThan(0);
  const ddl = convertedTableSql(SOURCES.alb, target);
  expect(hive.validate(ddl.replace("LOCATION 's3", 'LOCATION s3')).length).toBeGreaterThan(0);
  expect(hive.validate(ddl.replace('PARTITIONED BY (', 'PARTITIONED BY ((')).length).toBeGreaterThan(0);
  expect(trino.validate(unloadRowsSql(SOURCES.alb, batch, staging)).length).toBeGreaterThan(0);
});

describe.each(AVAILABLE_SOURCES)('every Athena statement of %s parses', (name) => {
  const source = SOURCES[name];

  it('raw table, over day folders and over manifests (Hive)', () => {
    expectOneValidStatement(hive, rawTableSql(source, { ...target, input: 'folders' }));
    if (source.format.kind === 'json-records')
      expect(() => rawTableSql(source, { ...target, input: 'manifest' })).toThrow(/CloudTrailInputFormat/);
    else expectOneValidStatement(hive, rawTableSql(source, { ...target, input: 'manifest' }));
  });

  it('lines table (Hive)', () => {
    expectOneValidStatement(hive, linesTableSql(source, target));
  });

  it('partition-projection variant, or the manifest-based table (Hive)', () => {
    expectOneValidStatement(hive, projectionTableSql(source, target).sql);
    const enumerated = projectionTableSql(source, {
      ...target,
      accounts: ['111122223333', '444455556666'],
      regions: ['eu-west-1', 'us-east-1'],
      organizationId: 'o-a1b2c3d4e5',
      years: { first: 2020, last: 2030 },
    });
    expectOneValidStatement(hive, enumerated.sql);
  });

  it('converted table (Hive)', () => {
    expectOneValidStatement(hive, convertedTableSql(source, target));
  });

  it('the conversion SELECT, the rows it unloads, the rejects and the counts (Trino)', () => {
    expectOneValidStatement(trino, convertSelectSql(source, batch, target));
    expectOneValidStatement(trino, rowsSelectSql(source, batch, target));
    expectOneValidStatement(trino, rejectsSelectSql(source, batch, target));
    expectOneValidStatement(trino, lineCountsSql(source, batch, target));
  });

  it('UNLOAD of the rows and of the rejects: inner SELECT, target and properties (Trino)', () => {
    for (const [unload, select] of [
      [unloadRowsSql(source, batch, staging), rowsSelectSql(source, batch, target)],
      [unloadRejectsSql(source, batch, staging), rejectsSelectSql(source, batch, target)],
    ] as const) {
      const parts = unloadParts(unload);
      expect(parts.select).toBe(select);
      expectOneValidStatement(trino, parts.select);
      expect(parts.to).toBe(`'${staging.staging}'`);
      // UNLOAD's WITH (…) is the property list of Trino's CREATE TABLE … WITH (…) AS.
      expectOneValidStatement(trino, `CREATE TABLE "probe" ${parts.properties} AS SELECT 1 AS "x"`);
    }
    expect(unloadParts(unloadRowsSql(source, batch, staging)).properties).toBe(
      "WITH (format = 'PARQUET', compression = 'SNAPPY', partitioned_by = ARRAY['account', 'region', 'year', 'month', 'day'])",
    );
    expect(unloadParts(unloadRejectsSql(source, batch, staging)).properties).toBe(
      "WITH (format = 'JSON', partitioned_by = ARRAY['account', 'region', 'year', 'month', 'day'])",
    );
  });

  it('ADD PARTITION batches and MSCK REPAIR of its three tables (Hive)', () => {
    const locations = batch.map((partition) => ({
      partition,
      location: `s3://raw-bucket/logs/AWSLogs/${partition.account}/x/${partition.date}/`,
    }));
    for (const table of [rawTableName(source), linesTableName(source), convertedTableName(source)]) {
      for (const sql of addPartitionsSql('athena_logs', table, locations)) expectOneValidStatement(hive, sql);
      expectOneValidStatement(hive, msckRepairSql('athena_logs', table));
    }
  });

  it("a full batch of 100 partitions parses and stays under Athena's query-size limit", () => {
    const statements = [
      unloadRowsSql(source, fullBatch, staging),
      unloadRejectsSql(source, fullBatch, staging),
      lineCountsSql(source, fullBatch, target),
    ];
    for (const sql of statements) expect(Buffer.byteLength(sql, 'utf8')).toBeLessThan(MAX_QUERY_BYTES);
    expectOneValidStatement(trino, unloadParts(statements[0] ?? '').select);
  });
});
