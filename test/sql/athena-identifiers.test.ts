import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.js';
import { alb } from '../../shared/sources/alb.js';
import { cloudtrail } from '../../shared/sources/cloudtrail.js';
import { vpcFlow } from '../../shared/sources/vpc-flow.js';
import { convertedTableSql } from '../../shared/sql/athena/converted-table.js';
import { convertSelectSql, unloadRowsSql } from '../../shared/sql/athena/convert-query.js';
import {
  hiveIdentifier,
  hiveLiteral,
  hiveTableName,
  trinoIdentifier,
  trinoLiteral,
  trinoTableName,
} from '../../shared/sql/athena/identifiers.js';
import { addPartitionsSql, msckRepairSql } from '../../shared/sql/athena/partitions.js';
import { linesTableSql, rawTableSql } from '../../shared/sql/athena/raw-table.js';
import { hiveType, trinoType } from '../../shared/sql/athena/types.js';
import { expectOneValidStatement, hive, trino, unescapeHiveLiteral, unloadParts } from './athena-parsers.js';

const target = { database: 'athena_logs', raw: 's3://raw-bucket/', lake: 's3://lake-bucket/' };

/** Values that would end a literal, a statement or a line if they were not quoted right. */
const HOSTILE_VALUES = [
  "x'; DROP TABLE t; --",
  "it's",
  "'",
  "\\'; DROP TABLE t; --",
  'back\\slash\\',
  'tick`tock`',
  'say "hi"',
  'two\nlines\r\nand\ttab',
  '\u0007bell and \u001f unit separator',
  'ünïcødé ✓ 𝄞',
  '${account}',
];

describe('identifiers: always quoted, only valid names', () => {
  it.each<[string, string, string]>([
    ['srcaddr', '`srcaddr`', '"srcaddr"'],
    ['end', '`end`', '"end"'],
    ['date', '`date`', '"date"'],
    ['time', '`time`', '"time"'],
    ['timestamp', '`timestamp`', '"timestamp"'],
    ['readonly', '`readonly`', '"readonly"'],
    ['_reject_reason', '`_reject_reason`', '"_reject_reason"'],
    // Names AWS dictates (the Hive-compatible flow-log prefix): backtick-quoted as they are.
    ['aws-account-id', '`aws-account-id`', '"aws-account-id"'],
    ['aws-region', '`aws-region`', '"aws-region"'],
  ])('%s → %s (DDL), %s (DML)', (name, ddl, dml) => {
    expect(hiveIdentifier(name)).toBe(ddl);
    expect(trinoIdentifier(name)).toBe(dml);
  });

  it.each([
    'a`b',
    'a"b',
    "a'b",
    'x; DROP TABLE t',
    'Upper',
    'space name',
    '',
    '1st',
    'trailing-',
    '-leading',
    'a\nb',
    'x`; DROP TABLE t; --',
  ])('%j is refused with a UsageError, in both dialects', (name) => {
    expect(() => hiveIdentifier(name)).toThrow(UsageError);
    expect(() => trinoIdentifier(name)).toThrow(UsageError);
  });

  it('qualified names quote both parts', () => {
    expect(hiveTableName('athena_logs', 'vpc_flow_raw')).toBe('`athena_logs`.`vpc_flow_raw`');
    expect(trinoTableName('athena_logs', 'vpc_flow')).toBe('"athena_logs"."vpc_flow"');
    expect(() => rawTableSql(vpcFlow, { ...target, database: 'logs; DROP DATABASE x' })).toThrow(UsageError);
  });

  it('types quote struct field names (CloudTrail has `type`)', () => {
    const resources = cloudtrail.columns.find((column) => column.name === 'resources');
    expect(hiveType(resources?.type ?? 'string')).toBe(
      'array<struct<`arn`:string,`accountid`:string,`type`:string>>',
    );
    expect(trinoType(resources?.type ?? 'string')).toBe(
      'ARRAY(ROW("arn" varchar, "accountid" varchar, "type" varchar))',
    );
    expect(hiveType('float')).toBe('float');
    expect(trinoType('float')).toBe('real');
    expect(trinoType('timestamp')).toBe('timestamp(3)');
  });
});

