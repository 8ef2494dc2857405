import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { LogSource } from '../../shared/sources/types.js';
import { PARTITION, rawKey } from '../fixtures/engine-harness.js';
import { engineSuite } from '../fixtures/engine-suite.js';
import { V2_HEADER, v2Line } from '../fixtures/flow-log-lines.js';

/** A small regex format: `<time> <client>:<port> "<request>" <bytes> [<extra>]`. */
const regexSource: LogSource = {
  name: 'alb',
  title: 'test regex source',
  reference: 'test',
  columns: [
    { name: 'time', type: 'string', description: 'ISO time' },
    { name: 'client_ip', type: 'string', description: 'client' },
    { name: 'client_port', type: 'int', description: 'port' },
    { name: 'request', type: 'string', description: 'quoted request' },
    { name: 'bytes', type: 'bigint', description: 'bytes' },
    { name: 'extra', type: 'double', description: 'optional trailing field' },
    {
      name: 'record_time',
      type: 'timestamp',
      description: 'time',
      derive: { kind: 'iso8601-timestamp', from: 'time' },
    },
  ],
  format: {
    kind: 'regex',
    pattern: '^([^ ]*) ([^ ]*):([0-9]*) "((?:[^"\\\\]|\\\\.)*)" ([^ ]*)(?: ([^ ]*))?$',
    groups: [
      { column: 'time' },
      { column: 'client_ip' },
      { column: 'client_port' },
      { column: 'request' },
      { column: 'bytes' },
      { column: 'extra' },
    ],
    nullToken: '-',
  },
  layouts: [],
  clusterBy: ['client_ip'],
};

const jsonSource: LogSource = {
  name: 'cloudtrail',
  title: 'test JSON source',
  reference: 'test',
  columns: [
    { name: 'eventtime', type: 'string', description: 'time' },
    { name: 'eventname', type: 'string', description: 'name' },
    {
      name: 'useridentity',
      type: {
        struct: [
          { name: 'type', type: 'string' },
          { name: 'arn', type: 'string' },
          {
            name: 'sessioncontext',
            key: 'sessionContext',
            type: { struct: [{ name: 'mfaauthenticated', key: 'mfaAuthenticated', type: 'string' }] },
          },
        ],
      },
      description: 'who',
    },
    {
      name: 'resources',
      type: { array: { struct: [{ name: 'arn', key: 'ARN', type: 'string' }] } },
      description: 'resources',
    },
    { name: 'requestparameters', type: 'string', description: 'JSON text' },
    { name: 'readonly', type: 'boolean', description: 'read only' },
    {
      name: 'record_time',
      type: 'timestamp',
      description: 't',
      derive: { kind: 'iso8601-timestamp', from: 'eventtime' },
    },
  ],
  format: {
    kind: 'json-records',
    recordsKey: 'Records',
    fields: [
      { column: 'eventtime', key: 'eventTime' },
      { column: 'eventname', key: 'eventName' },
      { column: 'useridentity', key: 'userIdentity' },
      { column: 'resources', key: 'resources' },
      { column: 'requestparameters', key: 'requestParameters', asJsonText: true },
      { column: 'readonly', key: 'readOnly' },
    ],
    requiredKeys: ['eventTime'],
  },
  layouts: [],
  clusterBy: ['eventname'],
};

const tsvSource: LogSource = {
  name: 'cloudfront',
  title: 'test TSV source',
  reference: 'test',
  columns: [
    { name: 'date', type: 'date', description: 'd' },
    { name: 'time', type: 'string', description: 't' },
    { name: 'status', type: 'int', description: 's' },
    { name: 'uri', type: 'string', description: 'u' },
    {
      name: 'record_time',
      type: 'timestamp',
      description: 'r',
      derive: { kind: 'date-and-time', from: 'date', time: 'time' },
    },
  ],
  format: {
    kind: 'header-delimited',
    delimiter: '\t',
    nullToken: '-',
    fields: [
      { header: 'date', name: 'date', type: 'date', description: 'd' },
      { header: 'time', name: 'time', type: 'string', description: 't' },
      { header: 'sc-status', name: 'status', type: 'int', description: 's' },
      { header: 'cs-uri-stem', name: 'uri', type: 'string', description: 'u' },
    ],
    header: { kind: 'comment-directive', commentPrefix: '#', directive: '#Fields:' },
  },
  layouts: [],
  clusterBy: [],
};

