import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { PartitionRef } from '../../shared/engines/types.js';
import { cloudfront } from '../../shared/sources/cloudfront.js';
import { matchKey, PARTITION_COLUMNS, type Column, type KeyMatch } from '../../shared/sources/index.js';
import { quoteLiteral } from '../../shared/sql/identifiers.js';
import type { RawFile } from '../fixtures/engine-harness.js';
import { engineSuite } from '../fixtures/engine-suite.js';

/**
 * The `#Fields:` directive of today's files, as printed in the example log file of the CloudFront
 * developer guide: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html#BasicDistributionFileFormat
 */
const DOC_FIELDS =
  'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';

/**
 * Columns and types of the Athena user guide's `cloudfront_logs` table
 * (https://docs.aws.amazon.com/athena/latest/ug/cloudfront-logs.html), in DuckDB's spelling,
 * then our typed record_time.
 */
const PARQUET_SCHEMA: [string, string][] = [
  ['date', 'DATE'],
  ['time', 'VARCHAR'],
  ['location', 'VARCHAR'],
  ['bytes', 'BIGINT'],
  ['request_ip', 'VARCHAR'],
  ['method', 'VARCHAR'],
  ['host', 'VARCHAR'],
  ['uri', 'VARCHAR'],
  ['status', 'INTEGER'],
  ['referrer', 'VARCHAR'],
  ['user_agent', 'VARCHAR'],
  ['query_string', 'VARCHAR'],
  ['cookie', 'VARCHAR'],
  ['result_type', 'VARCHAR'],
  ['request_id', 'VARCHAR'],
  ['host_header', 'VARCHAR'],
  ['request_protocol', 'VARCHAR'],
  ['request_bytes', 'BIGINT'],
  ['time_taken', 'DOUBLE'],
  ['xforwarded_for', 'VARCHAR'],
  ['ssl_protocol', 'VARCHAR'],
  ['ssl_cipher', 'VARCHAR'],
  ['response_result_type', 'VARCHAR'],
  ['http_version', 'VARCHAR'],
  ['fle_status', 'VARCHAR'],
  ['fle_encrypted_fields', 'INTEGER'],
  ['c_port', 'INTEGER'],
  ['time_to_first_byte', 'DOUBLE'],
  ['x_edge_detailed_result_type', 'VARCHAR'],
  ['sc_content_type', 'VARCHAR'],
  ['sc_content_len', 'BIGINT'],
  ['sc_range_start', 'BIGINT'],
  ['sc_range_end', 'BIGINT'],
  ['record_time', 'TIMESTAMP'],
];

const ATHENA_TYPES: Record<string, string> = {
  DATE: 'date',
  VARCHAR: 'string',
  BIGINT: 'bigint',
  INTEGER: 'int',
  DOUBLE: 'double',
  TIMESTAMP: 'timestamp',
};

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'logs', 'cloudfront');
const ACCOUNT = '123456789012';
const DISTRIBUTION = 'EMLARXS9EXAMPLE';

function partitionOf(date: string): PartitionRef {
  return { account: ACCOUNT, region: 'global', date };
}

/** A fixture as AWS delivers it: gzip, under a key of the CloudFront layout. */
async function fixture(name: string, date: string, hour = '12'): Promise<RawFile> {
  const text = await readFile(join(FIXTURES, name));
  return {
    key: `cf-logs/${DISTRIBUTION}.${date}-${hour}.${name.replace(/\W/g, '')}.gz`,
    content: gzipSync(text),
  };
}

describe('cloudfront source declaration', () => {
  it("declares the developer guide's 33 fields in the order of the #Fields directive", () => {
    // Prepare
    const format = cloudfront.format;
    // Act
    const headers = format.fields.map((field) => field.header);
    // Assess
    expect(headers).toEqual(DOC_FIELDS.split(' '));
    expect(format).toMatchObject({
      kind: 'header-delimited',
      delimiter: '\t',
      nullToken: '-',
      header: { kind: 'comment-directive', commentPrefix: '#', directive: '#Fields:' },
    });
  });

  it("keeps the Athena table's column names and types, then the typed record_time", () => {
    const columns = cloudfront.columns.map((column) => [column.name, column.type]);

    expect(columns).toEqual(PARQUET_SCHEMA.map(([name, type]) => [name, ATHENA_TYPES[type]]));
  });

  it('derives record_time from the date and time columns, and gives every column a description', () => {
    const columns: readonly Column[] = cloudfront.columns;
    const recordTime = columns.find((column) => column.name === 'record_time');
    const names = cloudfront.columns.map((column) => column.name);

    expect(recordTime?.derive).toEqual({ kind: 'date-and-time', from: 'date', time: 'time' });
    expect(cloudfront.columns.every((column) => column.description.length > 10)).toBe(true);
    expect(names.every((name) => /^[a-z][a-z0-9_]*$/.test(name))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((name) => (PARTITION_COLUMNS as readonly string[]).includes(name))).toEqual([]);
    expect(cloudfront.clusterBy.every((name) => names.includes(name))).toBe(true);
  });
});

