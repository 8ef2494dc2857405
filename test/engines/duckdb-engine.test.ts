import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeVpcFlowDay } from '../../shared/demo/vpc-flow-generator.js';
import { FormatError, UnreadableObjectError } from '../../shared/errors.js';
import { vpcFlow } from '../../shared/sources/vpc-flow.js';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import { EngineHarness, PARTITION, rawKey, type RawFile } from '../fixtures/engine-harness.js';
import { CUSTOM_HEADER, V2_HEADER, textOf, v2Line } from '../fixtures/flow-log-lines.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

let root: string;
let harness: EngineHarness;
let duck: DuckDBReader;

beforeAll(async () => {
  root = await makeTempDir('engine');
  harness = new EngineHarness(root);
  duck = await DuckDBReader.open();
});

afterAll(async () => {
  duck?.close();
  await harness?.close();
  await removeTempDir(root);
});

const V2_COLUMNS: [string, string][] = [
  ['version', 'INTEGER'],
  ['account_id', 'VARCHAR'],
  ['interface_id', 'VARCHAR'],
  ['srcaddr', 'VARCHAR'],
  ['dstaddr', 'VARCHAR'],
  ['srcport', 'INTEGER'],
  ['dstport', 'INTEGER'],
  ['protocol', 'BIGINT'],
  ['packets', 'BIGINT'],
  ['bytes', 'BIGINT'],
  ['start', 'BIGINT'],
  ['end', 'BIGINT'],
  ['action', 'VARCHAR'],
  ['log_status', 'VARCHAR'],
];

function gz(lines: readonly string[]): Buffer {
  return gzipSync(textOf(lines));
}