describe('DuckDB engine: formats parsed line by line in SQL', () => {
  const suite = engineSuite('lines-');

  it('turns every line into a typed row or a reject with its line number and reason, never a row of NULLs', async () => {
    const lines = [
      '2024-01-05T10:00:00.123456Z 10.0.0.1:443 "GET /a?q=\\"x y\\" HTTP/1.1" 512 0.5',
      'garbage that matches nothing',
      '',
      '2024-01-05T10:00:01Z 2001:db8::1:8080 "- - -" - ',
      '2024-01-05T10:00:02Z 10.0.0.2:80 "GET / HTTP/1.1" 12.5',
      'garbage that matches nothing',
      '2024-01-05T10:00:03Z 10.0.0.3:80 "GET / HTTP/1.1" 7',
      'not-a-time 10.0.0.4:80 "GET / HTTP/1.1" 7',
      '2024-01-05T10:00:04Z 10.0.0.5:80 "GET / HTTP/1.1" 99999999999999999999',
    ];
    const { result, output } = await suite.harness.convert(
      [
        { key: 'a.log', content: `${lines.join('\n')}\n` },
        { key: 'b.log.gz', content: gzipSync('2024-01-05T11:00:00Z 10.0.0.9:1 "PUT /b HTTP/2.0" 1 2\n') },
      ],
      PARTITION,
      regexSource,
    );

    expect(result).toMatchObject({ rowsIn: 9, rowsOut: 4, rowsRejected: 5, blankLines: 1 });
    expect(result.rejects.map(({ key, line, reason }) => ({ key, line, reason }))).toEqual([
      { key: 'a.log', line: 2, reason: 'line does not match the alb format' },
      { key: 'a.log', line: 5, reason: 'field bytes: "12.5" is not a bigint' },
      { key: 'a.log', line: 6, reason: 'line does not match the alb format' },
      { key: 'a.log', line: 8, reason: 'field time: "not-a-time" is not a valid iso8601 timestamp' },
      { key: 'a.log', line: 9, reason: 'field bytes: "99999999999999999999" is not a bigint' },
    ]);
    const rows = await suite.reader.parquetRows(output, 'time');
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({
      time: '2024-01-05T10:00:00.123456Z',
      client_ip: '10.0.0.1',
      client_port: 443,
      request: 'GET /a?q=\\"x y\\" HTTP/1.1',
      bytes: 512n,
      extra: 0.5,
    });
    expect((rows[0]?.record_time as Date).toISOString()).toBe('2024-01-05T10:00:00.123Z');
    // `-` and an empty optional group are NULL; IPv6 with a port splits at the last colon.
    expect(rows[1]).toMatchObject({
      client_ip: '2001:db8::1',
      client_port: 8080,
      request: '- - -',
      bytes: null,
    });
    expect(rows[3]).toMatchObject({ request: 'PUT /b HTTP/2.0', bytes: 1n, extra: 2 });
  });

  it("quarantines lines that are not valid UTF-8 or hold the reader's delimiter byte, and converts the rest", async () => {
    const good = '2024-01-05T10:00:00Z 10.0.0.1:443 "GET / HTTP/1.1" 5';
    const content = Buffer.concat([
      Buffer.from(`${good}\n`),
      Buffer.from('2024-01-05T10:00:00Z 10.0.0.1:443 "GET /'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(` HTTP/1.1" 5\n${good.replace('GET', 'G\u001fET')}\n${good}\n`),
    ]);

    const { result } = await suite.harness.convert([{ key: 'bytes.log', content }], PARTITION, regexSource);

    expect(result).toMatchObject({ rowsIn: 4, rowsOut: 2, rowsRejected: 2 });
    expect(result.rejects.map(({ line, reason }) => [line, reason])).toEqual([
      [2, 'line is not valid UTF-8'],
      [3, 'line contains the control byte 0x1f'],
    ]);
  });

  it('reads JSON records with nested structs, arrays of structs and JSON text; bad documents are quarantined', async () => {
    const records = {
      Records: [
        {
          eventTime: '2024-01-05T01:02:03Z',
          eventName: 'GetObject',
          readOnly: true,
          userIdentity: {
            type: 'AssumedRole',
            arn: 'arn:aws:sts::1:assumed-role/r/s',
            sessionContext: { mfaAuthenticated: 'false' },
          },
          resources: [{ ARN: 'arn:aws:s3:::b/k' }, { ARN: 'arn:aws:s3:::b' }],
          requestParameters: { bucketName: 'b', key: 'k' },
        },
        { eventName: 'NoTime' },
        'not an object',
        { eventTime: '2024-01-05T01:02:04Z', eventName: 'ConsoleLogin', requestParameters: null },
      ],
    };
    const { result, output } = await suite.harness.convert(
      [
        { key: 'ct.json.gz', content: gzipSync(JSON.stringify(records)) },
        { key: 'empty.json.gz', content: gzipSync('{"Records":[]}') },
        { key: 'broken.json', content: '{"Records": [' },
        { key: 'digest.json', content: '{"awsAccountId":"1"}' },
      ],
      PARTITION,
      jsonSource,
    );

    expect(result).toMatchObject({ rowsIn: 6, rowsOut: 2, rowsRejected: 4 });
    expect(
      result.rejects.map(({ key, line, reason }) => ({ key, line, reason: reason.slice(0, 40) })),
    ).toEqual([
      { key: 'broken.json', line: 1, reason: expect.stringMatching(/^not a JSON document/) as string },
      { key: 'ct.json.gz', line: 2, reason: 'record has no "eventTime"' },
      { key: 'ct.json.gz', line: 3, reason: 'record is not a JSON object' },
      { key: 'digest.json', line: 1, reason: 'JSON document without a "Records" array' },
    ]);
    const rows = await suite.reader.parquetRows(output, 'eventtime');
    expect(rows[0]).toMatchObject({
      eventname: 'GetObject',
      readonly: true,
      useridentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::1:assumed-role/r/s',
        sessioncontext: { mfaauthenticated: 'false' },
      },
      resources: [{ arn: 'arn:aws:s3:::b/k' }, { arn: 'arn:aws:s3:::b' }],
    });
    expect(JSON.parse(String(rows[0]?.requestparameters))).toEqual({ bucketName: 'b', key: 'k' });
    expect(rows[1]).toMatchObject({
      eventname: 'ConsoleLogin',
      useridentity: null,
      resources: null,
      requestparameters: null,
    });
  });

  it('takes the field list of tab-separated files from their #Fields directive, older files with fewer fields', async () => {
    const newer = [
      '#Version: 1.0',
      '#Fields: date time sc-status cs-uri-stem',
      '2024-01-05\t01:02:03\t200\t/index.html',
      '2024-01-05\t01:02:04\tabc\t/x',
      '2024-01-05\t01:02:05\t200',
    ];
    const older = ['#Version: 1.0', '#Fields: date time cs-uri-stem', '2024-01-05\t25:99:00\t/old'];
    const { result, output } = await suite.harness.convert(
      [
        { key: 'E1.2024-01-05-01.a.gz', content: gzipSync(`${newer.join('\n')}\n`) },
        { key: 'E1.2024-01-05-02.b.gz', content: gzipSync(`${older.join('\n')}\n`) },
      ],
      PARTITION,
      tsvSource,
    );

    expect(result).toMatchObject({ rowsIn: 4, rowsOut: 2, rowsRejected: 2 });
    expect(result.rejects.map(({ key, line, reason }) => ({ key, line, reason }))).toEqual([
      { key: 'E1.2024-01-05-01.a.gz', line: 4, reason: 'field status: "abc" is not an int' },
      {
        key: 'E1.2024-01-05-02.b.gz',
        line: 3,
        reason: 'field date + time: "2024-01-05 25:99:00" is not a valid date and time',
      },
    ]);
    const rows = await suite.reader.parquetRows(output, 'time');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ status: 200, uri: '/index.html', time: '01:02:03' });
    // A record shorter than its #Fields line: the missing trailing fields are NULL, as other readers read it.
    expect(rows[1]).toMatchObject({ status: 200, uri: null, time: '01:02:05' });
    expect((rows[0]?.record_time as Date).toISOString()).toBe('2024-01-05T01:02:03.000Z');
  });
});

