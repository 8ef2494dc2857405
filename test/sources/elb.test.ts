import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELB_QUERIES } from '../../shared/queries/elb.js';
import { alb } from '../../shared/sources/alb.js';
import { elb } from '../../shared/sources/elb.js';
import { matchKey, type KeyMatch } from '../../shared/sources/index.js';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import {
  expectOneGroupPerDeliveredColumn,
  expectPortablePattern,
  expectRe2AgreesWithJs,
  fixtureLine,
  fixtureLines,
  parseLine,
  recordOf,
  unconvertible,
} from '../fixtures/regex-records.js';
import {
  createConvertedTable,
  duckdbQueries,
  expectColumnsWellNamed,
  tryCastTimestamps,
} from '../fixtures/source-checks.js';

/*
 * Fixtures: test/fixtures/logs/elb/ (README.md there says where each line comes from).
 * - aws-doc-examples.log: the ELB reference's HTTP, HTTPS, TCP and SSL example entries,
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html#access-log-entry-examples
 * - edge-cases.log: entries of real-world shapes; rejects.log: entries the engine must reject.
 */
const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'logs', 'elb');
const lines = (file: string) => fixtureLines(FIXTURES, file);
const line = (file: string, index: number) => fixtureLine(FIXTURES, file, index);
const record = (file: string, index: number) => recordOf(elb, line(file, index));

describe('elb source declaration', () => {
  it("keeps the Athena user guide's column names and types, then record_time", () => {
    expect(elb.columns.map((column) => [column.name, column.type])).toEqual([
      ['request_timestamp', 'string'],
      ['elb_name', 'string'],
      ['request_ip', 'string'],
      ['request_port', 'int'],
      ['backend_ip', 'string'],
      ['backend_port', 'int'],
      ['request_processing_time', 'double'],
      ['backend_processing_time', 'double'],
      ['client_response_time', 'double'],
      ['elb_response_code', 'string'],
      ['backend_response_code', 'string'],
      ['received_bytes', 'bigint'],
      ['sent_bytes', 'bigint'],
      ['request_verb', 'string'],
      ['url', 'string'],
      ['protocol', 'string'],
      ['user_agent', 'string'],
      ['ssl_cipher', 'string'],
      ['ssl_protocol', 'string'],
      ['record_time', 'timestamp'],
    ]);
    expect(elb.columns.at(-1)).toMatchObject({
      derive: { kind: 'iso8601-timestamp', from: 'request_timestamp' },
    });
  });

  it('names every column validly, once, never as a partition column, and describes it', () => {
    expectColumnsWellNamed(elb);
  });

  it('has one capturing group per delivered column, in column order, in a portable anchored pattern', () => {
    expectOneGroupPerDeliveredColumn(elb);
    expectPortablePattern(elb);
  });

  it("clusters by backend_ip and backend_response_code, which the guide's questions use", () => {
    expect(elb.clusterBy).toEqual(['backend_ip', 'backend_response_code']);
  });
});

