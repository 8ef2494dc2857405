import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUDFRONT_QUERIES } from '../../shared/queries/cloudfront.js';
import { CLOUDFRONT_FIELDS } from '../../shared/sources/cloudfront-fields.js';
import { quoteLiteral } from '../../shared/sql/identifiers.js';
import { parseSummary, writeConfig } from '../fixtures/cli-runner.js';
import { LakeRun, succeeded } from '../fixtures/lake-run.js';

const ACCOUNT = '034567890123';
const DAY = '2026-06-15';
const DOMAIN = 'd111111abcdef8.cloudfront.net';
const UA = 'Mozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:125.0)%20Gecko/20100101%20Firefox/125.0';

/** The `#Fields:` directive of a file holding the first `count` fields (33 today, 24 in 2017–2019). */
function fieldsLine(count: number): string {
  return `#Fields: ${CLOUDFRONT_FIELDS.slice(0, count)
    .map((field) => field.header)
    .join(' ')}`;
}

interface Request {
  time: string;
  location: string;
  bytes: string;
  ip: string;
  uri: string;
  status: string;
  result: string;
  detailed?: string;
  id: string;
}

/** One record of www.example.com, all 33 fields; older files keep the first ones. */
function record(request: Request, count = 33): string {
  const error = request.result === 'Error';
  const fields = [
    DAY,
    request.time,
    request.location,
    request.bytes,
    request.ip,
    'GET',
    DOMAIN,
    request.uri,
    request.status,
    'https://www.example.com/',
    UA,
    '-',
    '-',
    request.result,
    request.id,
    'www.example.com',
    'https',
    '410',
    error ? '0.250' : '0.002',
    '-',
    'TLSv1.3',
    'TLS_AES_128_GCM_SHA256',
    request.result,
    'HTTP/2.0',
    '-',
    '-',
    '50123',
    error ? '0.240' : '0.001',
    request.detailed ?? request.result,
    'text/html',
    String(Math.max(0, Number(request.bytes) - 400)),
    '-',
    '-',
  ];
  return fields.slice(0, count).join('\t');
}