describe('DuckDB engine: flow logs delivered as Parquet', () => {
  const suite = engineSuite('parquet-delivery-');

  it('re-partitions Parquet objects beside text ones, rejecting rows whose region differs from the key', async () => {
    const delivered = join(suite.dir, 'delivered.parquet');
    await suite.reader.rows(
      `COPY (SELECT * FROM (VALUES
         (5, '012345678901', 'eni-1', '10.0.0.1', '10.0.0.2', 443, 5000, 6, 10, 840, 1704412800, 1704412860, 'ACCEPT', 'OK', 'us-east-1', 'ingress'),
         (5, '012345678901', 'eni-1', '10.0.0.3', '10.0.0.4', 22, 5001, 6, 1, 40, 1704412800, 1704412860, 'REJECT', 'OK', 'eu-west-1', 'egress'))
       AS t(version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, "end", action, log_status, region, flow_direction))
       TO '${delivered}' (FORMAT parquet, COMPRESSION gzip)`,
    );
    const { result, output } = await suite.harness.convert([
      { key: rawKey('a.log.parquet'), content: await readFile(delivered) },
      { key: rawKey('b.log.gz'), content: gzipSync(`${V2_HEADER}\n${v2Line()}\n`) },
    ]);

    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 2, rowsRejected: 1 });
    expect(result.rejects).toEqual([
      {
        key: rawKey('a.log.parquet'),
        line: 2,
        reason: 'region field "eu-west-1" differs from the region of the object\'s key (us-east-1)',
        text: 'region=eu-west-1',
      },
    ]);
    const rows = await suite.reader.parquetRows(output, 'srcaddr');
    expect(rows[0]).toMatchObject({
      srcaddr: '10.0.0.1',
      dstport: 5000,
      bytes: 840n,
      flow_direction: 'ingress',
    });
    expect(rows).toHaveLength(2);
  });
});
