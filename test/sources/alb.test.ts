import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALB_QUERIES } from '../../shared/queries/alb.js';
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
 * Fixtures: test/fixtures/logs/alb/ (README.md there says where each line comes from).
 * - aws-doc-2018.log: the ELB reference's example entries,
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html#access-log-entry-examples
 * - current-format.log, edge-cases.log: entries of the current format and real-world shapes;
 * - rejects.log: entries the engine must reject.
 */
const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'logs', 'alb');
const lines = (file: string) => fixtureLines(FIXTURES, file);
const line = (file: string, index: number) => fixtureLine(FIXTURES, file, index);
const record = (file: string, index: number) => recordOf(alb, line(file, index));

const TARGET_GROUP =
  'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067';
const CERTIFICATE = 'arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012';

describe('alb source declaration', () => {
  it("keeps the Athena user guide's column names and types, then record_time", () => {
    expect(alb.columns.map((column) => [column.name, column.type])).toEqual([
      ['type', 'string'],
      ['time', 'string'],
      ['elb', 'string'],
      ['client_ip', 'string'],
      ['client_port', 'int'],
      ['target_ip', 'string'],
      ['target_port', 'int'],
      ['request_processing_time', 'double'],
      ['target_processing_time', 'double'],
      ['response_processing_time', 'double'],
      ['elb_status_code', 'int'],
      ['target_status_code', 'string'],
      ['received_bytes', 'bigint'],
      ['sent_bytes', 'bigint'],
      ['request_verb', 'string'],
      ['request_url', 'string'],
      ['request_proto', 'string'],
      ['user_agent', 'string'],
      ['ssl_cipher', 'string'],
      ['ssl_protocol', 'string'],
      ['target_group_arn', 'string'],
      ['trace_id', 'string'],
      ['domain_name', 'string'],
      ['chosen_cert_arn', 'string'],
      ['matched_rule_priority', 'string'],
      ['request_creation_time', 'string'],
      ['actions_executed', 'string'],
      ['redirect_url', 'string'],
      ['lambda_error_reason', 'string'],
      ['target_port_list', 'string'],
      ['target_status_code_list', 'string'],
      ['classification', 'string'],
      ['classification_reason', 'string'],
      ['conn_trace_id', 'string'],
      ['transformed_host', 'string'],
      ['transformed_uri', 'string'],
      ['request_transform_status', 'string'],
      ['record_time', 'timestamp'],
    ]);
    expect(alb.columns.at(-1)).toMatchObject({ derive: { kind: 'iso8601-timestamp', from: 'time' } });
  });

  it('names every column validly, once, never as a partition column, and describes it', () => {
    expectColumnsWellNamed(alb);
  });

  it('has one capturing group per delivered column, in column order', () => {
    expectOneGroupPerDeliveredColumn(alb);
  });

  it('uses only portable syntax: anchored, no named groups, no lookaround, no backreferences', () => {
    expectPortablePattern(alb);
  });

  it('clusters by client_ip and elb_status_code, which the named queries group and filter by', () => {
    expect(alb.clusterBy).toEqual(['client_ip', 'elb_status_code']);
  });
});

