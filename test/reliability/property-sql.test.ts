import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.js';
import { DEFAULT_V2_HEADER } from '../../shared/demo/vpc-flow-generator.js';
import { vpcFlow } from '../../shared/sources/vpc-flow.js';
import { convertSelectSql, rejectsSelectSql } from '../../shared/sql/athena/convert-query.js';
import {
  hiveIdentifier,
  hiveLiteral,
  trinoLiteral,
  trinoTableName,
} from '../../shared/sql/athena/identifiers.js';
import { partitionFilter } from '../../shared/sql/athena/parse-lines.js';
import { addPartitionsSql, partitionSpec } from '../../shared/sql/athena/partitions.js';
import { createDatabaseSql } from '../../shared/sql/athena/tables.js';
import { parseLinesSql } from '../../shared/sql/duckdb-parse-lines.js';
import { quoteIdentifier, quoteLiteral, quoteLiteralList } from '../../shared/sql/identifiers.js';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';
import { expectOneValidStatement, hive, trino, unescapeHiveLiteral } from '../sql/athena-parsers.js';

/*
 * Property: no identifier or literal breaks out of its quoting. Every builder given hostile text
 * (quotes, backticks, backslashes, newlines, comment markers, `'; DROP TABLE x; --`, unicode, NUL)
 * either refuses it with a UsageError that says why, or builds ONE statement that parses with
 * dt-sql-parser (Hive for DDL, Trino for DML) and, where it can be run (DuckDB), reads back the
 * value unchanged.
 */

const HOSTILE_PIECES = [
  "'",
  '"',
  '`',
  '\\',
  '\n',
  '\r\n',
  '\t',
  ';',
  '--',
  '/*',
  '*/',
  '$$',
  '\u0000',
  '\u001f',
  'é',
  '中',
  '😀',
  ' ',
  'a',
  '0',
  '_',
  '-',
  "'; DROP TABLE x; --",
  '`; DROP TABLE x; --',
  '"; DROP TABLE x; --',
  "\\'",
  "''",
  '[',
  ']',
  '?',
  '*',
  '{a,b}',
];
const hostile = fc.oneof(
  fc.array(fc.constantFrom(...HOSTILE_PIECES), { maxLength: 12 }).map((pieces) => pieces.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/),
);
const RUNS = 60;

/** The builder's result, or the UsageError it refused with (any other error fails the test). */
function attempt<T>(build: () => T): { value: T } | { refused: UsageError } {
  try {
    return { value: build() };
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message.length).toBeGreaterThan(20);
    return { refused: error as UsageError };
  }
}

const VALID_IDENTIFIER = /^[a-z_][a-z0-9_]{0,254}$|^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;