describe('elb entries (JavaScript)', () => {
  it('reads every field of the HTTP documentation example', () => {
    expect(record('aws-doc-examples.log', 0)).toEqual({
      request_timestamp: '2015-05-13T23:39:43.945958Z',
      elb_name: 'my-loadbalancer',
      request_ip: '192.168.131.39',
      request_port: '2817',
      backend_ip: '10.0.0.1',
      backend_port: '80',
      request_processing_time: '0.000073',
      backend_processing_time: '0.001048',
      client_response_time: '0.000057',
      elb_response_code: '200',
      backend_response_code: '200',
      received_bytes: '0',
      sent_bytes: '29',
      request_verb: 'GET',
      url: 'http://www.example.com:80/',
      protocol: 'HTTP/1.1',
      user_agent: 'curl/7.38.0',
      ssl_cipher: null,
      ssl_protocol: null,
    });
  });

  it('reads the HTTPS documentation example with its TLS fields', () => {
    expect(record('aws-doc-examples.log', 1)).toMatchObject({
      client_response_time: '0.001337',
      sent_bytes: '57',
      url: 'https://www.example.com:443/',
      ssl_cipher: 'DHE-RSA-AES128-SHA',
      ssl_protocol: 'TLSv1.2',
    });
  });

  it.each<[string, number, Record<string, string | null>]>([
    ['TCP', 2, { ssl_cipher: null, ssl_protocol: null, received_bytes: '82', sent_bytes: '305' }],
    [
      'SSL',
      3,
      { ssl_cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', ssl_protocol: 'TLSv1.2', received_bytes: '57' },
    ],
  ])('reads the %s documentation example: no status codes, a "- - - " request', (_label, index, expected) => {
    expect(record('aws-doc-examples.log', index)).toMatchObject({
      backend_ip: '10.0.0.1',
      elb_response_code: null,
      backend_response_code: null,
      request_verb: null,
      url: null,
      protocol: null,
      user_agent: null,
      ...expected,
    });
  });

  it('reads a request no backend received: NULL backend, -1 times, 503', () => {
    expect(record('edge-cases.log', 0)).toMatchObject({
      backend_ip: null,
      backend_port: null,
      request_processing_time: '-1',
      backend_processing_time: '-1',
      client_response_time: '-1',
      elb_response_code: '503',
      backend_response_code: null,
      url: 'http://legacy.example.com:80/api/status',
    });
  });

  it('reads a backend timeout with its query string', () => {
    expect(record('edge-cases.log', 1)).toMatchObject({
      backend_ip: '10.0.2.15',
      request_processing_time: '0.000041',
      backend_processing_time: '-1',
      elb_response_code: '504',
      request_verb: 'POST',
      url: 'https://legacy.example.com:443/report?id=7&format=csv',
    });
  });

  it('splits an unbracketed IPv6 client at the last colon, and keeps escaped quotes in the user agent', () => {
    expect(record('edge-cases.log', 2)).toMatchObject({
      request_ip: '2001:db8:85a3::8a2e:370:7334',
      request_port: '443',
      user_agent: 'Mozilla/5.0 (compatible; \\"quoted\\" bot)',
      ssl_cipher: 'ECDHE-RSA-AES256-SHA384',
    });
  });

  it('reads TCP and SSL connections that reached no backend or negotiated no TLS', () => {
    expect(record('edge-cases.log', 3)).toMatchObject({
      elb_name: 'legacy-tcp',
      backend_ip: null,
      url: null,
    });
    expect(record('edge-cases.log', 4)).toMatchObject({ backend_port: '8443', ssl_cipher: null });
  });

  it('reads an entry of the first format, which ends after the request', () => {
    expect(record('edge-cases.log', 5)).toMatchObject({
      request_timestamp: '2014-03-06T09:00:00.000000Z',
      url: 'http://legacy.example.com:80/index.php',
      protocol: 'HTTP/1.1',
      user_agent: null,
      ssl_cipher: null,
      ssl_protocol: null,
    });
  });

  it('ignores fields appended after ssl_protocol', () => {
    expect(record('edge-cases.log', 6)).toMatchObject({
      user_agent: 'curl/8.5.0',
      ssl_cipher: null,
      ssl_protocol: null,
      sent_bytes: '1350000',
    });
  });

  it('does not match an ALB entry, a truncated entry or a non-numeric time', () => {
    expect(
      lines('rejects.log')
        .slice(0, 3)
        .map((entry) => parseLine(elb, entry)),
    ).toEqual([undefined, undefined, undefined]);
  });

  it('is not matched by the ALB format', () => {
    const classic = [...lines('aws-doc-examples.log'), ...lines('edge-cases.log')];

    expect(classic.filter((entry) => parseLine(alb, entry) !== undefined)).toEqual([]);
  });
});

describe('elb entries in DuckDB (RE2) and typed', () => {
  let reader: DuckDBReader;
  const all = ['aws-doc-examples.log', 'edge-cases.log', 'rejects.log'].flatMap(lines);
  const valid = ['aws-doc-examples.log', 'edge-cases.log'].flatMap(lines);

  beforeAll(async () => {
    reader = await DuckDBReader.open();
  });
  afterAll(() => reader.close());

  it('gives every fixture line the same match and groups as JavaScript', async () => {
    await expectRe2AgreesWithJs(reader, elb, all);
  });

  it('converts every field of every valid entry to its column type', async () => {
    for (const entry of valid) {
      expect(await unconvertible(reader, elb, recordOf(elb, entry)), entry).toEqual([]);
    }
  });

  it('names the field that does not convert: a client port beyond int', async () => {
    expect(await unconvertible(reader, elb, recordOf(elb, line('rejects.log', 3)))).toEqual(['request_port']);
  });

  it('reads the timestamp as a timestamp, but not an impossible one', async () => {
    const times = [line('aws-doc-examples.log', 0), line('rejects.log', 4)].map(
      (entry) => recordOf(elb, entry).request_timestamp ?? '',
    );

    expect(await tryCastTimestamps(reader, times)).toEqual(['2015-05-13T23:39:43.945Z', null]);
  });
});

describe('matchKey(elb)', () => {
  const prefix = 'AWSLogs/123456789012/elasticloadbalancing/us-west-2/2014/02/15';

  it.each<[string, string, KeyMatch]>([
    [
      'the documentation example',
      `my-loadbalancer-logs/my-app/${prefix}/123456789012_elasticloadbalancing_us-west-2_my-loadbalancer_20140215T2340Z_172.160.001.192_20sg8hgm.log`,
      { layout: 'plain', account: '123456789012', region: 'us-west-2', date: '2014-02-15' },
    ],
    [
      'an Elastic Beanstalk name with capitals, a leading-zero account, an organisation level',
      'AWSLogs/o-a1b2c3d4e5/012345678901/elasticloadbalancing/ap-southeast-2/2024/12/31/012345678901_elasticloadbalancing_ap-southeast-2_awseb-e-x-AWSEBLoa-1ABCDEFGHIJKL_20241231T2300Z_54.66.1.2_abcd1234.log',
      { layout: 'plain', account: '012345678901', region: 'ap-southeast-2', date: '2024-12-31' },
    ],
  ])('%s', (_label, key, expected) => {
    expect(matchKey(elb, key)).toEqual(expected);
  });

  it.each<[string, string]>([
    [
      'an ALB file',
      `${prefix}/123456789012_elasticloadbalancing_us-west-2_app.my-loadbalancer.1234567890abcdef_20140215T2340Z_172.160.001.192_20sg8hgm.log.gz`,
    ],
    [
      'a Network Load Balancer file',
      `${prefix}/123456789012_elasticloadbalancing_us-west-2_net.my-loadbalancer.c6e77e28c25b2234_20140215T2340Z_172.160.001.192_20sg8hgm.log.gz`,
    ],
    [
      'an ALB connection log',
      `${prefix}/conn_log.123456789012_elasticloadbalancing_us-west-2_app.my-loadbalancer.1234567890abcdef_20140215T2340Z_172.160.001.192_20sg8hgm.log.gz`,
    ],
    [
      'a flow log',
      `AWSLogs/123456789012/vpcflowlogs/us-west-2/2014/02/15/123456789012_vpcflowlogs_us-west-2_fl-1_20140215T2340Z_1a2b.log.gz`,
    ],
  ])('does not match %s', (_label, key) => {
    expect(matchKey(elb, key)).toBeUndefined();
  });
});

describe('elb named queries', () => {
  let reader: DuckDBReader;
  beforeAll(async () => {
    reader = await DuckDBReader.open();
    const where = { account: '123456789012', region: 'us-west-2', recordTimeFrom: 'request_timestamp' };
    await createConvertedTable(reader, elb, where, [
      ...['aws-doc-examples.log', 'edge-cases.log']
        .flatMap(lines)
        .map((entry) => [recordOf(elb, entry), '2024-05-01'] as const),
      // A day the partition filter leaves out.
      [record('edge-cases.log', 7), '2024-05-02'],
    ]);
  });
  afterAll(() => reader.close());

  const run = duckdbQueries(() => reader, ELB_QUERIES, { from: '2024-05-01', to: '2024-05-01' });

  it('elb-backend-errors lists the 4xx and 5xx responses of backends, oldest first', async () => {
    expect(await run('elb-backend-errors')).toEqual([
      {
        request_timestamp: '2024-05-01T10:00:02.500000Z',
        elb_name: 'legacy-web',
        backend_ip: '10.0.2.16',
        backend_response_code: '404',
      },
      {
        request_timestamp: '2024-05-01T10:00:06.000000Z',
        elb_name: 'legacy-web',
        backend_ip: '10.0.2.16',
        backend_response_code: '500',
      },
    ]);
  });

  it('elb-backend-processing-time sums backend seconds per backend and load balancer', async () => {
    const rows = await run('elb-backend-processing-time');

    expect(rows.map((row) => [row.backend_ip, row.elb_name])).toEqual([
      ['10.0.2.15', 'legacy-web'],
      ['10.0.2.16', 'legacy-web'],
      ['10.0.0.1', 'my-loadbalancer'],
      ['10.0.2.17', 'legacy-ssl'],
    ]);
    // 0.003 (2014) + 3.25 (export) - 1 (the timeout's -1, summed as the guide's query does).
    expect(rows[0]?.total_seconds).toBeCloseTo(2.253, 6);
  });

  it('elb-requests-per-client counts requests and bytes per client', async () => {
    const rows = await run('elb-requests-per-client');

    expect(rows[0]).toEqual({ request_ip: '192.168.131.39', requests: 4n, received_bytes_total: 139n });
    // The four documentation examples share a client; each edge case has its own.
    expect(rows).toHaveLength(9);
  });

  it('elb-slowest-requests orders by total processing time, leaving out -1 times', async () => {
    const rows = await run('elb-slowest-requests');

    expect(rows[0]).toMatchObject({
      request_ip: '192.0.2.11',
      url: 'http://legacy.example.com:80/export/data.csv',
    });
    expect(rows.map((row) => row.elb_response_code)).not.toContain('504');
  });

  it('elb-top-urls-by-bytes sums sent bytes per URL of HTTP listeners', async () => {
    const rows = await run('elb-top-urls-by-bytes');

    expect(rows[0]).toEqual({
      url: 'http://legacy.example.com:80/export/data.csv',
      requests: 1n,
      sent_bytes_total: 1350000n,
    });
    expect(rows.map((row) => row.url)).not.toContain(null);
  });

  it('ships both dialects of every query, each filtering on the partitions', () => {
    expect(ELB_QUERIES.length).toBeGreaterThanOrEqual(5);
    for (const query of ELB_QUERIES) {
      expect(query.name).toMatch(/^elb-[a-z0-9-]+$/);
      expect(query.source).toBe('elb');
      expect(query.athena).toContain('{{partition_filter}}');
      expect(query.duckdb).toContain('{{partition_filter}}');
      expect(query.athena).toMatch(/\bFROM elb\b/);
    }
  });
});