describe('matchKey(cloudfront)', () => {
  const day = (date: string): KeyMatch => ({
    layout: 'distribution-file',
    account: ACCOUNT,
    region: 'global',
    date,
  });

  it.each<[string, string, KeyMatch]>([
    ['no prefix', 'E2QWRUHAPOMQZL.2019-11-14-20.RT4KCN4SGK9.gz', day('2019-11-14')],
    // The example of the developer guide's "File name format".
    ['prefix folder', 'example-prefix/EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9.gz', day('2019-11-14')],
    ['several folders', 'logs/cdn/prod/E1ABCDEF234567.2024-02-29-00.a1b2c3d4.gz', day('2024-02-29')],
    [
      'prefix text glued to the ID',
      'cf-logs/myprefix-E1ABCDEF234567.2023-12-31-23.3cf2c5e8.gz',
      day('2023-12-31'),
    ],
    ['prefix text without folders', 'siteE1ABCDEF234567.2024-07-01-05.0a1b2c3d.gz', day('2024-07-01')],
    ['decompressed copy', 'cloudfront/E1ABCDEF234567.2024-07-01-05.0a1b2c3d', day('2024-07-01')],
  ])('%s', (_label, key, expected) => {
    // Act: the account comes from configuration, the region is CloudFront's own.
    const match = matchKey(cloudfront, key, { account: ACCOUNT });
    // Assess
    expect(match).toEqual(expected);
  });

  it('names the account "unknown" when no configuration gives one, and the region "global" always', () => {
    const match = matchKey(cloudfront, 'E2QWRUHAPOMQZL.2019-11-14-20.RT4KCN4SGK9.gz', {
      region: 'eu-west-1',
    });

    expect(match).toMatchObject({ account: 'unknown', region: 'global' });
  });

  it.each<[string, string]>([
    ['no such day', 'E2QWRUHAPOMQZL.2019-02-30-20.RT4KCN4SGK9.gz'],
    ['hour 24', 'E2QWRUHAPOMQZL.2019-11-14-24.RT4KCN4SGK9.gz'],
    ['no hour', 'E2QWRUHAPOMQZL.2019-11-14.RT4KCN4SGK9.gz'],
    ['lower-case distribution ID', 'e2qwruhapomqzl.2019-11-14-20.RT4KCN4SGK9.gz'],
    ['another suffix', 'E2QWRUHAPOMQZL.2019-11-14-20.RT4KCN4SGK9.log.gz'],
    [
      'a VPC flow log',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/05/123456789012_vpcflowlogs_us-east-1_fl-0abc_20240105T0010Z_1a2b.log.gz',
    ],
    ['an S3 access log', 'logs/2024-01-05-10-20-30-ABCDEF0123456789'],
  ])('matches no key of another shape: %s', (_label, key) => {
    expect(matchKey(cloudfront, key, { account: ACCOUNT })).toBeUndefined();
  });
});