describe('DuckDBEngine.convert: default format', () => {
  it('converts a v2 file into rows with exact values and Athena types', async () => {
    // Prepare
    const file: RawFile = {
      key: rawKey('a.log.gz'),
      content: gz([
        V2_HEADER,
        '2 012345678901 eni-0a1b2c3d4e5f60001 10.0.0.1 203.0.113.7 49152 443 6 12 1840 1704412800 1704412860 ACCEPT OK',
        '2 012345678901 eni-0a1b2c3d4e5f60002 198.51.100.3 10.0.0.2 53 33000 17 1 76 1704412801 1704412861 REJECT OK',
      ]),
    };

    // Act
    const { result, output, objects } = await harness.convert([file]);

    // Assess
    expect(result).toMatchObject({
      rowsIn: 2,
      rowsOut: 2,
      rowsRejected: 0,
      blankLines: 0,
      emptyObjects: 0,
      rejects: [],
    });
    expect(result.bytesIn).toBe(objects[0]?.size);
    expect([...(await duck.parquetSchema(output)).entries()]).toEqual(V2_COLUMNS);
    expect(await duck.parquetRows(output, 'start')).toEqual([
      {
        version: 2,
        account_id: '012345678901',
        interface_id: 'eni-0a1b2c3d4e5f60001',
        srcaddr: '10.0.0.1',
        dstaddr: '203.0.113.7',
        srcport: 49152,
        dstport: 443,
        protocol: 6n,
        packets: 12n,
        bytes: 1840n,
        start: 1704412800n,
        end: 1704412860n,
        action: 'ACCEPT',
        log_status: 'OK',
      },
      {
        version: 2,
        account_id: '012345678901',
        interface_id: 'eni-0a1b2c3d4e5f60002',
        srcaddr: '198.51.100.3',
        dstaddr: '10.0.0.2',
        srcport: 53,
        dstport: 33000,
        protocol: 17n,
        packets: 1n,
        bytes: 76n,
        start: 1704412801n,
        end: 1704412861n,
        action: 'REJECT',
        log_status: 'OK',
      },
    ]);
  });

  it('writes Snappy-compressed Parquet', async () => {
    const { output } = await harness.convert([
      { key: rawKey('snappy.log.gz'), content: gz([V2_HEADER, v2Line()]) },
    ]);

    expect(await duck.parquetCodecs(output)).toEqual(['SNAPPY']);
  });

  it("turns '-' into NULL in every type of column", async () => {
    // Prepare
    const line = v2Line({ srcport: '-', dstport: '-', protocol: '-', packets: '-', bytes: '-', action: '-' });

    // Act
    const { result, output } = await harness.convert([
      { key: rawKey('dash.log.gz'), content: gz([V2_HEADER, line]) },
    ]);

    // Assess
    expect(result).toMatchObject({ rowsIn: 1, rowsOut: 1, rowsRejected: 0 });
    expect(await duck.parquetRows(output)).toEqual([
      expect.objectContaining({
        srcport: null,
        dstport: null,
        protocol: null,
        packets: null,
        bytes: null,
        action: null,
        log_status: 'OK',
      }),
    ]);
  });

  it('keeps NODATA and SKIPDATA records with NULL address fields', async () => {
    // Prepare
    const lines = [
      V2_HEADER,
      '2 012345678901 eni-0a1b2c3d4e5f60001 - - - - - - - 1704412800 1704412860 - NODATA',
      '2 012345678901 eni-0a1b2c3d4e5f60002 - - - - - - - 1704412800 1704412860 - SKIPDATA',
      v2Line(),
    ];

    // Act
    const { result, output } = await harness.convert([{ key: rawKey('nodata.log.gz'), content: gz(lines) }]);

    // Assess
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 3, rowsRejected: 0 });
    const rows = await duck.rows(
      `SELECT interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, "end", action, log_status ` +
        `FROM read_parquet('${output}') WHERE log_status <> 'OK' ORDER BY log_status`,
    );
    expect(rows).toEqual([
      {
        interface_id: 'eni-0a1b2c3d4e5f60001',
        srcaddr: null,
        dstaddr: null,
        srcport: null,
        dstport: null,
        protocol: null,
        packets: null,
        bytes: null,
        start: 1704412800n,
        end: 1704412860n,
        action: null,
        log_status: 'NODATA',
      },
      expect.objectContaining({
        interface_id: 'eni-0a1b2c3d4e5f60002',
        srcaddr: null,
        dstaddr: null,
        log_status: 'SKIPDATA',
      }),
    ]);
  });

  it('keeps the leading zero of an account id (a string column)', async () => {
    const { output } = await harness.convert([
      { key: rawKey('zero.log.gz'), content: gz([V2_HEADER, v2Line({ account: '012345678901' })]) },
    ]);

    expect((await duck.parquetSchema(output)).get('account_id')).toBe('VARCHAR');
    expect(await duck.rows(`SELECT account_id FROM read_parquet('${output}')`)).toEqual([
      { account_id: '012345678901' },
    ]);
  });

  it('clusters rows so that equal (srcaddr, dstaddr) pairs form runs', async () => {
    // Prepare: 4 pairs, interleaved in the raw file.
    const pairs = [
      ['10.0.0.1', '10.9.9.9'],
      ['10.0.0.2', '10.9.9.9'],
      ['10.0.0.1', '10.8.8.8'],
      ['192.0.2.1', '10.0.0.1'],
    ] as const;
    const lines = [V2_HEADER];
    for (let index = 0; index < 80; index += 1) {
      const [srcaddr, dstaddr] = pairs[index % pairs.length] ?? pairs[0];
      lines.push(v2Line({ srcaddr, dstaddr, srcport: index }));
    }

    // Act
    const { output } = await harness.convert([{ key: rawKey('cluster.log.gz'), content: gz(lines) }]);

    // Assess: in file order, each pair appears as one contiguous run.
    const rows = await duck.parquetRows(output);
    const runs = rows.filter(
      (row, index) =>
        index === 0 || row.srcaddr !== rows[index - 1]?.srcaddr || row.dstaddr !== rows[index - 1]?.dstaddr,
    );
    expect(rows).toHaveLength(80);
    expect(runs).toHaveLength(4);
  });

  it('reads a headerless file whose first line is a default-format record as default format, every line a row', async () => {
    // Prepare
    const lines = [
      v2Line({ srcport: 1 }),
      v2Line({ srcport: 2, srcaddr: '10.0.0.2' }),
      '2 012345678901 eni-0a1b2c3d4e5f60001 - - - - - - - 1704412800 1704412860 - NODATA',
    ];

    // Act
    const { result, output } = await harness.convert([
      { key: rawKey('noheader.log.gz'), content: gz(lines) },
    ]);

    // Assess
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 3, rowsRejected: 0 });
    const rows = await duck.parquetRows(output, 'srcport NULLS LAST');
    expect(rows.map((row) => [row.srcport, row.srcaddr, row.log_status])).toEqual([
      [1, '10.0.0.1', 'OK'],
      [2, '10.0.0.2', 'OK'],
      [null, null, 'NODATA'],
    ]);
  });

  it('numbers rejects of a headerless file from its first line', async () => {
    const lines = [v2Line({ srcport: 1 }), v2Line({ packets: 'many' }), v2Line({ srcport: 3 })];

    const { result } = await harness.convert([{ key: rawKey('noheader-bad.log.gz'), content: gz(lines) }]);

    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 2, rowsRejected: 1 });
    expect(result.rejects).toEqual([
      expect.objectContaining({ key: rawKey('noheader-bad.log.gz'), line: 2, text: lines[1] }),
    ]);
  });
});