describe('property: Athena builders keep hostile text inside its quoting', () => {
  it('identifiers: refused unless valid; a valid one makes one Hive and one Trino statement', () => {
    let refused = 0;
    fc.assert(
      fc.property(hostile, hostile, (database, table) => {
        const ddl = attempt(() => createDatabaseSql(database));
        const dml = attempt(() => `SELECT 1 FROM ${trinoTableName(database, table)}`);
        expect('value' in ddl).toBe(VALID_IDENTIFIER.test(database));
        expect('value' in dml).toBe(VALID_IDENTIFIER.test(database) && VALID_IDENTIFIER.test(table));
        if ('value' in ddl) expectOneValidStatement(hive, ddl.value);
        else refused += 1;
        if ('value' in dml) expectOneValidStatement(trino, dml.value);
      }),
      { numRuns: RUNS },
    );
    expect(refused).toBeGreaterThan(0);
  });

  it('Hive literals: NUL refused; anything else one statement that reads back unchanged', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const literal = attempt(() => hiveLiteral(value));
        expect('value' in literal).toBe(!value.includes('\u0000'));
        if (!('value' in literal)) return;
        expectOneValidStatement(hive, `ALTER TABLE \`db\`.\`t\` SET LOCATION ${literal.value}`);
        expect(unescapeHiveLiteral(literal.value)).toBe(value);
      }),
      { numRuns: RUNS },
    );
  });

  it('ADD PARTITION: hostile partition values and locations stay one statement per batch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ account: hostile, region: hostile, location: hostile }), {
          minLength: 1,
          maxLength: 4,
        }),
        (entries) => {
          const locations = entries.map(({ account, region, location }) => ({
            partition: { account, region, date: '2024-02-29' },
            location,
          }));
          const statements = attempt(() => addPartitionsSql('athena_logs', 'vpc_flow_raw', locations));
          const hasNul = entries.some((entry) =>
            Object.values(entry).some((text) => text.includes('\u0000')),
          );
          expect('value' in statements).toBe(!hasNul);
          if (!('value' in statements)) return;
          expect(statements.value).toHaveLength(1);
          const [statement = ''] = statements.value;
          expectOneValidStatement(hive, statement);
          for (const { partition, location } of locations) {
            expect(statement).toContain(`${partitionSpec(partition)} LOCATION ${hiveLiteral(location)}`);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('partition values: impossible dates refused; hostile accounts and regions stay in their literals', () => {
    fc.assert(
      fc.property(
        hostile,
        hostile,
        fc.oneof(hostile, fc.constantFrom('2024-02-30', '2023-02-29', '2024-13-01')),
        (account, region, date) => {
          const filter = attempt(() => partitionFilter([{ account, region, date }]));
          expect('value' in filter).toBe(false);
        },
      ),
      { numRuns: 20 },
    );
    fc.assert(
      fc.property(hostile, hostile, (account, region) => {
        const filter = attempt(
          () => `SELECT 1 FROM "t" WHERE ${partitionFilter([{ account, region, date: '2024-01-05' }])}`,
        );
        expect('value' in filter).toBe(!account.includes('\u0000') && !region.includes('\u0000'));
        if ('value' in filter) {
          expectOneValidStatement(trino, filter.value);
          expect(filter.value).toContain(
            `"account" = ${trinoLiteral(account)} AND "region" = ${trinoLiteral(region)}`,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('convert queries: hostile databases refused, hostile partitions and raw roots stay quoted', () => {
    let built = 0;
    fc.assert(
      fc.property(
        fc.oneof(hostile, fc.constant('athena_logs')),
        hostile,
        hostile,
        hostile,
        (database, account, region, prefix) => {
          const raw = `s3://raw-bucket/${prefix}/`;
          const options = { database, raw };
          const partitions = [{ account, region, date: '2024-01-05' }];
          const select = attempt(() => convertSelectSql(vpcFlow, partitions, options));
          const rejects = attempt(() => rejectsSelectSql(vpcFlow, partitions, options));
          // The SELECT names the database and partitions; the rejects query also the raw root.
          const ok = VALID_IDENTIFIER.test(database) && ![account, region].some((t) => t.includes('\u0000'));
          expect('value' in select).toBe(ok);
          expect('value' in rejects).toBe(ok && !prefix.includes('\u0000'));
          if ('value' in select && 'value' in rejects) {
            expectOneValidStatement(trino, select.value);
            expectOneValidStatement(trino, rejects.value);
            expect(rejects.value).toContain(trinoLiteral(raw));
            built += 1;
          }
        },
      ),
      { numRuns: 12 },
    );
    expect(built).toBeGreaterThan(0);
  });
});

describe('property: DuckDB builders read hostile names and values back unchanged', () => {
  let reader: DuckDBReader;
  let dir: string;

  beforeAll(async () => {
    reader = await DuckDBReader.open();
    dir = await makeTempDir('property-sql-');
  });

  afterAll(async () => {
    reader?.close();
    await removeTempDir(dir);
  });

  it('literals and identifiers: NUL refused, anything else round-trips through DuckDB', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.array(hostile, { maxLength: 3 }), async (value, list) => {
        const literal = attempt(() => quoteLiteral(value));
        const identifier = attempt(() => quoteIdentifier(value));
        expect('value' in literal).toBe(!value.includes('\u0000'));
        expect('value' in identifier).toBe(!value.includes('\u0000'));
        if (!('value' in literal) || !('value' in identifier)) return;
        const [row] = await reader.rows(`SELECT ${literal.value} AS v`);
        expect(row?.v).toBe(value);
        if (value !== '') {
          const [named] = await reader.rows(`SELECT 1 AS ${identifier.value}`);
          expect(Object.keys(named ?? {})).toEqual([value]);
        }
        if (list.some((item) => item.includes('\u0000'))) return;
        const [listed] = await reader.rows(`SELECT ${quoteLiteralList(list)} AS l`);
        expect(listed?.l).toEqual(list);
      }),
      { numRuns: RUNS },
    );
  });

  it('parse-lines statement: hostile file paths and table names parse the file and keep its name', async () => {
    let converted = 0;
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (name, table) => {
        // A file name may hold anything but '/' and NUL.
        const fileName = `f${[...name.replaceAll('/', '_').replaceAll('\u0000', '_')].slice(0, 100).join('')}`;
        const folder = join(dir, `run-${converted}`);
        await mkdir(folder, { recursive: true });
        const path = join(folder, fileName);
        await writeFile(
          path,
          '2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1700000000 1700000060 ACCEPT OK\n',
        );
        const tableName = `t${converted}${table}`;
        const sql = attempt(() =>
          parseLinesSql(vpcFlow, [{ files: [path], header: DEFAULT_V2_HEADER.split(' ') }], tableName),
        );
        expect('value' in sql).toBe(!tableName.includes('\u0000'));
        if (!('value' in sql)) return;
        await reader.connection.run(sql.value);
        const rows = await reader.rows(
          `SELECT file, srcaddr, bytes, reject_reason FROM ${quoteIdentifier(tableName)}`,
        );
        expect(rows).toEqual([{ file: path, srcaddr: '10.0.0.1', bytes: 840n, reject_reason: null }]);
        await reader.connection.run(`DROP TABLE ${quoteIdentifier(tableName)}`);
        converted += 1;
      }),
      { numRuns: 25 },
    );
    expect(converted).toBeGreaterThan(0);
  });
});

/** Checks the helpers the properties rely on refuse what they must (a sanity net for the test itself). */
describe('hostile identifiers are refused with a clear message', () => {
  it.each(["a'; DROP TABLE x; --", 'a`b', 'A', 'a b', ''])('%j', (name) => {
    expect(() => hiveIdentifier(name)).toThrow(
      /is not a valid identifier: use lowercase letters, digits and underscore/,
    );
  });
});
