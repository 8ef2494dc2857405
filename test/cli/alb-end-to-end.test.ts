import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALB_QUERIES } from '../../shared/queries/alb.js';
import { parseSummary, type CliResult } from '../fixtures/cli-runner.js';
import {
  byLine,
  expectEveryQueryAnswers,
  LakeRun,
  partitionCounts,
  succeeded,
} from '../fixtures/lake-run.js';

/*
 * ALB access logs through the built CLI, laid out as ELB delivers them
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html#access-log-file-format).
 * The entries are the fixtures of test/sources/alb.test.ts: the reference's examples
 * (#access-log-entry-examples), the current format and our edge cases, then the rejects.
 */
const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'logs', 'alb');
const fixture = async (file: string) => (await readFile(join(FIXTURES, file), 'utf8')).trimEnd().split('\n');

const ACCOUNT = '012345678901';
const REGION = 'us-east-2';
const DAY = '2024-05-01';
const FOLDER = `alb-logs/AWSLogs/${ACCOUNT}/elasticloadbalancing/${REGION}/2024/05/01`;
const file = (loadBalancer: string, end: string, node: string) =>
  `${FOLDER}/${ACCOUNT}_elasticloadbalancing_${REGION}_${loadBalancer}_${end}_${node}_${end.slice(-5, -1)}abcd.log.gz`;
const FIRST = file('app.my-loadbalancer.50dc6c495c0c9188', '20240501T1205Z', '10.0.0.5');
const SECOND = file('app.my-loadbalancer.50dc6c495c0c9188', '20240501T1210Z', '10.0.1.6');

/** Entries of the second object that the queries count: one client's downloads, a 503. */
const SECOND_ENTRIES = [
  `h2 2024-05-01T12:06:00.000001Z app/my-loadbalancer/50dc6c495c0c9188 203.0.113.77:40001 10.0.0.9:8080 0.001 1.250 0.001 200 200 310 5000000 "GET https://www.example.com:443/downloads/catalog.pdf HTTP/2.0" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-2:${ACCOUNT}:targetgroup/web/0123456789abcdef "Root=1-66322f18-0123456789abcdef01234567" "www.example.com" "session-reused" 1 2024-05-01T12:05:58.749000Z "forward" "-" "-" "10.0.0.9:8080" "200" "-" "-" TID_0123456789abcdef0123456789abcdef "-" "-" "-"`,
  `h2 2024-05-01T12:07:00.000001Z app/my-loadbalancer/50dc6c495c0c9188 203.0.113.77:40002 10.0.0.9:8080 0.001 0.900 0.001 200 200 310 5000000 "GET https://www.example.com:443/downloads/catalog.pdf HTTP/2.0" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-2:${ACCOUNT}:targetgroup/web/0123456789abcdef "Root=1-66322f54-0123456789abcdef01234567" "www.example.com" "session-reused" 1 2024-05-01T12:06:59.099000Z "forward" "-" "-" "10.0.0.9:8080" "200" "-" "-" TID_0123456789abcdef0123456789abcdef "-" "-" "-"`,
  `https 2024-05-01T12:08:00.000001Z app/my-loadbalancer/50dc6c495c0c9188 203.0.113.78:40003 - -1 -1 -1 503 - 250 326 "GET https://www.example.com:443/api/v1/cart HTTP/1.1" "okhttp/4.12.0" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-2:${ACCOUNT}:targetgroup/web/0123456789abcdef "Root=1-66322f90-0123456789abcdef01234567" "www.example.com" "session-reused" 1 2024-05-01T12:08:00.000000Z "forward" "-" "-" "-" "-" "-" "-" TID_fedcba9876543210fedcba9876543210 "-" "-" "-"`,
];