describe('DuckDBEngine.convert: custom formats', () => {
  const CUSTOM_RECORD =
    '5 vpc-0abc 10.1.0.5 10.2.0.9 8443 51515 17 123456 789 1704412900 1704412960 REJECT OK 18 egress 7 BPA payments-cluster eni-0ff 012345678901';

  it('puts every value of a reordered v3–v8 header into its own column', async () => {
    // Act
    const { result, output } = await harness.convert([
      { key: rawKey('custom.log.gz'), content: gz([CUSTOM_HEADER, CUSTOM_RECORD]) },
    ]);

    // Assess
    expect(result).toMatchObject({ rowsIn: 1, rowsOut: 1, rowsRejected: 0 });
    expect(await duck.parquetRows(output)).toEqual([
      {
        version: 5,
        account_id: '012345678901',
        interface_id: 'eni-0ff',
        srcaddr: '10.1.0.5',
        dstaddr: '10.2.0.9',
        srcport: 8443,
        dstport: 51515,
        protocol: 17n,
        packets: 789n,
        bytes: 123456n,
        start: 1704412900n,
        end: 1704412960n,
        action: 'REJECT',
        log_status: 'OK',
        vpc_id: 'vpc-0abc',
        tcp_flags: 18,
        flow_direction: 'egress',
        traffic_path: 7,
        ecs_cluster_name: 'payments-cluster',
        reject_reason: 'BPA',
      },
    ]);
    const schema = await duck.parquetSchema(output);
    expect(schema.get('tcp_flags')).toBe('INTEGER');
    expect(schema.get('traffic_path')).toBe('INTEGER');
    expect(schema.has('subnet_id')).toBe(false);
  });

  it('converts two objects with different headers in one partition', async () => {
    // Prepare
    const files: RawFile[] = [
      { key: rawKey('v2.log.gz'), content: gz([V2_HEADER, v2Line({ srcaddr: '10.0.0.77', bytes: 4242 })]) },
      {
        key: rawKey('custom.log.gz'),
        content: gz([CUSTOM_HEADER, CUSTOM_RECORD, CUSTOM_RECORD.replace('10.1.0.5', '10.1.0.6')]),
      },
    ];

    // Act
    const { result, output } = await harness.convert(files);

    // Assess
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 3, rowsRejected: 0 });
    const rows = await duck.rows(
      `SELECT srcaddr, bytes, packets, vpc_id, traffic_path, interface_id FROM read_parquet('${output}') ORDER BY srcaddr`,
    );
    expect(rows).toEqual([
      {
        srcaddr: '10.0.0.77',
        bytes: 4242n,
        packets: 10n,
        vpc_id: null,
        traffic_path: null,
        interface_id: 'eni-0a1b2c3d4e5f60001',
      },
      {
        srcaddr: '10.1.0.5',
        bytes: 123456n,
        packets: 789n,
        vpc_id: 'vpc-0abc',
        traffic_path: 7,
        interface_id: 'eni-0ff',
      },
      {
        srcaddr: '10.1.0.6',
        bytes: 123456n,
        packets: 789n,
        vpc_id: 'vpc-0abc',
        traffic_path: 7,
        interface_id: 'eni-0ff',
      },
    ]);
  });

  it('reports the rejects of every header group of a partition, each with its own object key', async () => {
    // Prepare
    const v2Key = rawKey('v2-bad.log.gz');
    const customKey = rawKey('custom-bad.log.gz');
    const v2Lines = [V2_HEADER, v2Line(), v2Line({ dstport: 'http' }), v2Line()];
    const customLines = [
      CUSTOM_HEADER,
      CUSTOM_RECORD.replace(' 7 BPA', ' seven BPA'),
      CUSTOM_RECORD,
      CUSTOM_RECORD,
    ];

    // Act
    const { result } = await harness.convert([
      { key: v2Key, content: gz(v2Lines) },
      { key: customKey, content: gz(customLines) },
    ]);

    // Assess
    expect(result).toMatchObject({ rowsIn: 6, rowsOut: 4, rowsRejected: 2 });
    const rejects = [...result.rejects].sort((a, b) => a.key.localeCompare(b.key));
    expect(rejects).toEqual([
      { key: customKey, line: 2, reason: expect.stringMatching(/traffic_path/), text: customLines[1] },
      { key: v2Key, line: 3, reason: expect.stringMatching(/dstport/), text: v2Lines[2] },
    ]);
  });

  describe('the v4 region field', () => {
    const REGION_HEADER =
      'version vpc-id srcaddr dstaddr srcport dstport protocol bytes packets start end action log-status region az-id';
    const record = (srcport: number, region: string) =>
      `4 vpc-1 10.0.0.1 10.0.0.2 ${srcport} 443 6 100 1 1704412800 1704412860 ACCEPT OK ${region} use1-az1`;

    it('keeps records of the key region, rejects others with both regions named, and stores no region column', async () => {
      // Prepare
      const key = rawKey('region.log.gz');
      const lines = [
        REGION_HEADER,
        record(1, 'us-east-1'),
        record(2, 'eu-west-1'),
        record(3, '-'),
        record(4, 'us-east-2'),
      ];

      // Act
      const { result, output } = await harness.convert([{ key, content: gz(lines) }]);

      // Assess
      expect(result).toMatchObject({ rowsIn: 4, rowsOut: 2, rowsRejected: 2 });
      expect((await duck.parquetRows(output, 'srcport')).map((row) => row.srcport)).toEqual([1, 3]);
      const schema = await duck.parquetSchema(output);
      expect(schema.has('region')).toBe(false);
      expect(schema.get('az_id')).toBe('VARCHAR');
      const rejects = [...result.rejects].sort((a, b) => a.line - b.line);
      expect(rejects).toEqual([
        { key, line: 3, reason: expect.stringContaining('eu-west-1'), text: lines[2] },
        { key, line: 5, reason: expect.stringContaining('us-east-2'), text: lines[4] },
      ]);
      for (const reject of rejects) expect(reject.reason).toContain('us-east-1');
    });

    it('checks the region against the partition of the object, whatever the region field position', async () => {
      const header = 'region version srcaddr dstaddr packets';
      const lines = [header, 'eu-west-1 5 10.0.0.1 10.0.0.2 1', 'us-east-1 5 10.0.0.3 10.0.0.4 2'];

      const { result, output } = await harness.convert(
        [{ key: rawKey('first.log.gz', { ...PARTITION, region: 'eu-west-1' }), content: gz(lines) }],
        {
          ...PARTITION,
          region: 'eu-west-1',
        },
      );

      expect(result).toMatchObject({ rowsIn: 2, rowsOut: 1, rowsRejected: 1 });
      expect(result.rejects[0]).toMatchObject({
        line: 3,
        reason: expect.stringMatching(/us-east-1.*eu-west-1/),
      });
      expect(await duck.rows(`SELECT srcaddr, packets FROM read_parquet('${output}')`)).toEqual([
        { srcaddr: '10.0.0.1', packets: 1n },
      ]);
    });
  });
});