describe('cloudfront through the embedded engine', () => {
  const suite = engineSuite('cloudfront-source');

  /** Rows of a converted file with readable date, time and float values. */
  function rowsOf(
    output: string,
    columns: string,
    orderBy = 'request_id',
  ): Promise<Record<string, unknown>[]> {
    return suite.reader.rows(
      `SELECT ${columns} FROM read_parquet(${quoteLiteral(output)}) ORDER BY ${orderBy}`,
    );
  }

  it('converts the developer guide example exactly, the record with a trailing tab included', async () => {
    // Prepare: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html (example log file)
    const file = await fixture('aws-doc-example.log', '2019-12-13', '22');

    // Act
    const { result, output } = await suite.harness.convert([file], partitionOf('2019-12-13'), cloudfront);

    // Assess: 6 records; the two comment lines are neither rows nor rejects.
    expect(result).toMatchObject({ rowsIn: 6, rowsOut: 6, rowsRejected: 0, rejects: [] });
    expect([...(await suite.reader.parquetSchema(output)).entries()]).toEqual(PARQUET_SCHEMA);
    const [first] = await suite.reader.parquetRows(output, 'record_time, request_id');
    expect(first).toEqual({
      date: new Date('2019-12-04T00:00:00Z'),
      time: '21:02:31',
      location: 'LAX1',
      bytes: 392n,
      request_ip: '192.0.2.100',
      method: 'GET',
      host: 'd111111abcdef8.cloudfront.net',
      uri: '/index.html',
      status: 200,
      referrer: null,
      user_agent:
        'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36',
      query_string: null,
      cookie: null,
      result_type: 'Hit',
      request_id: 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
      host_header: 'd111111abcdef8.cloudfront.net',
      request_protocol: 'https',
      request_bytes: 23n,
      time_taken: 0.001,
      xforwarded_for: null,
      ssl_protocol: 'TLSv1.2',
      ssl_cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
      response_result_type: 'Hit',
      http_version: 'HTTP/2.0',
      fle_status: null,
      fle_encrypted_fields: null,
      c_port: 11040,
      time_to_first_byte: 0.001,
      x_edge_detailed_result_type: 'Hit',
      sc_content_type: 'text/html',
      sc_content_len: 78n,
      sc_range_start: null,
      sc_range_end: null,
      record_time: new Date('2019-12-04T21:02:31Z'),
    });
    expect(
      await rowsOf(
        output,
        "request_id, location, status, referrer, host_header, request_protocol, ssl_protocol, x_edge_detailed_result_type, c_port, round(time_taken::DOUBLE, 3) AS time_taken, strftime(record_time, '%Y-%m-%d %H:%M:%S') AS at",
        'record_time, request_id',
      ),
    ).toEqual([
      expect.objectContaining({ request_id: 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==' }),
      // The record the guide prints with a trailing tab.
      expect.objectContaining({
        request_id: 'f37nTMVvnKvV2ZSvEsivup_c2kZ7VXzYdjC-GUQZ5qNs-89BlWazbw==',
        c_port: 11040,
        x_edge_detailed_result_type: 'Hit',
      }),
      expect.objectContaining({
        request_id: 'k6WGMNkEzR5BEM_SaF47gjtX9zBDO2m349OY2an0QPEaUum1ZOLrow==',
        time_taken: 0,
      }),
      {
        request_id: '3AqrZGCnF_g0-5KOvfA7c9XLcf4YGvMFSeFdIetR1N_2y8jSis8Zxg==',
        location: 'SEA19-C1',
        status: 502,
        referrer: null,
        host_header: 'www.example.com',
        request_protocol: 'http',
        ssl_protocol: null,
        x_edge_detailed_result_type: 'OriginDnsError',
        c_port: 3802,
        time_taken: 0.107,
        at: '2019-12-13 22:36:26',
      },
      {
        request_id: '1pkpNfBQ39sYMnjjUQjmH2w1wdJnbHYTbag21o_3OfcQgPzdL2RSSQ==',
        location: 'SEA19-C1',
        status: 502,
        referrer: 'http://www.example.com/',
        host_header: 'www.example.com',
        request_protocol: 'http',
        ssl_protocol: null,
        x_edge_detailed_result_type: 'OriginDnsError',
        c_port: 25260,
        time_taken: 0.102,
        at: '2019-12-13 22:36:27',
      },
      expect.objectContaining({
        request_id: 'kBkDzGnceVtWHqSCqBUqtA_cEs2T3tFUBbnBNkB9El_uVRhHgcZfcw==',
        c_port: 12644,
      }),
    ]);
  });

  it('keeps IPv6 viewers, 000 statuses, ranges, quotes, encoded text, WebSockets and 64-bit sizes as delivered', async () => {
    const file = await fixture('edge-cases.log', '2026-06-15');

    const { result, output } = await suite.harness.convert([file], partitionOf('2026-06-15'), cloudfront);

    expect(result).toMatchObject({ rowsIn: 8, rowsOut: 8, rowsRejected: 0, rejects: [] });
    const rows = await rowsOf(
      output,
      "request_id, request_ip, method, uri, status, bytes, referrer, user_agent, query_string, cookie, result_type, response_result_type, x_edge_detailed_result_type, request_protocol, xforwarded_for, ssl_protocol, http_version, fle_status, fle_encrypted_fields, round(time_taken::DOUBLE, 3) AS time_taken, sc_content_type, sc_content_len, sc_range_start, sc_range_end, strftime(record_time, '%Y-%m-%d %H:%M:%S') AS at",
      'record_time',
    );
    expect(rows.map((row) => row.at)).toEqual([
      '2026-06-15 00:00:00',
      '2026-06-15 01:02:03',
      '2026-06-15 02:30:45',
      '2026-06-15 03:00:01',
      '2026-06-15 04:15:00',
      '2026-06-15 05:05:05',
      '2026-06-15 06:59:59',
      '2026-06-15 23:59:59',
    ]);
    const [ipv6, gone, proxied, quoted, socket, bare, capacity, large] = rows;
    expect(ipv6).toMatchObject({
      request_ip: '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
      status: 206,
      http_version: 'HTTP/3.0',
      sc_content_len: 1048576n,
      sc_range_start: 0n,
      sc_range_end: 1048575n,
    });
    expect(gone).toMatchObject({
      request_ip: '::ffff:198.51.100.7',
      status: 0,
      bytes: 0n,
      result_type: 'Error',
      response_result_type: 'Hit',
      x_edge_detailed_result_type: 'ClientCommError',
      sc_content_type: null,
      sc_content_len: null,
    });
    expect(proxied).toMatchObject({
      method: 'POST',
      xforwarded_for: '203.0.113.9, 192.0.2.44',
      query_string: 'q=caf%C3%A9&lang=fr',
      cookie: 'session=abc123;%20theme=dark',
      fle_status: 'Processed',
      fle_encrypted_fields: 3,
      time_taken: 0.345,
      sc_content_type: 'application/json;charset=UTF-8',
    });
    expect(quoted).toMatchObject({
      uri: '/search/%22quoted%22/a%5Cb',
      user_agent: 'Mozilla/5.0%20"quoted"%20\\"escaped\\"',
      referrer: 'https://www.example.com/?a=%22b%22',
      status: 404,
    });
    expect(socket).toMatchObject({ request_protocol: 'wss', status: 101, time_taken: 35.872 });
    expect(bare).toMatchObject({
      user_agent: null,
      referrer: null,
      query_string: null,
      cookie: null,
      xforwarded_for: null,
      ssl_protocol: null,
      fle_status: null,
      fle_encrypted_fields: null,
      sc_content_type: null,
      sc_content_len: null,
      status: 301,
      result_type: 'Redirect',
    });
    expect(capacity).toMatchObject({ status: 503, result_type: 'CapacityExceeded' });
    expect(large).toMatchObject({
      bytes: 5368709520n,
      sc_content_len: 5368709120n,
      result_type: 'OriginShieldHit',
    });
  });

  it('reads older files by their own shorter #Fields lists; fields they lack are NULL', async () => {
    const files = [
      await fixture('fields-19.log', '2026-06-15', '07'),
      await fixture('fields-24.log', '2026-06-15', '08'),
    ];

    const { result, output } = await suite.harness.convert(files, partitionOf('2026-06-15'), cloudfront);

    expect(result).toMatchObject({ rowsIn: 2, rowsOut: 2, rowsRejected: 0 });
    // Whether the file stores a column none of its objects had is the engine's choice: either
    // way a reader sees NULL there.
    const stored = await suite.reader.parquetRows(output, 'record_time');
    expect(stored.map((row) => [row.c_port ?? null, row.sc_content_len ?? null])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(
      await rowsOf(
        output,
        "request_ip, uri, bytes, result_type, round(time_taken::DOUBLE, 3) AS time_taken, xforwarded_for, http_version, strftime(record_time, '%Y-%m-%d %H:%M:%S') AS at",
        'record_time',
      ),
    ).toEqual([
      {
        request_ip: '203.0.113.77',
        uri: '/img/logo.png',
        bytes: 4082n,
        result_type: 'Hit',
        time_taken: 0.004,
        xforwarded_for: null,
        http_version: null,
        at: '2026-06-15 07:10:00',
      },
      {
        request_ip: '2001:db8::1',
        uri: '/index.html',
        bytes: 1000n,
        result_type: 'Miss',
        time_taken: 0.12,
        xforwarded_for: null,
        http_version: 'HTTP/1.1',
        at: '2026-06-15 08:20:00',
      },
    ]);
  });

  /*
   * Records that do not have exactly the fields their directive names. Our decision, as other
   * parsers do (Elastic's CloudFront pipeline reads the csv leniently): a record with MORE fields
   * (AWS appending a field before the directive says so) keeps its known fields and the extra
   * values are dropped; a record with FEWER fields reads the missing trailing fields as NULL.
   * Fields the directive names but we do not know (standard logging v2 lets users add c-country,
   * asn, …) are read and dropped, never a reason to fail the partition.
   */
  it('keeps the known fields of a record with more or fewer fields than its directive', async () => {
    const file = await fixture('irregular-records.log', '2026-06-15', '09');

    const { result, output } = await suite.harness.convert([file], partitionOf('2026-06-15'), cloudfront);

    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 3, rowsRejected: 0 });
    expect(
      await rowsOf(
        output,
        'request_id, time, c_port, x_edge_detailed_result_type, sc_content_type, sc_content_len, sc_range_end',
      ),
    ).toEqual([
      {
        request_id: 'irr1RqId_kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk==',
        time: '09:00:00',
        c_port: 50000,
        x_edge_detailed_result_type: 'Hit',
        sc_content_type: 'text/html',
        sc_content_len: null,
        sc_range_end: null,
      },
      {
        request_id: 'irr2RqId_llllllllllllllllllllllllllllllllllllllllllllll==',
        time: '09:00:01',
        c_port: 50000,
        x_edge_detailed_result_type: 'Hit',
        sc_content_type: 'text/html',
        sc_content_len: 700n,
        sc_range_end: null,
      },
      {
        request_id: 'irr3RqId_mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm==',
        time: '09:00:02',
        c_port: 50000,
        x_edge_detailed_result_type: 'Hit',
        sc_content_type: 'text/html',
        sc_content_len: 700n,
        sc_range_end: null,
      },
    ]);
  });

  it('reads a directive that names fields this version does not know, dropping them', async () => {
    const file = await fixture('unknown-fields.log', '2026-06-15', '10');

    const { result, output } = await suite.harness.convert([file], partitionOf('2026-06-15'), cloudfront);

    expect(result).toMatchObject({ rowsIn: 1, rowsOut: 1, rowsRejected: 0 });
    expect([...(await suite.reader.parquetSchema(output)).keys()]).not.toContain('c_country');
    expect(await rowsOf(output, 'status, referrer, sc_range_end, request_id')).toEqual([
      {
        status: 200,
        referrer: null,
        sc_range_end: null,
        request_id: 'unk1RqId_nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn==',
      },
    ]);
  });

  it('keeps long records whole: a 12 KiB cookie and query string, with and without unknown fields', async () => {
    // Prepare: the last record of each fixture with long header values (cookies reach KiBs).
    const cookie = `session=${'c'.repeat(6000)};%20theme=dark`;
    const query = `token=${'q'.repeat(6000)}`;
    const longer = async (name: string, hour: string): Promise<RawFile> => {
      const lines = (await readFile(join(FIXTURES, name), 'utf8')).trimEnd().split('\n');
      const fields = (lines[1] ?? '').replace('#Fields: ', '').split(' ');
      const values = (lines.at(-1) ?? '').split('\t');
      values[fields.indexOf('cs(Cookie)')] = cookie;
      values[fields.indexOf('cs-uri-query')] = query;
      const text = [...lines.slice(0, 2), values.join('\t')].join('\n');
      return { key: `${DISTRIBUTION}.2026-06-15-${hour}.long.gz`, content: gzipSync(`${text}\n`) };
    };
    const files = [await longer('edge-cases.log', '13'), await longer('unknown-fields.log', '14')];

    // Act
    const { result, output } = await suite.harness.convert(files, partitionOf('2026-06-15'), cloudfront);

    // Assess
    expect(result).toMatchObject({ rowsIn: 2, rowsOut: 2, rowsRejected: 0, rejects: [] });
    expect(
      await rowsOf(
        output,
        'length(cookie)::INTEGER AS cookie, length(query_string)::INTEGER AS query, status',
        'record_time',
      ),
    ).toEqual([
      { cookie: cookie.length, query: query.length, status: 200 },
      { cookie: cookie.length, query: query.length, status: 200 },
    ]);
  });

  it('rejects a record whose typed field does not convert, naming the line', async () => {
    const header = `#Version: 1.0\n#Fields: ${DOC_FIELDS}\n`;
    const good = (await readFile(join(FIXTURES, 'edge-cases.log'), 'utf8')).split('\n')[2] ?? '';
    const bad = good.replace('\t206\t', '\tOK\t');
    const file: RawFile = {
      key: `${DISTRIBUTION}.2026-06-15-11.bad.gz`,
      content: gzipSync(`${header}${good}\n${bad}\n`),
    };

    const { result } = await suite.harness.convert([file], partitionOf('2026-06-15'), cloudfront);

    expect(result).toMatchObject({ rowsIn: 2, rowsOut: 1, rowsRejected: 1 });
    expect(result.rejects[0]).toMatchObject({ key: file.key, line: 4 });
  });
});