describe('literals: hostile values stay inside their quotes', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['a\nb\tc\rd', "'a\\nb\\tc\\rd'"],
    ['\u0001', "'\\u0001'"],
    ['^([^ ]*) \\[(.*?)\\]$', "'^([^ ]*) \\\\[(.*?)\\\\]$'"],
  ])('Hive DDL: %j → %s', (value, literal) => {
    expect(hiveLiteral(value)).toBe(literal);
  });

  it.each(HOSTILE_VALUES)('Hive DDL literal of %j reads back to the value, in one statement', (value) => {
    const literal = hiveLiteral(value);
    expect(literal).not.toMatch(/[\n\r]/);
    expect(unescapeHiveLiteral(literal)).toBe(value);
    expectOneValidStatement(hive, `ALTER TABLE \`t\` SET TBLPROPERTIES ('comment'=${literal})`);
  });

  it.each(HOSTILE_VALUES)('Trino DML literal of %j reads back to the value, in one statement', (value) => {
    const literal = trinoLiteral(value);
    expect(literal.slice(1, -1).replaceAll("''", "'")).toBe(value);
    expectOneValidStatement(trino, `SELECT ${literal} AS "v"`);
  });

  it('a NUL character is refused in both dialects', () => {
    expect(() => hiveLiteral('a\u0000b')).toThrow(UsageError);
    expect(() => trinoLiteral('a\u0000b')).toThrow(UsageError);
  });

  it.each(HOSTILE_VALUES)(
    'locations %j: every table and partition statement is still ONE statement',
    (value) => {
      const hostile = { database: 'athena_logs', raw: `s3://raw/${value}/`, lake: `s3://lake/${value}` };
      for (const sql of [
        rawTableSql(alb, hostile),
        linesTableSql(vpcFlow, hostile),
        convertedTableSql(cloudtrail, hostile),
      ])
        expectOneValidStatement(hive, sql);
      const [add] = addPartitionsSql('athena_logs', 'alb_raw', [
        { partition: { account: value, region: value, date: '2024-01-31' }, location: `s3://raw/${value}` },
      ]);
      expectOneValidStatement(hive, add ?? '');
      expectOneValidStatement(hive, msckRepairSql('athena_logs', 'alb_raw'));
    },
  );

  it.each(HOSTILE_VALUES)(
    'partition values and staging %j: the conversion is still ONE statement',
    (value) => {
      const partitions = [{ account: value, region: value, date: '2024-01-31' }];
      expectOneValidStatement(
        trino,
        convertSelectSql(vpcFlow, partitions, { database: 'athena_logs', raw: `s3://raw/${value}` }),
      );
      const unload = unloadRowsSql(alb, partitions, {
        database: 'athena_logs',
        raw: 's3://raw/',
        staging: `s3://lake/${value}`,
      });
      const parts = unloadParts(unload);
      expectOneValidStatement(trino, parts.select);
      expectOneValidStatement(trino, `SELECT ${parts.to} AS "to"`);
    },
  );

  it('a partition date must be a real day', () => {
    expect(() =>
      addPartitionsSql('athena_logs', 'alb_raw', [
        { partition: { account: '1', region: 'r', date: "2024-02-30' OR '1'='1" }, location: 's3://x/' },
      ]),
    ).toThrow(UsageError);
    expect(() =>
      convertSelectSql(alb, [{ account: '1', region: 'r', date: '2024-02-30' }], {
        database: 'd',
        raw: 's3://x/',
      }),
    ).toThrow(UsageError);
  });

  it('locations must be S3 URLs', () => {
    expect(() => rawTableSql(alb, { ...target, raw: '/local/raw' })).toThrow(UsageError);
    expect(() => convertedTableSql(alb, { ...target, lake: "s3:/'; DROP" })).toThrow(UsageError);
  });
});