describe('DuckDBEngine.convert: bad lines', () => {
  type Kind = 'header' | 'good' | 'blank' | 'bad';
  const key = rawKey('bad-lines.log.gz');
  /** The fixture, line by line: what each line is and, for bad ones, what its reason must say. */
  const FIXTURE: { text: Buffer; kind: Kind; reason?: RegExp }[] = [
    { text: Buffer.from(V2_HEADER), kind: 'header' },
    { text: Buffer.from(v2Line({ srcport: 1 })), kind: 'good' },
    {
      text: Buffer.from('2 012345678901 eni-0a1b2c3d4e5f60001 10.0.0.9 10.0.1.1 443'),
      kind: 'bad',
      reason: /missing columns/i,
    },
    { text: Buffer.from(v2Line({ srcport: 2 })), kind: 'good' },
    { text: Buffer.from(`${v2Line({ srcport: 3 })} extra-field`), kind: 'bad', reason: /too many columns/i },
    { text: Buffer.from(''), kind: 'blank' },
    { text: Buffer.from(v2Line({ packets: 'ten' })), kind: 'bad', reason: /packets.*ten/i },
    { text: Buffer.from(v2Line({ srcport: '99999999999' })), kind: 'bad', reason: /srcport.*99999999999/i },
    {
      text: Buffer.concat([
        Buffer.from('2 012345678901 eni-'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(' 10.0.0.1 10.0.1.1 443 80 6 1 40 1704412800 1704412860 ACCEPT OK'),
      ]),
      kind: 'bad',
      reason: /unicode|utf-?8|encoding/i,
    },
    { text: Buffer.from(v2Line({ srcport: 4 })), kind: 'good' },
    { text: Buffer.from('2 012345678901 eni-0a\u0000 10.0.0.1'), kind: 'bad', reason: /NUL/ },
    { text: Buffer.from(v2Line({ srcport: 5 })), kind: 'good' },
  ];
  const content = gzipSync(Buffer.concat(FIXTURE.flatMap((line) => [line.text, Buffer.from('\n')])));
  // Numbers computed from the fixture itself, not from the engine.
  const expectedGood = FIXTURE.filter((line) => line.kind === 'good').length;
  const expectedBad = FIXTURE.map((line, index) => ({ ...line, line: index + 1 })).filter(
    (line) => line.kind === 'bad',
  );
  const expectedBlank = FIXTURE.filter((line) => line.kind === 'blank').length;

  it('rejects each bad line with the object key, its exact line number and a reason, and counts reconcile', async () => {
    // Act
    const { result, output } = await harness.convert([{ key, content }]);

    // Assess: the figures.
    expect(expectedGood).toBe(4);
    expect(expectedBad).toHaveLength(6);
    expect(result.rowsIn).toBe(expectedGood + expectedBad.length);
    expect(result.rowsOut).toBe(expectedGood);
    expect(result.rowsRejected).toBe(expectedBad.length);
    expect(result.blankLines).toBe(expectedBlank);
    expect(result.rowsIn).toBe(result.rowsOut + result.rowsRejected);
    // The rejects, one per bad line.
    const rejects = [...result.rejects].sort((a, b) => a.line - b.line);
    expect(rejects.map((reject) => [reject.key, reject.line])).toEqual(
      expectedBad.map((line) => [key, line.line]),
    );
    rejects.forEach((reject, index) => {
      const expected = expectedBad[index];
      expect(reject.reason).toMatch(expected?.reason ?? /never/);
    });
    // Rejected lines keep their text (the invalid UTF-8 one is not compared byte for byte).
    for (const reject of rejects.filter((found) => found.line !== 9)) {
      expect(reject.text).toBe(FIXTURE[reject.line - 1]?.text.toString('utf8'));
    }
    // The good rows, and only them, are in the Parquet file.
    expect((await duck.parquetRows(output, 'srcport')).map((row) => row.srcport)).toEqual([1, 2, 4, 5]);
  });

  it('keys rejects by the object they come from when a partition has several objects', async () => {
    // Prepare
    const other = rawKey('other.log.gz');
    const otherLines = [
      V2_HEADER,
      v2Line({ srcport: 10 }),
      '',
      '',
      v2Line({ bytes: 'lots' }),
      v2Line({ srcport: 11 }),
    ];

    // Act
    const { result } = await harness.convert([
      { key, content },
      { key: other, content: gz(otherLines) },
    ]);

    // Assess
    expect(result.rowsOut).toBe(expectedGood + 2);
    expect(result.rowsRejected).toBe(expectedBad.length + 1);
    expect(result.blankLines).toBe(expectedBlank + 2);
    const fromOther = result.rejects.filter((reject) => reject.key === other);
    expect(fromOther).toEqual([
      { key: other, line: 5, reason: expect.stringMatching(/bytes/), text: otherLines[4] },
    ]);
    expect(
      result.rejects
        .filter((reject) => reject.key === key)
        .map((reject) => reject.line)
        .sort((a, b) => a - b),
    ).toEqual(expectedBad.map((line) => line.line));
  });
});

describe('DuckDBEngine.convert: partitions converted at once', () => {
  it('keeps the rows and rejects of concurrent conversions apart', async () => {
    // Prepare: three partitions, each with its own number of good and bad lines.
    const partitions = [1, 2, 3].map((n) => ({ ...PARTITION, date: `2024-01-0${n}` }));
    const jobs = partitions.map((partition, index) => {
      const key = rawKey(`p${index}.log.gz`, partition);
      const lines = [V2_HEADER];
      for (let row = 0; row < 50 * (index + 1); row += 1) lines.push(v2Line({ srcport: row }));
      for (let bad = 0; bad <= index; bad += 1) lines.push(v2Line({ bytes: `bad${index}` }));
      return { partition, key, good: 50 * (index + 1), bad: index + 1, content: gz(lines) };
    });

    // Act
    const conversions = await Promise.all(
      jobs.map((job) => harness.convert([{ key: job.key, content: job.content }], job.partition)),
    );

    // Assess
    for (const [index, job] of jobs.entries()) {
      const { result, output } = conversions[index] ?? expect.unreachable('a conversion per job');
      expect(result).toMatchObject({ rowsIn: job.good + job.bad, rowsOut: job.good, rowsRejected: job.bad });
      expect(new Set(result.rejects.map((reject) => reject.key))).toEqual(new Set([job.key]));
      expect(await duck.parquetRows(output)).toHaveLength(job.good);
    }
  });
});

describe('DuckDBEngine.convert: an unreadable object', () => {
  it('fails the partition with UnreadableObjectError naming the object', async () => {
    const key = rawKey('corrupt.log.gz');

    const error = await harness.convertError([
      { key: rawKey('fine.log.gz'), content: gz([V2_HEADER, v2Line()]) },
      { key, content: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef]) },
    ]);

    expect(error).toBeInstanceOf(UnreadableObjectError);
    expect((error as UnreadableObjectError).message).toContain(key);
  });

  it('stops using the scratch folder once convert has failed (the caller removes it then)', async () => {
    // Prepare: the first object is corrupt, then several objects that take a while to stage.
    const lines = [
      V2_HEADER,
      ...Array.from({ length: 60_000 }, (_, index) => v2Line({ srcport: index % 60_000 })),
    ];
    const content = gz(lines);
    const files: RawFile[] = [
      { key: rawKey('corrupt.log.gz'), content: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]) },
      ...Array.from({ length: 6 }, (_, index) => ({ key: rawKey(`large-${index}.log.gz`), content })),
    ];

    // Act
    const error = await harness.convertError(files);
    const scratchDir = harness.lastScratchDir;
    const atFailure = (await readdir(scratchDir)).sort();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const later = (await readdir(scratchDir)).sort();

    // Assess: nothing new was staged after convert settled.
    expect(error).toBeInstanceOf(UnreadableObjectError);
    expect(later).toEqual(atFailure);
  });
});