describe('alb end to end through the CLI', () => {
  let run: LakeRun;
  let backfill: CliResult;
  let validCount: number;
  const partition = { account: ACCOUNT, region: REGION, date: DAY };
  const parquet = () => run.scan('alb', partition);
  const query = (name: string) => run.query(name, '--date', DAY);

  beforeAll(async () => {
    run = await LakeRun.create('alb-e2e');
    const valid = [
      ...(await fixture('aws-doc-2018.log')),
      ...(await fixture('current-format.log')),
      ...(await fixture('edge-cases.log')),
    ];
    validCount = valid.length + SECOND_ENTRIES.length;
    // The second object: CRLF line ends, a blank line (neither row nor reject), six bad entries.
    const second = [...SECOND_ENTRIES, '', ...(await fixture('rejects.log'))];
    // Neighbours in the same folder that are not ALB access logs: none may be converted as ALB.
    const decoy = (await fixture('rejects.log'))[0] ?? '';
    await run.write(
      { key: FIRST, text: `${valid.join('\n')}\n` },
      { key: SECOND, text: `${second.join('\r\n')}\r\n` },
      { key: file('net.my-network-lb.c6e77e28c25b2234', '20240501T1205Z', '10.0.2.7'), text: decoy },
      {
        key: `${FOLDER}/conn_log.${ACCOUNT}_elasticloadbalancing_${REGION}_app.my-loadbalancer.50dc6c495c0c9188_20240501T1205Z_10.0.0.5_a1b2c3d4.log.gz`,
        text: '2024-05-01T12:00:00.000000Z 192.0.2.1 40000 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 2.3 - - - Success - - TID_0123\n',
      },
    );

    backfill = await run.backfill({ from: DAY, to: DAY }, '--source', 'alb', '--json');
  });

  afterAll(async () => {
    await run?.close();
  });

  it('converts the day of the two ALB objects, counting every line, and leaves the NLB and connection logs out', () => {
    expect(backfill.code, backfill.stderr).toBe(0);
    expect(partitionCounts(parseSummary(backfill))).toEqual([
      succeeded('alb', partition, validCount + 6, validCount, 6),
    ]);
  });

  it('says that the NLB and connection log objects match no key layout', async () => {
    const again = await run.backfill({ from: DAY, to: DAY }, '--source', 'alb');

    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/^2 raw object\(s\) match no key layout of any source/m);
  });

  it("writes the Athena guide's columns with their types, plus record_time, Snappy-compressed", async () => {
    const schema = await run.schema('alb', partition);

    expect([...schema.keys()]).toEqual([
      'type',
      'time',
      'elb',
      'client_ip',
      'client_port',
      'target_ip',
      'target_port',
      'request_processing_time',
      'target_processing_time',
      'response_processing_time',
      'elb_status_code',
      'target_status_code',
      'received_bytes',
      'sent_bytes',
      'request_verb',
      'request_url',
      'request_proto',
      'user_agent',
      'ssl_cipher',
      'ssl_protocol',
      'target_group_arn',
      'trace_id',
      'domain_name',
      'chosen_cert_arn',
      'matched_rule_priority',
      'request_creation_time',
      'actions_executed',
      'redirect_url',
      'lambda_error_reason',
      'target_port_list',
      'target_status_code_list',
      'classification',
      'classification_reason',
      'conn_trace_id',
      'transformed_host',
      'transformed_uri',
      'request_transform_status',
      'record_time',
    ]);
    expect(schema.get('client_port')).toBe('INTEGER');
    expect(schema.get('target_processing_time')).toBe('DOUBLE');
    expect(schema.get('elb_status_code')).toBe('INTEGER');
    expect(schema.get('target_status_code')).toBe('VARCHAR');
    expect(schema.get('sent_bytes')).toBe('BIGINT');
    expect(schema.get('record_time')).toBe('TIMESTAMP');
    expect(await run.reader.parquetCodecs(run.partitionFile('alb', partition))).toEqual(['SNAPPY']);
  });

  it('stores every field of the HTTPS documentation example, - as NULL, record_time typed', async () => {
    const rows = await run.reader.rows(
      `SELECT * FROM ${parquet()} WHERE trace_id = 'Root=1-58337281-1d84f3d73c47ec4e58577259' ORDER BY conn_trace_id NULLS FIRST`,
    );

    const example = {
      type: 'https',
      time: '2018-07-02T22:23:00.186641Z',
      elb: 'app/my-loadbalancer/50dc6c495c0c9188',
      client_ip: '192.168.131.39',
      client_port: 2817,
      target_ip: '10.0.0.1',
      target_port: 80,
      request_processing_time: 0.086,
      target_processing_time: 0.048,
      response_processing_time: 0.037,
      elb_status_code: 200,
      target_status_code: '200',
      received_bytes: 0n,
      sent_bytes: 57n,
      request_verb: 'GET',
      request_url: 'https://www.example.com:443/',
      request_proto: 'HTTP/1.1',
      user_agent: 'curl/7.46.0',
      ssl_cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
      ssl_protocol: 'TLSv1.2',
      target_group_arn:
        'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067',
      trace_id: 'Root=1-58337281-1d84f3d73c47ec4e58577259',
      domain_name: 'www.example.com',
      chosen_cert_arn: 'arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012',
      matched_rule_priority: '1',
      request_creation_time: '2018-07-02T22:22:48.364000Z',
      actions_executed: 'authenticate,forward',
      redirect_url: null,
      lambda_error_reason: null,
      target_port_list: null,
      target_status_code_list: null,
      classification: null,
      classification_reason: null,
      conn_trace_id: null,
      transformed_host: null,
      transformed_uri: null,
      request_transform_status: null,
      record_time: new Date('2018-07-02T22:23:00.186Z'),
    };

    expect(rows).toEqual([
      example,
      {
        ...example,
        // The same example in the current format: the appended fields.
        target_port_list: '10.0.0.1:80',
        target_status_code_list: '200',
        conn_trace_id: 'TID_1234abcd5678ef90',
      },
    ]);
  });

  it('keeps the real-world shapes: IPv6, a malformed request, escapes, transforms, older and newer lines', async () => {
    const rows = await run.reader.rows(
      `SELECT client_ip, client_port, target_ip, target_port, elb_status_code, request_verb, request_url,
              request_proto, user_agent, target_processing_time, matched_rule_priority, conn_trace_id,
              transformed_host, request_transform_status, record_time
       FROM ${parquet()}
       WHERE client_ip IN ('2001:db8:c529:9dad:6bbc:c529:9dad:6bbc', '113.241.19.90', '172.71.1.216', '198.51.100.10', '192.0.2.1')
       ORDER BY record_time`,
    );

    expect(rows).toEqual([
      {
        client_ip: '192.0.2.1',
        client_port: 1234,
        target_ip: '10.0.0.1',
        target_port: 80,
        elb_status_code: 200,
        request_verb: 'GET',
        request_url: 'http://old.example.com:80/',
        request_proto: 'HTTP/1.1',
        user_agent: 'Mozilla/4.0',
        target_processing_time: 0.002,
        matched_rule_priority: null,
        conn_trace_id: null,
        transformed_host: null,
        request_transform_status: null,
        record_time: new Date('2016-09-01T10:00:00Z'),
      },
      {
        client_ip: '2001:db8:c529:9dad:6bbc:c529:9dad:6bbc',
        client_port: 50599,
        target_ip: 'fd6d:6bbc:c529:6::face:ed83:f46',
        target_port: 80,
        elb_status_code: 200,
        request_verb: 'POST',
        request_url:
          'https://test.example.com:443/api/deposits/transactions:search?detailsLevel=FULL&offset=0&limit=50',
        request_proto: 'HTTP/1.1',
        user_agent: 'User 1.0',
        target_processing_time: 0.052,
        matched_rule_priority: '0',
        conn_trace_id: 'TID_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
        transformed_host: null,
        request_transform_status: null,
        record_time: new Date('2021-03-16T20:20:00.135Z'),
      },
      {
        client_ip: '113.241.19.90',
        client_port: 15070,
        target_ip: null,
        target_port: null,
        elb_status_code: 400,
        request_verb: null,
        request_url: 'http://awseb-awseb-1kgu6fbag3fad-640112591.us-east-1.elb.amazonaws.com:80-',
        request_proto: null,
        user_agent: null,
        target_processing_time: -1,
        matched_rule_priority: null,
        conn_trace_id: 'TID_00112233445566778899aabbccddeeff',
        transformed_host: null,
        request_transform_status: null,
        record_time: new Date('2021-03-17T18:54:14.216Z'),
      },
      {
        client_ip: '172.71.1.216',
        client_port: 40684,
        target_ip: '172.71.0.215',
        target_port: 80,
        elb_status_code: 400,
        request_verb: 'GET',
        request_url: 'https://gitlab.example.org:443/QUOTE_EXPERIMENT?bar=\\x22',
        request_proto: 'HTTP/2.0',
        user_agent: 'Mozilla/5.0 (compatible; \\"quoted\\" bot) x\\',
        target_processing_time: 0.005,
        matched_rule_priority: '0',
        conn_trace_id: 'TID_5e4b3a2918f7e6d5c4b3a29180f7e6d5',
        transformed_host: null,
        request_transform_status: null,
        record_time: new Date('2023-02-07T01:32:22.209Z'),
      },
      {
        client_ip: '198.51.100.10',
        client_port: 40000,
        target_ip: '10.0.0.1',
        target_port: 80,
        elb_status_code: 200,
        request_verb: 'GET',
        request_url: 'https://www.example.com:443/future',
        request_proto: 'HTTP/1.1',
        user_agent: 'curl/8.5.0',
        target_processing_time: 0.01,
        matched_rule_priority: '5',
        conn_trace_id: 'TID_dd88dd88dd88dd88dd88dd88dd88dd88',
        transformed_host: null,
        request_transform_status: null,
        record_time: new Date('2026-06-15T09:30:00.123Z'),
      },
    ]);
    const grpc = await run.reader.rows(
      `SELECT transformed_host, transformed_uri, request_transform_status FROM ${parquet()} WHERE type = 'grpcs'`,
    );
    expect(grpc).toEqual([
      {
        transformed_host: 'internal-api.example.com',
        transformed_uri: '/v2/inventory.Stock/Reserve?src=alb',
        request_transform_status: 'TransformSucceeded',
      },
    ]);
  });

  it('quarantines the bad lines with their object key, line number and reason', async () => {
    const rejects = (await run.rejects('alb', partition)).sort(byLine);

    // Lines 1-3 are entries, line 4 is blank, the six bad entries follow.
    expect(rejects.map(({ key, line }) => ({ key, line }))).toEqual(
      [5, 6, 7, 8, 9, 10].map((line) => ({ key: SECOND, line })),
    );
    expect(rejects.slice(0, 4).map((reject) => reject.reason)).toEqual(
      Array.from({ length: 4 }, () => 'line does not match the alb format'),
    );
    expect(rejects[0]?.text).toMatch(/^tls 2\.0 /);
    expect(rejects[4]?.reason).toMatch(/elb_status_code.*99999999999/);
    expect(rejects[5]?.reason).toMatch(/time.*2018-13-45T22:23:00\.186641Z/);
  });

  it('answers alb-requests-per-client and alb-bytes-per-client from the lake', async () => {
    const perClient = await query('alb-requests-per-client');
    const bytes = await query('alb-bytes-per-client');

    // The reference's examples share one client: four in 2018 form, two in the current one, one of 2020.
    expect(perClient[0]).toEqual({ count: 7, request_verb: 'GET', client_ip: '192.168.131.39' });
    expect(perClient).toContainEqual({ count: 2, request_verb: 'GET', client_ip: '203.0.113.77' });
    expect(bytes[0]).toEqual({ client_ip: '10.0.0.140', received_bytes_total: 22313 });
  });

  it('answers the 5xx questions: alb-server-errors and alb-5xx-by-target', async () => {
    const errors = await query('alb-server-errors');
    const byTarget = await query('alb-5xx-by-target');

    expect(
      errors.map((error) => [error.elb_status_code, error.target_ip, error.lambda_error_reason]),
    ).toEqual([
      [502, null, 'LambdaInvalidResponse'],
      [504, '10.0.0.7', null],
      [503, null, null],
    ]);
    expect(byTarget).toEqual([
      { target_ip: '10.0.0.7', target_port: 8080, elb_status_code: 504, requests: 1 },
      { target_ip: null, target_port: null, elb_status_code: 502, requests: 1 },
      { target_ip: null, target_port: null, elb_status_code: 503, requests: 1 },
    ]);
  });

  it('answers alb-slowest-requests, alb-top-urls-by-bytes and alb-safari-urls', async () => {
    const slowest = await query('alb-slowest-requests');
    const topUrls = await query('alb-top-urls-by-bytes');
    const safari = await query('alb-safari-urls');

    expect(slowest.slice(0, 2).map((row) => [row.request_url, row.total_seconds])).toEqual([
      ['https://www.example.com:443/downloads/catalog.pdf', 1.252],
      ['https://www.example.com:443/downloads/catalog.pdf', 0.902],
    ]);
    expect(topUrls[0]).toEqual({
      request_url: 'https://www.example.com:443/downloads/catalog.pdf',
      requests: 2,
      sent_bytes_total: 10000000,
    });
    expect(safari.map((row) => row.request_url)).toEqual([
      'http://www.example.com:80/path with space?a=1',
      'https://www.example.com:443/downloads/catalog.pdf',
      'https://www.example.com:443/downloads/catalog.pdf',
    ]);
  });

  it('runs every named ALB query on the lake', async () => {
    await expectEveryQueryAnswers(ALB_QUERIES, query);
  });
});
