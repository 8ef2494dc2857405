import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELB_QUERIES } from '../../shared/queries/elb.js';
import { parseSummary, type CliResult } from '../fixtures/cli-runner.js';
import {
  byLine,
  expectEveryQueryAnswers,
  LakeRun,
  partitionCounts,
  succeeded,
} from '../fixtures/lake-run.js';

/*
 * Classic Load Balancer access logs through the built CLI, laid out as ELB delivers them
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html#access-log-file-format):
 * uncompressed `.log` objects. The entries are the fixtures of test/sources/elb.test.ts: the
 * reference's HTTP, HTTPS, TCP and SSL examples (#access-log-entry-examples), our edge cases,
 * then the rejects.
 */
const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'logs', 'elb');
const fixture = async (file: string) => (await readFile(join(FIXTURES, file), 'utf8')).trimEnd().split('\n');

const ACCOUNT = '210987654321';
const REGION = 'ap-northeast-1';
const DAY = '2024-05-01';
const FOLDER = `AWSLogs/${ACCOUNT}/elasticloadbalancing/${REGION}/2024/05/01`;
const file = (loadBalancer: string, end: string, suffix: string) =>
  `${FOLDER}/${ACCOUNT}_elasticloadbalancing_${REGION}_${loadBalancer}_${end}_54.250.1.2_${suffix}`;
const FIRST = file('my-loadbalancer', '20240501T1100Z', '20sg8hgm.log');
const SECOND = file('my-loadbalancer', '20240501T1200Z', '7hk2m4pq.log');

/** Entries of the second object that the queries count: one backend's slow 502s, one client. */
const SECOND_ENTRIES = [
  '2024-05-01T11:10:00.000001Z my-loadbalancer 192.0.2.50:50001 10.0.2.99:80 0.000040 8.500000 0.000030 502 502 0 310 "GET http://www.example.com:80/slow HTTP/1.1" "curl/8.5.0" - -',
  '2024-05-01T11:20:00.000001Z my-loadbalancer 192.0.2.50:50002 10.0.2.99:80 0.000040 6.000000 0.000030 502 502 0 310 "GET http://www.example.com:80/slow HTTP/1.1" "curl/8.5.0" - -',
];