describe('DuckDBEngine.convert: headers it cannot read', () => {
  it.each<[string, string, string]>([
    ['an extra unknown field', `${V2_HEADER} bogus-field`, 'bogus-field'],
    ['a misspelt field in the middle', V2_HEADER.replace('packets', 'pakets'), 'pakets'],
  ])('fails with a FormatError naming the object and the field: %s', async (_label, header, field) => {
    // Prepare
    const key = rawKey('unknown-header.log.gz');

    // Act
    const error = await harness.convertError([
      { key: rawKey('fine.log.gz'), content: gz([V2_HEADER, v2Line()]) },
      { key, content: gz([header, v2Line()]) },
    ]);

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    const formatError = error as FormatError;
    expect(formatError.message).toContain(key);
    expect(formatError.message).toContain(`"${field}"`);
    expect(formatError.key).toBe(key);
    expect(formatError.field).toBe(field);
    expect(formatError.line).toBe(1);
  });
});

describe('DuckDBEngine.convert: empty objects', () => {
  it('counts a zero-byte object as empty and converts the rest', async () => {
    // Act
    const { result, output } = await harness.convert([
      { key: rawKey('empty.log.gz'), content: Buffer.alloc(0) },
      {
        key: rawKey('full.log.gz'),
        content: gz([V2_HEADER, v2Line({ srcport: 1 }), v2Line({ srcport: 2 })]),
      },
    ]);

    // Assess
    expect(result).toMatchObject({ rowsIn: 2, rowsOut: 2, rowsRejected: 0, emptyObjects: 1 });
    expect(await duck.parquetRows(output)).toHaveLength(2);
  });

  it('converts a single zero-byte object into 0 rows', async () => {
    const { result } = await harness.convert([{ key: rawKey('empty.log.gz'), content: Buffer.alloc(0) }]);

    expect(result).toMatchObject({
      rowsIn: 0,
      rowsOut: 0,
      rowsRejected: 0,
      emptyObjects: 1,
      bytesIn: 0,
      rejects: [],
    });
  });

  it('still writes a readable, typed Parquet file with 0 rows for a partition of empty objects only', async () => {
    // Act
    const { result, output } = await harness.convert([
      { key: rawKey('empty-1.log.gz'), content: Buffer.alloc(0) },
      { key: rawKey('empty-2.log.gz'), content: gzipSync('') },
    ]);

    // Assess
    expect(result).toMatchObject({ rowsIn: 0, rowsOut: 0, rowsRejected: 0, emptyObjects: 2 });
    expect(await duck.parquetRows(output)).toEqual([]);
    const schema = await duck.parquetSchema(output);
    expect(schema.get('account_id')).toBe('VARCHAR');
    expect(schema.get('bytes')).toBe('BIGINT');
    expect(schema.has('region')).toBe(false);
  });

  it('converts a header-only object into 0 rows without counting it as empty', async () => {
    const { result, output } = await harness.convert([
      { key: rawKey('header-only.log.gz'), content: gz([V2_HEADER]) },
    ]);

    expect(result).toMatchObject({ rowsIn: 0, rowsOut: 0, rowsRejected: 0, emptyObjects: 0 });
    expect(await duck.parquetRows(output)).toEqual([]);
  });
});

