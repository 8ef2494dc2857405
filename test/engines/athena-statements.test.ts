import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.js';
import { AVAILABLE_SOURCES, SOURCES } from '../../shared/sources/index.js';
import { PARTITION_COLUMNS } from '../../shared/sources/types.js';
import { convertSelectSql } from '../../shared/sql/athena/convert-query.js';
import { parsedTableSql, stagedRejectsSql, stagedRowsSql } from '../../shared/sql/athena/stage-partition.js';
import { expectOneValidStatement, trino } from '../sql/athena-parsers.js';
import { withoutQuotedParts } from './athena-fakes.js';

const partition = { account: '111122223333', region: 'eu-west-1', date: '2026-11-21' };
const parsed = { database: 'athena_logs', table: 'x_tmp_20261121_0123456789abcdef_parsed' };
const options = {
  database: 'athena_logs',
  raw: 's3://central-logs/raw/',
  target: { ...parsed, location: 's3://lake/_staging/x/account=111122223333/v=run-1/' },
};
const rowsTarget = {
  database: 'athena_logs',
  table: 'x_rows',
  location: 's3://lake/x/account=111122223333/v=run-1/',
};
const rejectsTarget = {
  database: 'athena_logs',
  table: 'x_rejects',
  location: 's3://lake/_rejects/x/v=run-1/',
};

/** The SELECT of a `CREATE TABLE … WITH (…) AS SELECT …`. */
function innerSelect(ctas: string): string {
  const match = /^CREATE TABLE "[^"]+"\."[^"]+" WITH \((?:[^()']|'(?:[^']|'')*')*\) AS (SELECT .*)$/s.exec(
    ctas,
  );
  expect(match, 'CREATE TABLE … WITH (…) AS SELECT …').not.toBeNull();
  return match?.[1] ?? '';
}

describe.each(AVAILABLE_SOURCES)("the Athena engine's statements for %s", (name) => {
  const source = SOURCES[name];

  it('parse as Trino, the CTAS and its SELECT alike, with values only in literals', () => {
    const statements = [
      parsedTableSql(source, partition, options),
      stagedRowsSql(source, parsed, rowsTarget),
      stagedRejectsSql(parsed, rejectsTarget),
    ];
    for (const sql of statements) {
      expectOneValidStatement(trino, sql);
      expectOneValidStatement(trino, innerSelect(sql));
      const bare = withoutQuotedParts(sql);
      for (const value of ['111122223333', 'eu-west-1', 's3:', 'run-1']) expect(bare).not.toContain(value);
    }
  });

  it("stage only the source's columns as rows (the folder is the partition: no partition column), rejects as key, line, reason, text", () => {
    const rows = innerSelect(stagedRowsSql(source, parsed, rowsTarget));
    const selected = /^SELECT (.*) FROM /.exec(rows)?.[1]?.split(', ') ?? [];
    expect(selected).toEqual(source.columns.map((column) => `"${column.name}"`));
    for (const column of PARTITION_COLUMNS) expect(selected).not.toContain(`"${column}"`);
    expect(new Set(selected).size).toBe(selected.length);
    expect(rows).toContain(' WHERE "_reject_reason" IS NULL');
    expect(innerSelect(stagedRejectsSql(parsed, rejectsTarget))).toBe(
      `SELECT "_key" AS "key", "_line_number" AS "line", "_reject_reason" AS "reason", "_text" AS "text" ` +
        `FROM "athena_logs"."x_tmp_20261121_0123456789abcdef_parsed" WHERE "_reject_reason" IS NOT NULL`,
    );
  });

  it('parse exactly one partition, keeping the key and text of rejects only', () => {
    const sql = parsedTableSql(source, partition, options);
    expect(sql).toContain(
      `WHERE (("account" = '111122223333' AND "region" = 'eu-west-1' AND "year" = '2026' AND "month" = '11' AND "day" = '21')) AND "line" <> ''`,
    );
    expect(sql.match(/"\$path" AS "_file"/g)).toHaveLength(1);
    expect(sql).toContain(
      `CASE WHEN "_reject_reason" IS NOT NULL THEN substr("_line", 1, 65536) END AS "_text"`,
    );
    const extra = ['_reject_reason', '_key', '_line_number', '_text'];
    for (const column of extra) expect(source.columns.map((item) => item.name)).not.toContain(column);
  });
});

describe("the Athena engine's statements", () => {
  it('are checked by a grammar that does find errors in a CTAS', () => {
    const sql = stagedRejectsSql(parsed, rejectsTarget);
    expect(trino.validate(sql.replace(' AS SELECT ', ' SELECT ')).length).toBeGreaterThan(0);
    expect(trino.validate(sql.replace("format = 'JSON'", 'format = JSON,')).length).toBeGreaterThan(0);
  });

  it('quote a location holding a quote, and refuse one that is not on S3', () => {
    const sql = stagedRowsSql(SOURCES.elb, parsed, { ...rowsTarget, location: "s3://lake/o'brien/v=1/" });
    expect(sql).toContain(`external_location = 's3://lake/o''brien/v=1/'`);
    expectOneValidStatement(trino, sql);
    expect(() => stagedRowsSql(SOURCES.elb, parsed, { ...rowsTarget, location: '/tmp/lake/' })).toThrow(
      UsageError,
    );
  });

  it('take integers as the embedded engine does: any [+-]?[0-9]+ that casts, leading zeros included', () => {
    const sql = convertSelectSql(SOURCES.cloudfront, [partition], options);
    expect(sql).toContain(
      `WHEN "_r_status" IS NOT NULL AND ("status" IS NULL OR NOT regexp_like("_r_status", '^[+-]?[0-9]+$')) ` +
        `THEN 'field status: "' || substr("_r_status", 1, 200) || '" is not an int'`,
    );
    expect(sql).not.toContain('regexp_replace');
  });
});