describe('cloudfront end to end: backfill, lake, rejects and named queries', () => {
  let run: LakeRun;
  let config: string;
  const partition = { account: ACCOUNT, region: 'global', date: DAY };
  const currentKey = `cf-logs/E2QWRUHAPOMQZL.${DAY}-10.a1b2c3d4.gz`;
  const olderKey = `cf-logs/2019/old-E2QWRUHAPOMQZL.${DAY}-11.b2c3d4e5.gz`;

  beforeAll(async () => {
    run = await LakeRun.create('cloudfront-e2e');
    // CloudFront keys name no account: configuration says whose distribution it is.
    config = await writeConfig(run.workdir, { flatLayouts: { cloudfront: { account: ACCOUNT } } });
    const current = [
      '#Version: 1.0',
      fieldsLine(33),
      record({
        time: '10:01:00',
        location: 'IAD89-C1',
        bytes: '18500',
        ip: '192.0.2.10',
        uri: '/index.html',
        status: '200',
        result: 'Hit',
        id: 'a1',
      }),
      record({
        time: '10:02:00',
        location: 'FRA56-P2',
        bytes: '18600',
        ip: '2001:db8::7',
        uri: '/index.html',
        status: '200',
        result: 'Miss',
        id: 'a2',
      }),
      record({
        time: '10:03:00',
        location: 'IAD89-C1',
        bytes: '285000',
        ip: '192.0.2.10',
        uri: '/img/hero.jpg',
        status: '200',
        result: 'Hit',
        id: 'a3',
      }),
      record({
        time: '10:04:00',
        location: 'IAD89-C1',
        bytes: '900',
        ip: '198.51.100.5',
        uri: '/missing',
        status: '404',
        result: 'Error',
        id: 'a4',
      }),
      record({
        time: '10:05:00',
        location: 'LHR61-C2',
        bytes: '700',
        ip: '192.0.2.10',
        uri: '/api',
        status: '502',
        result: 'Error',
        detailed: 'OriginConnectError',
        id: 'a5',
      }),
      // A damaged record: its byte count is not a number.
      record({
        time: '10:06:00',
        location: 'LHR61-C2',
        bytes: '12abc',
        ip: '192.0.2.10',
        uri: '/api',
        status: '200',
        result: 'Hit',
        id: 'a6',
      }),
    ];
    const older = [
      '#Version: 1.0',
      fieldsLine(24),
      record(
        {
          time: '11:00:00',
          location: 'IAD89-C1',
          bytes: '18400',
          ip: '192.0.2.10',
          uri: '/index.html',
          status: '200',
          result: 'RefreshHit',
          id: 'b1',
        },
        24,
      ),
      record(
        {
          time: '11:30:00',
          location: 'FRA56-P2',
          bytes: '285100',
          ip: '2001:db8::7',
          uri: '/img/hero.jpg',
          status: '200',
          result: 'Hit',
          id: 'b2',
        },
        24,
      ),
    ];
    await run.write(
      { key: currentKey, text: `${current.join('\n')}\n` },
      { key: olderKey, text: `${older.join('\n')}\n` },
    );
  });

  afterAll(async () => {
    await run?.close();
  });

  it('converts the day into the global partition of the configured account, rejecting the damaged record', async () => {
    // Act
    const result = await run.backfill(
      { from: DAY, to: DAY },
      '--source',
      'cloudfront',
      '--config',
      config,
      '--json',
    );

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(parseSummary(result).partitions).toEqual([
      expect.objectContaining(succeeded('cloudfront', partition, 8, 7, 1)),
    ]);
    const file = run.partitionFile('cloudfront', partition);
    const rows = await run.reader.rows(
      `SELECT request_id, strftime(record_time, '%Y-%m-%d %H:%M:%S') AS at, CAST("date" AS VARCHAR) AS day, location, bytes, request_ip, uri, status, result_type, x_edge_detailed_result_type, http_version, c_port, sc_content_len ` +
        `FROM read_parquet(${quoteLiteral(file)}, union_by_name = true) ORDER BY record_time`,
    );
    expect(rows.map((row) => row.request_id)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2']);
    expect(rows[1]).toEqual({
      request_id: 'a2',
      at: '2026-06-15 10:02:00',
      day: DAY,
      location: 'FRA56-P2',
      bytes: 18600n,
      request_ip: '2001:db8::7',
      uri: '/index.html',
      status: 200,
      result_type: 'Miss',
      x_edge_detailed_result_type: 'Miss',
      http_version: 'HTTP/2.0',
      c_port: 50123,
      sc_content_len: 18200n,
    });
    expect(rows[4]).toMatchObject({ status: 502, x_edge_detailed_result_type: 'OriginConnectError' });
    // The 24-field file has no c-port … sc-range-end: NULL, while its own fields are kept.
    expect(rows[6]).toMatchObject({
      request_id: 'b2',
      at: '2026-06-15 11:30:00',
      bytes: 285100n,
      http_version: 'HTTP/2.0',
      c_port: null,
      x_edge_detailed_result_type: null,
      sc_content_len: null,
    });
  });

  it('writes the damaged record to the rejects with its key, line number and reason', async () => {
    const rejects = await run.rejects('cloudfront', partition);

    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ key: currentKey, line: 8 });
    expect(rejects[0]?.reason).toMatch(/bytes/);
    expect(rejects[0]?.text).toContain('\t12abc\t');
  });

  it.each<[string, unknown[]]>([
    ['cloudfront-total-bytes', [{ requests: 7, total_bytes: 627200 }]],
    ['cloudfront-requests-by-distribution', [{ host: DOMAIN, requests: 7, total_bytes: 627200 }]],
    [
      'cloudfront-requests-by-location',
      [
        { location: 'IAD89-C1', requests: 4, total_bytes: 322800 },
        { location: 'FRA56-P2', requests: 2, total_bytes: 303700 },
        { location: 'LHR61-C2', requests: 1, total_bytes: 700 },
      ],
    ],
    [
      'cloudfront-top-uris',
      [
        { host_header: 'www.example.com', uri: '/index.html', requests: 3, total_bytes: 55500 },
        { host_header: 'www.example.com', uri: '/img/hero.jpg', requests: 2, total_bytes: 570100 },
        { host_header: 'www.example.com', uri: '/missing', requests: 1, total_bytes: 900 },
        { host_header: 'www.example.com', uri: '/api', requests: 1, total_bytes: 700 },
      ],
    ],
    [
      'cloudfront-top-client-ips',
      [
        { request_ip: '192.0.2.10', requests: 4, total_bytes: 322600 },
        { request_ip: '2001:db8::7', requests: 2, total_bytes: 303700 },
        { request_ip: '198.51.100.5', requests: 1, total_bytes: 900 },
      ],
    ],
    [
      'cloudfront-error-rates',
      [
        {
          host_header: 'www.example.com',
          requests: 7,
          client_errors: 1,
          server_errors: 1,
          error_percent: 28.57,
        },
      ],
    ],
    [
      'cloudfront-cache-results',
      [
        { result_type: 'Hit', requests: 3, total_bytes: 588600, request_percent: 42.86 },
        { result_type: 'Error', requests: 2, total_bytes: 1600, request_percent: 28.57 },
        { result_type: 'Miss', requests: 1, total_bytes: 18600, request_percent: 14.29 },
        { result_type: 'RefreshHit', requests: 1, total_bytes: 18400, request_percent: 14.29 },
      ],
    ],
  ])('answers %s from the lake', async (name, expected) => {
    expect(await run.query(name, '--from', DAY, '--to', DAY)).toEqual(expected);
  });

  it('covers every named CloudFront query', () => {
    expect(CLOUDFRONT_QUERIES.map((query) => query.name)).toEqual([
      'cloudfront-total-bytes',
      'cloudfront-requests-by-distribution',
      'cloudfront-requests-by-location',
      'cloudfront-top-uris',
      'cloudfront-top-client-ips',
      'cloudfront-error-rates',
      'cloudfront-cache-results',
    ]);
  });
});