describe('DuckDBEngine.convert: generated demo data', () => {
  it('converts a generated day without rejects, every record a row, NODATA addresses NULL', async () => {
    // Prepare
    const raw = join(root, 'generated');
    const generated = await writeVpcFlowDay(raw, {
      ...PARTITION,
      files: 2,
      bytesPerFile: 40_000,
      interfaces: 20,
      seed: 7,
    });
    const files: RawFile[] = [];
    let nodata = 0;
    for (const object of generated) {
      const content = await readFile(join(raw, object.key));
      nodata += gunzipSync(content)
        .toString('utf8')
        .split('\n')
        .filter((line) => line.endsWith(' NODATA')).length;
      files.push({ key: object.key, content });
    }
    const records = generated.reduce((sum, object) => sum + object.lines - 1, 0);

    // Act
    const { result, output } = await harness.convert(files);

    // Assess
    expect(result).toMatchObject({ rowsIn: records, rowsOut: records, rowsRejected: 0, emptyObjects: 0 });
    const [counts] = await duck.rows(
      `SELECT count(*) FILTER (WHERE log_status = 'NODATA' AND srcaddr IS NULL AND dstaddr IS NULL) AS nodata, ` +
        `count(DISTINCT account_id) AS accounts FROM read_parquet('${output}')`,
    );
    expect(counts).toEqual({ nodata: BigInt(nodata), accounts: 1n });
  });
});