describe('alb entries (JavaScript)', () => {
  it('reads every field of the HTTP documentation example', () => {
    expect(record('aws-doc-2018.log', 0)).toEqual({
      type: 'http',
      time: '2018-07-02T22:23:00.186641Z',
      elb: 'app/my-loadbalancer/50dc6c495c0c9188',
      client_ip: '192.168.131.39',
      client_port: '2817',
      target_ip: '10.0.0.1',
      target_port: '80',
      request_processing_time: '0.000',
      target_processing_time: '0.001',
      response_processing_time: '0.000',
      elb_status_code: '200',
      target_status_code: '200',
      received_bytes: '34',
      sent_bytes: '366',
      request_verb: 'GET',
      request_url: 'http://www.example.com:80/',
      request_proto: 'HTTP/1.1',
      user_agent: 'curl/7.46.0',
      ssl_cipher: null,
      ssl_protocol: null,
      target_group_arn: TARGET_GROUP,
      trace_id: 'Root=1-58337262-36d228ad5d99923122bbe354',
      domain_name: null,
      chosen_cert_arn: null,
      matched_rule_priority: '0',
      request_creation_time: '2018-07-02T22:22:48.364000Z',
      actions_executed: 'forward',
      redirect_url: null,
      lambda_error_reason: null,
      // The 2018 entries end after error_reason: the fields appended since are NULL.
      target_port_list: null,
      target_status_code_list: null,
      classification: null,
      classification_reason: null,
      conn_trace_id: null,
      transformed_host: null,
      transformed_uri: null,
      request_transform_status: null,
    });
  });

  it.each<[string, number, Record<string, string | null>]>([
    [
      'HTTPS: TLS, SNI domain, certificate, authenticate action',
      1,
      {
        type: 'https',
        request_processing_time: '0.086',
        target_processing_time: '0.048',
        response_processing_time: '0.037',
        received_bytes: '0',
        sent_bytes: '57',
        request_url: 'https://www.example.com:443/',
        ssl_cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
        ssl_protocol: 'TLSv1.2',
        domain_name: 'www.example.com',
        chosen_cert_arn: CERTIFICATE,
        matched_rule_priority: '1',
        actions_executed: 'authenticate,forward',
      },
    ],
    [
      'HTTP/2: a redirect action with its URL',
      2,
      {
        type: 'h2',
        client_ip: '10.0.1.252',
        client_port: '48160',
        target_ip: '10.0.0.66',
        target_port: '9000',
        request_url: 'https://10.0.2.105:773/',
        request_proto: 'HTTP/2.0',
        actions_executed: 'redirect',
        redirect_url: 'https://example.com:80/',
      },
    ],
    [
      'WebSockets: 101, no user agent, no TLS',
      3,
      { type: 'ws', elb_status_code: '101', target_status_code: '101', user_agent: null, ssl_cipher: null },
    ],
    [
      'secured WebSockets in another region',
      4,
      {
        type: 'wss',
        sent_bytes: '786',
        ssl_protocol: 'TLSv1.2',
        target_group_arn:
          'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067',
      },
    ],
    [
      'Lambda target that succeeded: no target address',
      5,
      { target_ip: null, target_port: null, elb_status_code: '200', lambda_error_reason: null },
    ],
    [
      'Lambda target that failed: the error reason, no target status',
      6,
      {
        target_ip: null,
        elb_status_code: '502',
        target_status_code: null,
        lambda_error_reason: 'LambdaInvalidResponse',
      },
    ],
  ])('reads the documentation example: %s', (_label, index, expected) => {
    expect(record('aws-doc-2018.log', index)).toMatchObject(expected);
  });

  it('reads the fields appended since 2018, through the request transforms', () => {
    expect(record('current-format.log', 0)).toMatchObject({
      target_port_list: '10.0.0.1:80',
      target_status_code_list: '200',
      classification: null,
      classification_reason: null,
      conn_trace_id: 'TID_1234abcd5678ef90',
      transformed_host: null,
      transformed_uri: null,
      request_transform_status: null,
    });
    expect(record('current-format.log', 2)).toMatchObject({
      type: 'grpcs',
      request_verb: 'POST',
      request_url: 'https://api.example.com:443/inventory.Stock/Reserve',
      request_proto: 'HTTP/2.0',
      ssl_cipher: 'TLS_AES_128_GCM_SHA256',
      ssl_protocol: 'TLSv1.3',
      chosen_cert_arn: 'session-reused',
      matched_rule_priority: '7',
      target_port_list: '10.0.0.66:50051',
      conn_trace_id: 'TID_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      transformed_host: 'internal-api.example.com',
      transformed_uri: '/v2/inventory.Stock/Reserve?src=alb',
      request_transform_status: 'TransformSucceeded',
    });
  });

  it('splits unbracketed IPv6 addresses from their ports at the last colon', () => {
    expect(record('edge-cases.log', 0)).toMatchObject({
      client_ip: '2001:db8:c529:9dad:6bbc:c529:9dad:6bbc',
      client_port: '50599',
      target_ip: 'fd6d:6bbc:c529:6::face:ed83:f46',
      target_port: '80',
      request_url:
        'https://test.example.com:443/api/deposits/transactions:search?detailsLevel=FULL&offset=0&limit=50',
      user_agent: 'User 1.0',
      actions_executed: 'waf,forward',
      target_port_list: 'fd6d:6bbc:c529:6::face:ed83:f46:80',
    });
  });

  it('reads a malformed request: no verb or protocol, the URL as cut, -1 times, every other field NULL', () => {
    expect(record('edge-cases.log', 1)).toMatchObject({
      target_ip: null,
      request_processing_time: '-1',
      target_processing_time: '-1',
      response_processing_time: '-1',
      elb_status_code: '400',
      target_status_code: null,
      request_verb: null,
      request_url: 'http://awseb-awseb-1kgu6fbag3fad-640112591.us-east-1.elb.amazonaws.com:80-',
      request_proto: null,
      user_agent: null,
      target_group_arn: null,
      trace_id: null,
      matched_rule_priority: null,
      request_creation_time: '2021-03-17T18:54:13.967000Z',
      actions_executed: null,
      conn_trace_id: 'TID_00112233445566778899aabbccddeeff',
    });
  });

  it("reads a malformed request whose protocol is empty (found in Elastic's ALB samples)", () => {
    const entry =
      'http 2025-05-01T11:24:32.748149Z app/internal-service-alb/abcd1234efgh5678 127.0.0.1:57273 - -1 -1 -1 200 - 0 272 ' +
      '"- http://internal-service-alb.example.com:80-/ " "-" - - - "-" "-" "-" - 2025-05-01T11:24:32.720000Z ' +
      '"-" "-" "-" "-" "-" "-" "-" TID_00000000000000000000000000000000';

    expect(recordOf(alb, entry)).toMatchObject({
      client_ip: '127.0.0.1',
      elb_status_code: '200',
      sent_bytes: '272',
      request_verb: null,
      request_url: 'http://internal-service-alb.example.com:80-/',
      request_proto: null,
      conn_trace_id: 'TID_00000000000000000000000000000000',
    });
  });

  it('keeps escaped quotes and a trailing backslash inside quoted fields, without shifting later fields', () => {
    expect(record('edge-cases.log', 2)).toMatchObject({
      request_url: 'https://gitlab.example.org:443/QUOTE_EXPERIMENT?bar=\\x22',
      user_agent: 'Mozilla/5.0 (compatible; \\"quoted\\" bot) x\\',
      ssl_cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
      domain_name: 'gitlab.example.org',
      target_status_code_list: '400',
    });
  });

  it('reads a WAF block (no target, no target group) and a redirect whose URL holds spaces', () => {
    expect(record('edge-cases.log', 3)).toMatchObject({
      elb_status_code: '403',
      target_ip: null,
      target_group_arn: null,
      actions_executed: 'waf',
      target_port_list: null,
    });
    expect(record('edge-cases.log', 4)).toMatchObject({
      elb_status_code: '301',
      request_url: 'http://www.example.com:80/path with space?a=1',
      request_proto: 'HTTP/1.1',
      redirect_url: 'https://www.example.com:443/path%20with%20space?a=1',
    });
    expect(record('edge-cases.log', 4).user_agent).toContain('Version/17.3 Safari/605.1.15');
  });

  it('reads a target timeout with its desync classification', () => {
    expect(record('edge-cases.log', 5)).toMatchObject({
      target_ip: '10.0.0.7',
      request_processing_time: '0.001',
      target_processing_time: '-1',
      elb_status_code: '504',
      target_status_code: null,
      target_status_code_list: null,
      classification: 'Ambiguous',
      classification_reason: 'UndefinedContentLengthSemantics',
    });
  });

  it('ignores fields AWS appends after request_transform_status', () => {
    expect(record('edge-cases.log', 6)).toMatchObject({
      request_url: 'https://www.example.com:443/future',
      conn_trace_id: 'TID_dd88dd88dd88dd88dd88dd88dd88dd88',
      transformed_host: null,
      request_transform_status: null,
    });
  });

  it.each<[string, number, Record<string, string | null>]>([
    [
      '2016: ends after trace_id',
      7,
      { trace_id: 'Root=1-57c7fb40-0123456789abcdef01234567', domain_name: null, conn_trace_id: null },
    ],
    [
      '2020: ends after classification_reason',
      8,
      { target_port_list: '10.0.0.2:80', classification_reason: null, conn_trace_id: null },
    ],
    [
      '2023: ends after conn_trace_id',
      9,
      { conn_trace_id: 'TID_ee99ee99ee99ee99ee99ee99ee99ee99', transformed_host: null },
    ],
    [
      'early 2020 example: target and status lists without quotes',
      10,
      {
        target_port_list: '192.168.201.251:80',
        target_status_code_list: '200',
        classification: null,
        request_url: 'http://example.com:80/path?foo=bar&baz=bak',
      },
    ],
  ])('reads an entry written before later fields existed: %s', (_label, index, expected) => {
    expect(record('edge-cases.log', index)).toMatchObject(expected);
  });

  it('reads a long-lived secured WebSocket whose rules failed (-1 priority)', () => {
    expect(record('edge-cases.log', 11)).toMatchObject({
      type: 'wss',
      received_bytes: '21877',
      sent_bytes: '1049786',
      matched_rule_priority: '-1',
      request_creation_time: '2024-05-01T12:40:00.000000Z',
    });
  });

  it('does not match an NLB entry, a truncated entry, a non-numeric field or an unquoted quoted field', () => {
    const bad = lines('rejects.log').slice(0, 4);

    expect(bad.map((entry) => parseLine(alb, entry))).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('does not match a classic load balancer entry, nor does the classic format match ALB entries', () => {
    const classic =
      '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -';
    const albLines = [
      ...lines('aws-doc-2018.log'),
      ...lines('current-format.log'),
      ...lines('edge-cases.log'),
    ];

    expect(parseLine(alb, classic)).toBeUndefined();
    expect(albLines.filter((entry) => parseLine(elb, entry) !== undefined)).toEqual([]);
  });
});

describe('alb entries in DuckDB (RE2) and typed', () => {
  let reader: DuckDBReader;
  const all = ['aws-doc-2018.log', 'current-format.log', 'edge-cases.log', 'rejects.log'].flatMap(lines);
  const valid = ['aws-doc-2018.log', 'current-format.log', 'edge-cases.log'].flatMap(lines);

  beforeAll(async () => {
    reader = await DuckDBReader.open();
  });
  afterAll(() => reader.close());

  it('gives every fixture line the same match and groups as JavaScript', async () => {
    await expectRe2AgreesWithJs(reader, alb, all);
  });

  it('converts every field of every valid entry to its column type', async () => {
    for (const entry of valid)
      expect(await unconvertible(reader, alb, recordOf(alb, entry)), entry).toEqual([]);
  });

  it('names the field that does not convert: an elb_status_code beyond int', async () => {
    expect(await unconvertible(reader, alb, recordOf(alb, line('rejects.log', 4)))).toEqual([
      'elb_status_code',
    ]);
  });

  it('reads time as a timestamp, but not an impossible one', async () => {
    const times = [line('aws-doc-2018.log', 0), line('edge-cases.log', 6), line('rejects.log', 5)].map(
      (entry) => recordOf(alb, entry).time ?? '',
    );

    expect(await tryCastTimestamps(reader, times)).toEqual([
      '2018-07-02T22:23:00.186Z',
      '2026-06-15T09:30:00.123Z',
      null,
    ]);
  });
});

describe('matchKey(alb)', () => {
  const prefix = 'AWSLogs/123456789012/elasticloadbalancing/us-east-2/2016/05/01';

  it.each<[string, string, KeyMatch]>([
    [
      'the documentation example',
      `my-bucket-prefix/${prefix}/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20140215T2340Z_172.160.001.192_20sg8hgm.log.gz`,
      { layout: 'plain', account: '123456789012', region: 'us-east-2', date: '2016-05-01' },
    ],
    [
      'an Elastic Beanstalk load balancer, account with a leading zero, organisation level',
      'logs/AWSLogs/o-a1b2c3d4e5/012345678901/elasticloadbalancing/eu-west-1/2024/02/29/012345678901_elasticloadbalancing_eu-west-1_app.awseb-AWSEB-1MVD8OW91UMOH.a32a5528b8fdaa6b_20240229T2355Z_10.0.1.17_5k2j3h4g.log.gz',
      { layout: 'plain', account: '012345678901', region: 'eu-west-1', date: '2024-02-29' },
    ],
  ])('%s', (_label, key, expected) => {
    expect(matchKey(alb, key)).toEqual(expected);
  });

  it.each<[string, string]>([
    [
      'a classic load balancer file',
      `${prefix}/123456789012_elasticloadbalancing_us-east-2_my-loadbalancer_20140215T2340Z_172.160.001.192_20sg8hgm.log`,
    ],
    [
      'a Network Load Balancer file',
      `${prefix}/123456789012_elasticloadbalancing_us-east-2_net.my-loadbalancer.c6e77e28c25b2234_20140215T2340Z_172.160.001.192_20sg8hgm.log.gz`,
    ],
    [
      'an ALB connection log',
      `${prefix}/conn_log.123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20140215T2340Z_172.160.001.192_20sg8hgm.log.gz`,
    ],
    [
      'an ALB health check log',
      `${prefix}/health_check_log_123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20140215T2340Z_172.160.001.192_20sg8hgm.log.gz`,
    ],
    ['the access log test file', 'AWSLogs/123456789012/ELBAccessLogTestFile'],
    [
      'an impossible folder date',
      'AWSLogs/123456789012/elasticloadbalancing/us-east-2/2023/02/29/123456789012_elasticloadbalancing_us-east-2_app.a.1234567890abcdef_20230301T0000Z_10.0.0.1_abc.log.gz',
    ],
  ])('does not match %s', (_label, key) => {
    expect(matchKey(alb, key)).toBeUndefined();
  });
});

describe('alb named queries', () => {
  let reader: DuckDBReader;

  beforeAll(async () => {
    reader = await DuckDBReader.open();
    // The converted table, from the fixtures' parsed entries: all on one day, plus one the
    // partition filter leaves out.
    await createConvertedTable(
      reader,
      alb,
      { account: '123456789012', region: 'us-east-2', recordTimeFrom: 'time' },
      [
        ...['aws-doc-2018.log', 'current-format.log', 'edge-cases.log']
          .flatMap(lines)
          .map((entry) => [recordOf(alb, entry), '2024-05-01'] as const),
        [record('edge-cases.log', 5), '2024-05-02'],
      ],
    );
  });
  afterAll(() => reader.close());

  const run = duckdbQueries(() => reader, ALB_QUERIES, { from: '2024-05-01', to: '2024-05-01' });

  it('alb-requests-per-client counts requests per client and verb, most first', async () => {
    const rows = await run('alb-requests-per-client');

    // Four documentation examples, two current-format ones and the early 2020 one.
    expect(rows[0]).toEqual({ count: 7n, request_verb: 'GET', client_ip: '192.168.131.39' });
    expect(rows).toContainEqual({ count: 1n, request_verb: 'POST', client_ip: '10.0.1.252' });
  });

  it('alb-safari-urls lists the URLs requested by Safari', async () => {
    expect(await run('alb-safari-urls')).toEqual([
      { request_url: 'http://www.example.com:80/path with space?a=1' },
    ]);
  });

  it('alb-server-errors and alb-5xx-by-target find the 5xx responses, with their targets', async () => {
    const errors = await run('alb-server-errors');
    const byTarget = await run('alb-5xx-by-target');

    expect(
      errors.map((error) => [error.elb_status_code, error.target_ip, error.lambda_error_reason]),
    ).toEqual([
      [502, null, 'LambdaInvalidResponse'],
      [504, '10.0.0.7', null],
    ]);
    expect(byTarget).toEqual([
      { target_ip: '10.0.0.7', target_port: 8080, elb_status_code: 504, requests: 1n },
      { target_ip: null, target_port: null, elb_status_code: 502, requests: 1n },
    ]);
  });

  it('alb-bytes-per-client sums received bytes per client', async () => {
    const rows = await run('alb-bytes-per-client');

    expect(rows[0]).toEqual({ client_ip: '10.0.0.140', received_bytes_total: 22313n });
  });

  it('alb-slowest-requests orders by total processing time, leaving out -1 times', async () => {
    const rows = await run('alb-slowest-requests');

    expect(rows[0]).toMatchObject({
      client_ip: '192.168.131.39',
      request_url: 'http://example.com:80/path?foo=bar&baz=bak',
    });
    expect(rows[0]?.total_seconds).toBeCloseTo(0.44, 6);
    expect(rows.map((row) => row.elb_status_code)).not.toContain(504);
  });

  it('alb-top-urls-by-bytes sums sent bytes per URL', async () => {
    const rows = await run('alb-top-urls-by-bytes');

    expect(rows[0]).toEqual({
      request_url: 'https://chat.example.com:443/socket?v=2',
      requests: 1n,
      sent_bytes_total: 1049786n,
    });
  });

  it('ships both dialects of every query, each filtering on the partitions', () => {
    expect(ALB_QUERIES.length).toBeGreaterThanOrEqual(5);
    for (const query of ALB_QUERIES) {
      expect(query.name).toMatch(/^alb-[a-z0-9-]+$/);
      expect(query.source).toBe('alb');
      expect(query.athena).toContain('{{partition_filter}}');
      expect(query.duckdb).toContain('{{partition_filter}}');
      expect(query.athena).toMatch(/\bFROM alb\b/);
    }
  });
});