describe('elb end to end through the CLI', () => {
  let run: LakeRun;
  let backfill: CliResult;
  let validCount: number;
  const partition = { account: ACCOUNT, region: REGION, date: DAY };
  const parquet = () => run.scan('elb', partition);
  const query = (name: string) => run.query(name, '--date', DAY);

  beforeAll(async () => {
    run = await LakeRun.create('elb-e2e');
    const valid = [...(await fixture('aws-doc-examples.log')), ...(await fixture('edge-cases.log'))];
    validCount = valid.length + SECOND_ENTRIES.length;
    // The second object: CRLF line ends, a blank line (neither row nor reject), five bad entries.
    const second = [...SECOND_ENTRIES, '', ...(await fixture('rejects.log'))];
    await run.write(
      // Classic load balancers deliver plain text.
      { key: FIRST, text: `${valid.join('\n')}\n`, gzip: false },
      { key: SECOND, text: `${second.join('\r\n')}\r\n`, gzip: false },
      // An ALB object in the same folder: not a classic log.
      {
        key: file('app.my-alb.50dc6c495c0c9188', '20240501T1205Z', 'a1b2c3d4.log.gz'),
        text: `${(await fixture('rejects.log'))[0] ?? ''}\n`,
      },
    );

    backfill = await run.backfill({ from: DAY, to: DAY }, '--source', 'elb', '--json');
  });

  afterAll(async () => {
    await run?.close();
  });

  it('converts the day of the two classic objects, counting every line', () => {
    expect(backfill.code, backfill.stderr).toBe(0);
    expect(partitionCounts(parseSummary(backfill))).toEqual([
      succeeded('elb', partition, validCount + 5, validCount, 5),
    ]);
  });

  it('leaves the ALB object beside the classic ones to its own source, without calling it a key of no layout', async () => {
    const again = await run.backfill({ from: DAY, to: DAY }, '--source', 'elb', '--json');

    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/match no key layout/);
    const summary = JSON.parse(again.stdout) as {
      partitions: { source: string }[];
      unmatchedObjects: number;
    };
    expect(summary.unmatchedObjects).toBe(0);
    expect(new Set(summary.partitions.map((entry) => entry.source))).toEqual(new Set(['elb']));
  });

  it("writes the Athena guide's columns with their types, plus record_time, Snappy-compressed", async () => {
    const schema = await run.schema('elb', partition);

    expect([...schema.entries()]).toEqual([
      ['request_timestamp', 'VARCHAR'],
      ['elb_name', 'VARCHAR'],
      ['request_ip', 'VARCHAR'],
      ['request_port', 'INTEGER'],
      ['backend_ip', 'VARCHAR'],
      ['backend_port', 'INTEGER'],
      ['request_processing_time', 'DOUBLE'],
      ['backend_processing_time', 'DOUBLE'],
      ['client_response_time', 'DOUBLE'],
      ['elb_response_code', 'VARCHAR'],
      ['backend_response_code', 'VARCHAR'],
      ['received_bytes', 'BIGINT'],
      ['sent_bytes', 'BIGINT'],
      ['request_verb', 'VARCHAR'],
      ['url', 'VARCHAR'],
      ['protocol', 'VARCHAR'],
      ['user_agent', 'VARCHAR'],
      ['ssl_cipher', 'VARCHAR'],
      ['ssl_protocol', 'VARCHAR'],
      ['record_time', 'TIMESTAMP'],
    ]);
    expect(await run.reader.parquetCodecs(run.partitionFile('elb', partition))).toEqual(['SNAPPY']);
  });

  it('stores every field of the four documentation examples, - as NULL', async () => {
    const rows = await run.reader.rows(
      `SELECT * FROM ${parquet()} WHERE elb_name = 'my-loadbalancer' AND request_ip = '192.168.131.39' ORDER BY sent_bytes`,
    );
    const common = {
      request_timestamp: '2015-05-13T23:39:43.945958Z',
      elb_name: 'my-loadbalancer',
      request_ip: '192.168.131.39',
      request_port: 2817,
      backend_ip: '10.0.0.1',
      backend_port: 80,
      record_time: new Date('2015-05-13T23:39:43.945Z'),
    };

    expect(rows).toEqual([
      {
        ...common,
        request_processing_time: 0.000073,
        backend_processing_time: 0.001048,
        client_response_time: 0.000057,
        elb_response_code: '200',
        backend_response_code: '200',
        received_bytes: 0n,
        sent_bytes: 29n,
        request_verb: 'GET',
        url: 'http://www.example.com:80/',
        protocol: 'HTTP/1.1',
        user_agent: 'curl/7.38.0',
        ssl_cipher: null,
        ssl_protocol: null,
      },
      {
        ...common,
        request_processing_time: 0.000086,
        backend_processing_time: 0.001048,
        client_response_time: 0.001337,
        elb_response_code: '200',
        backend_response_code: '200',
        received_bytes: 0n,
        sent_bytes: 57n,
        request_verb: 'GET',
        url: 'https://www.example.com:443/',
        protocol: 'HTTP/1.1',
        user_agent: 'curl/7.38.0',
        ssl_cipher: 'DHE-RSA-AES128-SHA',
        ssl_protocol: 'TLSv1.2',
      },
      {
        ...common,
        request_processing_time: 0.001069,
        backend_processing_time: 0.000028,
        client_response_time: 0.000041,
        elb_response_code: null,
        backend_response_code: null,
        received_bytes: 82n,
        sent_bytes: 305n,
        request_verb: null,
        url: null,
        protocol: null,
        user_agent: null,
        ssl_cipher: null,
        ssl_protocol: null,
      },
      {
        ...common,
        request_processing_time: 0.001065,
        backend_processing_time: 0.000015,
        client_response_time: 0.000023,
        elb_response_code: null,
        backend_response_code: null,
        received_bytes: 57n,
        sent_bytes: 502n,
        request_verb: null,
        url: null,
        protocol: null,
        user_agent: null,
        ssl_cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256',
        ssl_protocol: 'TLSv1.2',
      },
    ]);
  });

  it('keeps the real-world shapes: no backend, IPv6, escapes, the first format, future fields', async () => {
    const rows = await run.reader.rows(
      `SELECT request_ip, backend_ip, backend_port, request_processing_time, elb_response_code, url, user_agent, ssl_protocol, record_time
       FROM ${parquet()} WHERE request_ip IN ('203.0.113.50', '2001:db8:85a3::8a2e:370:7334', '192.0.2.10', '192.0.2.11')
       ORDER BY record_time`,
    );

    expect(rows).toEqual([
      {
        request_ip: '192.0.2.10',
        backend_ip: '10.0.2.15',
        backend_port: 80,
        request_processing_time: 0.00005,
        elb_response_code: '200',
        url: 'http://legacy.example.com:80/index.php',
        user_agent: null,
        ssl_protocol: null,
        record_time: new Date('2014-03-06T09:00:00Z'),
      },
      {
        request_ip: '203.0.113.50',
        backend_ip: null,
        backend_port: null,
        request_processing_time: -1,
        elb_response_code: '503',
        url: 'http://legacy.example.com:80/api/status',
        user_agent: 'Apache-HttpClient/4.5.14 (Java/17.0.10)',
        ssl_protocol: null,
        record_time: new Date('2024-05-01T10:00:00.123Z'),
      },
      {
        request_ip: '2001:db8:85a3::8a2e:370:7334',
        backend_ip: '10.0.2.16',
        backend_port: 80,
        request_processing_time: 0.00003,
        elb_response_code: '404',
        url: 'https://legacy.example.com:443/missing%20page',
        user_agent: 'Mozilla/5.0 (compatible; \\"quoted\\" bot)',
        ssl_protocol: 'TLSv1.2',
        record_time: new Date('2024-05-01T10:00:02.500Z'),
      },
      {
        request_ip: '192.0.2.11',
        backend_ip: '10.0.2.15',
        backend_port: 80,
        request_processing_time: 0.00005,
        elb_response_code: '200',
        url: 'http://legacy.example.com:80/export/data.csv',
        user_agent: 'curl/8.5.0',
        ssl_protocol: null,
        record_time: new Date('2024-05-01T10:00:05Z'),
      },
    ]);
  });

  it('quarantines the bad lines with their object key, line number and reason', async () => {
    const rejects = (await run.rejects('elb', partition)).sort(byLine);

    // Lines 1-2 are entries, line 3 is blank, the five bad entries follow.
    expect(rejects.map(({ key, line }) => ({ key, line }))).toEqual(
      [4, 5, 6, 7, 8].map((line) => ({ key: SECOND, line })),
    );
    expect(rejects.slice(0, 3).map((reject) => reject.reason)).toEqual(
      Array.from({ length: 3 }, () => 'line does not match the elb format'),
    );
    expect(rejects[0]?.text).toMatch(/^http 2018-07-02T22:23:00\.186641Z app\//);
    expect(rejects[3]?.reason).toMatch(/request_port.*99999999999/);
    expect(rejects[4]?.reason).toMatch(/request_timestamp.*2015-02-30T23:39:43\.945958Z/);
  });

  it("answers the guide's backend questions: elb-backend-errors and elb-backend-processing-time", async () => {
    const errors = await query('elb-backend-errors');
    const time = await query('elb-backend-processing-time');

    expect(errors.map((row) => [row.backend_ip, row.backend_response_code])).toEqual([
      ['10.0.2.16', '404'],
      ['10.0.2.16', '500'],
      ['10.0.2.99', '502'],
      ['10.0.2.99', '502'],
    ]);
    expect(time[0]).toEqual({ total_seconds: 14.5, elb_name: 'my-loadbalancer', backend_ip: '10.0.2.99' });
    expect(time.map((row) => row.backend_ip)).not.toContain(null);
  });

  it('answers elb-requests-per-client, elb-slowest-requests and elb-top-urls-by-bytes', async () => {
    const clients = await query('elb-requests-per-client');
    const slowest = await query('elb-slowest-requests');
    const urls = await query('elb-top-urls-by-bytes');

    expect(clients[0]).toEqual({ request_ip: '192.168.131.39', requests: 4, received_bytes_total: 139 });
    expect(clients).toContainEqual({ request_ip: '192.0.2.50', requests: 2, received_bytes_total: 0 });
    expect(slowest.slice(0, 2).map((row) => [row.url, row.total_seconds])).toEqual([
      ['http://www.example.com:80/slow', 8.50007],
      ['http://www.example.com:80/slow', 6.00007],
    ]);
    expect(urls[0]).toEqual({
      url: 'http://legacy.example.com:80/export/data.csv',
      requests: 1,
      sent_bytes_total: 1350000,
    });
  });

  it('runs every named ELB query on the lake', async () => {
    await expectEveryQueryAnswers(ELB_QUERIES, query);
  });
});