describe('DuckDBEngine.convert: CRLF line endings', () => {
  // The stager already tolerates CRLF (it strips "\r" from the first line) and DuckDB reads CRLF
  // records; a blank CRLF line must then count as blank, not fail the whole partition.
  it('counts a blank CRLF line as blank and reconciles', async () => {
    const text = [V2_HEADER, v2Line({ srcport: 1 }), '', v2Line({ srcport: 2 })].join('\r\n') + '\r\n';

    const { result } = await harness.convert([{ key: rawKey('crlf-blank.log.gz'), content: gzipSync(text) }]);

    expect(result).toMatchObject({ rowsIn: 2, rowsOut: 2, rowsRejected: 0, blankLines: 1 });
  });

  it('does not reject a record whose region (the last field) is followed by a carriage return', async () => {
    const header = 'version srcaddr dstaddr packets region';
    const text = [header, '4 10.0.0.1 10.0.0.2 1 us-east-1'].join('\r\n') + '\r\n';

    const { result } = await harness.convert([
      { key: rawKey('crlf-region.log.gz'), content: gzipSync(text) },
    ]);

    expect(result).toMatchObject({ rowsIn: 1, rowsOut: 1, rowsRejected: 0 });
  });
});

describe('DuckDBEngine.convert: lines DuckDB itself would drop', () => {
  it('quarantines a 3 MB line (over DuckDB’s silent 2 MiB limit) and reconciles', async () => {
    const long = `2 012345678901 eni-${'x'.repeat(3 * 1024 * 1024)} 10.0.0.1 10.0.0.2 1 2 6 1 100 1 2 ACCEPT OK`;
    const key = rawKey('long-line.log.gz');

    const { result } = await harness.convert([{ key, content: gz([V2_HEADER, v2Line(), long, v2Line()]) }]);

    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 2, rowsRejected: 1 });
    expect(result.rejects).toEqual([
      {
        key,
        line: 3,
        reason: `line of ${long.length} bytes is longer than the 1048576-byte limit`,
        text: long.slice(0, 65_536),
      },
    ]);
  });
});

