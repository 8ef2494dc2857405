import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.js';
import { vpcFlow } from '../../shared/sources/vpc-flow.js';
import {
  clusterKey,
  convertDelimitedSql,
  type DelimitedInputGroup,
} from '../../shared/sql/duckdb-convert.js';
import {
  athenaIdentifier,
  quoteIdentifier,
  quoteLiteral,
  quoteLiteralList,
} from '../../shared/sql/identifiers.js';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import { CUSTOM_HEADER, V2_HEADER, textOf } from '../fixtures/flow-log-lines.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const PARQUET = { parquetVersion: 'v2', rowGroupSize: 100_000 } as const;

function groupOf(header: string, files: string[], id = 't1'): DelimitedInputGroup {
  return {
    header: header.split(' '),
    hasHeaderLine: true,
    files,
    rejectsTable: `rej_${id}`,
    rejectsScanTable: `rej_scan_${id}`,
  };
}

describe('quoteIdentifier / quoteLiteral', () => {
  it.each<[string, string]>([
    ['srcaddr', '"srcaddr"'],
    ['end', '"end"'],
    ['a"b', '"a""b"'],
    ['""', '""""""'],
    ["it's", '"it\'s"'],
  ])('quoteIdentifier(%j) = %s', (name, expected) => {
    expect(quoteIdentifier(name)).toBe(expected);
  });

  it.each<[string, string]>([
    ['plain', "'plain'"],
    ["it's", "'it''s'"],
    ["''", "''''''"],
    ['say "hi"', `'say "hi"'`],
    ['back\\slash', "'back\\slash'"],
  ])('quoteLiteral(%j) = %s', (value, expected) => {
    expect(quoteLiteral(value)).toBe(expected);
  });

  it.each<[string, (value: string) => string]>([
    ['quoteIdentifier', quoteIdentifier],
    ['quoteLiteral', quoteLiteral],
    ['quoteLiteralList', (value) => quoteLiteralList(['fine', value])],
  ])('%s refuses a NUL character with a UsageError', (_name, quote) => {
    expect(() => quote('bad\u0000name')).toThrow(UsageError);
    expect(() => quote('bad\u0000name')).toThrow(/NUL/);
  });

  it('quoteLiteralList quotes every element', () => {
    expect(quoteLiteralList(['a', "b'c"])).toBe("['a', 'b''c']");
    expect(quoteLiteralList([])).toBe('[]');
  });

  describe('against DuckDB', () => {
    let duck: DuckDBReader;
    beforeAll(async () => {
      duck = await DuckDBReader.open();
    });
    afterAll(() => duck.close());

    it.each<[string, string]>([
      ['plain', 'plain'],
      ['quote in both', `it's a "test"`],
      ['only quotes', `'"'"`],
      ['backslashes and semicolon', "a\\'; DROP TABLE x; --"],
      ['unicode', 'région ✓'],
    ])('round-trips %s', async (_label, text) => {
      // Act: the text as both a column name and a value.
      const rows = await duck.rows(`SELECT ${quoteLiteral(text)} AS ${quoteIdentifier(text)}`);
      // Assess
      expect(rows).toEqual([{ [text]: text }]);
    });
  });
});

describe('athenaIdentifier', () => {
  it.each(['vpc_flow', 'athena_logs', 'a', 'a1', 'table_2024_01', 'x'.repeat(255)])('accepts %s', (name) => {
    expect(athenaIdentifier(name)).toBe(name);
  });

  it.each([
    ['uppercase', 'VPC_flow'],
    ['hyphen', 'vpc-flow'],
    ['space', 'vpc flow'],
    ['empty', ''],
    ['leading digit', '1table'],
    ['dot', 'db.table'],
    ['quote', 'a"b'],
    ['backtick', 'a`b'],
    ['trailing newline', 'vpc_flow\n'],
    ['non-ASCII letter', 'région'],
    ['too long (256)', 'x'.repeat(256)],
  ])('rejects %s with a UsageError naming it', (_label, name) => {
    expect(() => athenaIdentifier(name)).toThrow(UsageError);
    try {
      athenaIdentifier(name);
    } catch (error) {
      expect((error as UsageError).field).toBe(name);
      expect((error as UsageError).message).toContain(`"${name}"`);
    }
  });
});