describe('DuckDBEngine.convert: line endings', () => {
  it('reads a CRLF line among LF lines as a record (DuckDB alone fails the whole file on it)', async () => {
    const key = rawKey('mixed-endings.log');
    const text = `${V2_HEADER}\n${v2Line()}\n${v2Line()}\r\n${v2Line()}\n`;

    const { result, output } = await harness.convert([{ key, content: text }]);
    const statuses = await duck.rows(`SELECT DISTINCT log_status FROM read_parquet('${output}')`);

    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 3, rowsRejected: 0 });
    expect(statuses).toEqual([{ log_status: 'OK' }]);
  });

  it('quarantines a line with a carriage return inside it', async () => {
    const key = rawKey('inner-cr.log');
    const text = `${V2_HEADER}\n${v2Line()}\n${v2Line().replace(' ACCEPT', '\r ACCEPT')}\n`;

    const { result } = await harness.convert([{ key, content: text }]);

    expect(result).toMatchObject({ rowsIn: 2, rowsOut: 1, rowsRejected: 1 });
    expect(result.rejects[0]).toMatchObject({ key, line: 3, reason: 'line contains a carriage return' });
  });
});

describe('DuckDBEngine.convert: what a reject keeps', () => {
  it('keeps the first 64 KiB of a long malformed line and reports the field count it found', async () => {
    const long = `2 012345678901 eni-${'w'.repeat(200_000)} 10.0.0.1`;
    const key = rawKey('long-malformed.log');

    const { result } = await harness.convert([{ key, content: `${V2_HEADER}\n${v2Line()}\n${long}\n` }]);

    expect(result).toMatchObject({ rowsIn: 2, rowsOut: 1, rowsRejected: 1 });
    const [reject] = result.rejects;
    expect(reject?.line).toBe(3);
    expect(reject?.text).toBe(long.slice(0, 65_536));
    expect(reject?.reason).toMatch(/missing columns: .*Expected Number of Columns: 14 Found: 4$/);
  });
});

describe('DuckDBEngine.convert: lines with far too many fields', () => {
  it('quarantines a record ending in invalid UTF-8 before DuckDB, whose CSV reader would fail fatally on it, and keeps converting', async () => {
    const bad = Buffer.concat([Buffer.from(v2Line({ srcport: 7 })), Buffer.from([0xff, 0xfe, 0x0a])]);
    const content = Buffer.concat([
      Buffer.from(`${V2_HEADER}\n${v2Line()}\n`),
      bad,
      Buffer.from(`${v2Line()}\n`),
    ]);

    const { result } = await harness.convert([{ key: rawKey('utf8.log'), content }]);
    const next = await harness.convert([
      { key: rawKey('after.log'), content: `${V2_HEADER}\n${v2Line()}\n` },
    ]);

    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 2, rowsRejected: 1 });
    expect(result.rejects.map((reject) => [reject.line, reject.reason])).toEqual([
      [3, 'line is not valid UTF-8'],
    ]);
    expect(next.result).toMatchObject({ rowsIn: 1, rowsOut: 1 });
  });

  it('quarantines a line of 100,000 fields before DuckDB (whose cost for it explodes) and counts real field numbers', async () => {
    const key = rawKey('wide.log');
    const wide = Array(100_000).fill('x').join(' ');
    const extra = `${v2Line()} one two three`;

    const { result } = await harness.convert([
      { key, content: `${V2_HEADER}\n${wide}\n${v2Line()}\n${extra}\n` },
    ]);

    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 1, rowsRejected: 2 });
    expect(result.rejects.map((reject) => [reject.line, reject.reason])).toEqual([
      [2, `line has 100000 fields, more than the ${vpcFlow.format.fields.length} a record can have`],
      [4, 'too many columns: 17 fields where the header names 14'],
    ]);
  });
});