describe('clusterKey', () => {
  it.each<[string[], string | undefined]>([
    [[], undefined],
    [['srcaddr'], 'hash("srcaddr")'],
    [['srcaddr', 'dstaddr'], 'xor(hash("srcaddr"), hash("dstaddr") >> 20)'],
  ])('%j → %s', (columns, expected) => {
    expect(clusterKey(columns)).toBe(expected);
  });
});

describe('convertDelimitedSql', () => {
  it('spells out types, null token, cluster order, Parquet version and Snappy for a custom header', () => {
    // Prepare
    const group = groupOf(CUSTOM_HEADER, ['/data/a.txt', '/data/b.txt']);

    // Act
    const sql = convertDelimitedSql(vpcFlow, [group], '/out/data.parquet', PARQUET);

    // Assess: every header field has its explicit type, in file order, and nothing is detected.
    const expectedTypes = [
      "'version': 'INTEGER'",
      "'vpc_id': 'VARCHAR'",
      "'srcaddr': 'VARCHAR'",
      "'dstaddr': 'VARCHAR'",
      "'srcport': 'INTEGER'",
      "'dstport': 'INTEGER'",
      "'protocol': 'BIGINT'",
      "'bytes': 'BIGINT'",
      "'packets': 'BIGINT'",
      "'start': 'BIGINT'",
      "'end': 'BIGINT'",
      "'action': 'VARCHAR'",
      "'log_status': 'VARCHAR'",
      "'tcp_flags': 'INTEGER'",
      "'flow_direction': 'VARCHAR'",
      "'traffic_path': 'INTEGER'",
      "'reject_reason': 'VARCHAR'",
      "'ecs_cluster_name': 'VARCHAR'",
      "'interface_id': 'VARCHAR'",
      "'account_id': 'VARCHAR'",
    ];
    expect(sql).toContain(`columns={${expectedTypes.join(', ')}}`);
    expect(sql).toContain('auto_detect=false');
    expect(sql).not.toMatch(/auto_detect=true/);
    expect(sql).toContain("nullstr='-'");
    expect(sql).toContain("delim=' '");
    expect(sql).toContain('header=true');
    expect(sql).toContain("read_csv(['/data/a.txt', '/data/b.txt'],");
    expect(sql).toContain('ORDER BY xor(hash("srcaddr"), hash("dstaddr") >> 20)');
    expect(sql).toContain('PARQUET_VERSION v2');
    expect(sql).toContain('COMPRESSION snappy');
    expect(sql).toContain('ROW_GROUP_SIZE 100000');
    expect(sql).toContain("TO '/out/data.parquet'");
    expect(sql).toContain("rejects_table='rej_t1'");
    expect(sql).toContain("rejects_scan='rej_scan_t1'");
  });

  it('projects onto the table column order and carries only columns some file has', () => {
    const sql = convertDelimitedSql(vpcFlow, [groupOf(CUSTOM_HEADER, ['/a.txt'])], '/o.parquet', PARQUET);

    const projection = /SELECT (.*) FROM read_csv/.exec(sql)?.[1];
    // Table order (version, account_id, interface_id, srcaddr, …), not file order; v2 columns absent from the header become NULL casts.
    expect(projection?.startsWith('"version", "account_id", "interface_id", "srcaddr", "dstaddr"')).toBe(
      true,
    );
    expect(projection).not.toContain('"subnet_id"');
    expect(projection).not.toContain('"region"');
  });

  it('fills columns missing from one header with typed NULLs when another header has them', () => {
    const sql = convertDelimitedSql(
      vpcFlow,
      [groupOf(V2_HEADER, ['/a.txt'], 'a'), groupOf(CUSTOM_HEADER, ['/b.txt'], 'b')],
      '/o.parquet',
      PARQUET,
    );

    expect(sql).toContain('UNION ALL');
    expect(sql).toContain('CAST(NULL AS VARCHAR) AS "vpc_id"');
    expect(sql).toContain('CAST(NULL AS INTEGER) AS "traffic_path"');
  });

  it.each<['v1' | 'v2', string]>([
    ['v1', 'PARQUET_VERSION v1'],
    ['v2', 'PARQUET_VERSION v2'],
  ])('writes Parquet version %s', (version, expected) => {
    const sql = convertDelimitedSql(vpcFlow, [groupOf(V2_HEADER, ['/a.txt'])], '/o.parquet', {
      parquetVersion: version,
      rowGroupSize: 10.7,
    });
    expect(sql).toContain(expected);
    expect(sql).toContain('ROW_GROUP_SIZE 10)');
  });

  it('refuses a header field that vpc_flow does not have', () => {
    expect(() =>
      convertDelimitedSql(vpcFlow, [groupOf(`${V2_HEADER} bogus-field`, ['/a.txt'])], '/o.parquet', PARQUET),
    ).toThrow(/bogus-field/);
  });

  describe('run for real on paths holding a single quote', () => {
    let dir: string;
    let duck: DuckDBReader;
    beforeAll(async () => {
      dir = await makeTempDir('sql');
      duck = await DuckDBReader.open();
    });
    afterAll(async () => {
      duck.close();
      await removeTempDir(dir);
    });

    it('converts a file named with a quote into a Parquet file named with a quote', async () => {
      // Prepare
      const folder = join(dir, "o'brien's logs");
      await mkdir(folder, { recursive: true });
      const input = join(folder, "it's.txt");
      await writeFile(
        input,
        textOf([
          CUSTOM_HEADER,
          '5 vpc-1 10.0.0.1 10.0.0.2 443 50000 6 1500 3 1704067200 1704067260 ACCEPT OK 19 ingress 1 - my-cluster eni-1 012345678901',
          "5 vpc-1 10.0.0.3 10.0.0.4 - - 1 - - 1704067200 1704067260 REJECT OK - egress 2 BPA my-cluster eni-'2 012345678901",
        ]),
      );
      const output = join(folder, "out'put.parquet");
      const sql = convertDelimitedSql(vpcFlow, [groupOf(CUSTOM_HEADER, [input], 'quote')], output, PARQUET);

      // Act
      await duck.connection.run(sql);

      // Assess
      const rows = await duck.parquetRows(output, 'srcaddr');
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({
        srcaddr: '10.0.0.1',
        bytes: 1500n,
        packets: 3n,
        tcp_flags: 19,
        account_id: '012345678901',
      });
      expect(rows[1]).toMatchObject({
        srcaddr: '10.0.0.3',
        srcport: null,
        bytes: null,
        interface_id: "eni-'2",
        reject_reason: 'BPA',
      });
      expect(await duck.parquetCodecs(output)).toEqual(['SNAPPY']);
    });
  });

  it('writes a typed, empty file when there is no input at all', async () => {
    // Prepare
    const dir = await makeTempDir('sql-empty');
    const duck = await DuckDBReader.open();
    try {
      const output = join(dir, 'empty.parquet');
      const sql = convertDelimitedSql(vpcFlow, [], output, PARQUET);
      expect(sql).not.toContain('ORDER BY');

      // Act
      await duck.connection.run(sql);

      // Assess
      expect(await duck.parquetRows(output)).toEqual([]);
      const schema = await duck.parquetSchema(output);
      expect([...schema.keys()]).toEqual(vpcFlow.columns.map((column) => column.name));
      expect(schema.get('account_id')).toBe('VARCHAR');
      expect(schema.get('bytes')).toBe('BIGINT');
    } finally {
      duck.close();
      await removeTempDir(dir);
    }
  });
});
