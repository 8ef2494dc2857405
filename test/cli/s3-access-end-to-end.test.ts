import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSummary, writeConfig, type CliResult } from '../fixtures/cli-runner.js';
import { byLine, LakeRun, partitionCounts, succeeded } from '../fixtures/lake-run.js';

/*
 * S3 server access logs through the built CLI, in both key layouts S3 delivers:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html (log object key format).
 * The records are the fixtures of test/sources/s3-access.test.ts (AWS documentation examples of
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html and our edge cases).
 */
const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'logs', 's3_access');
const fixture = (file: string) => readFile(join(FIXTURES, file), 'utf8');

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const FLAT_ACCOUNT = '111122223333';
const FLAT_REGION = 'us-east-2';
const DAY = '2024-03-14';
const NEXT_DAY = '2024-03-15';
const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
const HOST_ID = 'Zx9Lk2V3c4ZpQ1w2e3r4t5y6u7i8o9p0AaBbCcDdEeFfGgHhIiJjKkLlMmNnOo1234=';

const partitionedKey = (date: string, name: string) =>
  `logs/${ACCOUNT}/${REGION}/media-bucket/${date.replaceAll('-', '/')}/${name}`;

/** A day-two object: more downloads by a known client, a copy, a HEAD that no query counts. */
const NEXT_DAY_RECORDS = [
  `${OWNER} media-bucket [15/Mar/2024:08:00:00 +0000] 198.51.100.7 - 1B2C3D4EEXAMPLE REST.GET.OBJECT big.bin "GET /big.bin HTTP/1.1" 200 - 80000000 80000000 5210 40 "-" "curl/8.5.0" - ${HOST_ID} SigV4 TLS_AES_128_GCM_SHA256 AuthHeader media-bucket.s3.eu-west-1.amazonaws.com TLSv1.3 - - eu-west-1`,
  `${OWNER} media-bucket [15/Mar/2024:08:00:01 +0000] 10.20.30.40 arn:aws:iam::${ACCOUNT}:user/copier 1B2C3D4FEXAMPLE REST.COPY.OBJECT_GET small.txt - 200 - - 1000 - - "-" "aws-cli/2.15.0 Python/3.11.6" - ${HOST_ID} SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader media-bucket.s3.eu-west-1.amazonaws.com TLSv1.2 - - eu-west-1`,
  `${OWNER} media-bucket [15/Mar/2024:08:00:02 +0000] 198.51.100.9 - 1B2C3D50EXAMPLE REST.HEAD.OBJECT big.bin "HEAD /big.bin HTTP/1.1" 200 - - 80000000 3 2 "-" "curl/8.5.0" - ${HOST_ID} - TLS_AES_128_GCM_SHA256 - media-bucket.s3.eu-west-1.amazonaws.com TLSv1.3 - - eu-west-1`,
];

describe('s3_access end to end through the CLI', () => {
  let run: LakeRun;
  let config: string;
  let backfill: CliResult;

  const partition = (account: string, region: string, date: string) => ({ account, region, date });
  const parquet = (account: string, region: string, date: string) =>
    run.scan('s3_access', partition(account, region, date));
  const query = (...args: string[]) => run.query(...args, '--config', config);

  beforeAll(async () => {
    run = await LakeRun.create('s3-access-e2e');
    // Date-based partitioning: two objects on the first day (the second with CRLF line ends, a
    // blank line and three bad records), one on the next. Uncompressed, as S3 delivers them.
    const mixed = [
      ...(await fixture('aws-doc-current.log')).trimEnd().split('\n'),
      '',
      ...(await fixture('rejects.log')).trimEnd().split('\n'),
    ];
    await run.write(
      {
        key: partitionedKey(DAY, '2024-03-14-10-05-12-E568B2907131C0C0'),
        text: await fixture('edge-cases.log'),
        gzip: false,
      },
      {
        key: partitionedKey(DAY, '2024-03-14-23-59-58-0123456789ABCDEF'),
        text: `${mixed.join('\r\n')}\r\n`,
        gzip: false,
      },
      {
        key: partitionedKey(NEXT_DAY, '2024-03-15-09-00-03-FEDCBA9876543210'),
        text: `${NEXT_DAY_RECORDS.join('\n')}\n`,
        gzip: false,
      },
      // Non-date-based partitioning: the prefix ends inside the file name; the configuration names
      // the account and region its keys do not.
      {
        key: 'access-logs/mybucket-2024-03-14-10-00-00-E568B2907131C0C0',
        text: await fixture('aws-doc-2019.log'),
        gzip: false,
      },
      {
        key: 'access-logs/mybucket-2024-03-14-22-15-02-0123456789ABCDEF',
        text: await fixture('aws-doc-2014.log'),
        gzip: false,
      },
    );
    config = await writeConfig(run.workdir, {
      flatLayouts: { s3_access: { account: FLAT_ACCOUNT, region: FLAT_REGION } },
    });

    backfill = await run.backfill(
      { from: DAY, to: NEXT_DAY },
      '--source',
      's3_access',
      '--config',
      config,
      '--json',
    );
  });

  afterAll(async () => {
    await run?.close();
  });

  it('converts one partition per account, region and day of both layouts, counting every line', () => {
    const partitions = partitionCounts(parseSummary(backfill)).sort((a, b) =>
      `${a.account}${a.date}`.localeCompare(`${b.account}${b.date}`),
    );

    expect(backfill.code, backfill.stderr).toBe(0);
    expect(partitions).toEqual([
      succeeded('s3_access', partition(FLAT_ACCOUNT, FLAT_REGION, DAY), 10, 10, 0),
      succeeded('s3_access', partition(ACCOUNT, REGION, DAY), 17, 14, 3),
      succeeded('s3_access', partition(ACCOUNT, REGION, NEXT_DAY), 3, 3, 0),
    ]);
  });

  it("writes the Athena guide's columns with their types, plus record_time", async () => {
    const schema = await run.schema('s3_access', partition(ACCOUNT, REGION, DAY));

    expect([...schema.keys()]).toEqual([
      'bucketowner',
      'bucket_name',
      'requestdatetime',
      'remoteip',
      'requester',
      'requestid',
      'operation',
      'key',
      'request_uri',
      'httpstatus',
      'errorcode',
      'bytessent',
      'objectsize',
      'totaltime',
      'turnaroundtime',
      'referrer',
      'useragent',
      'versionid',
      'hostid',
      'sigv',
      'ciphersuite',
      'authtype',
      'endpoint',
      'tlsversion',
      'accesspointarn',
      'aclrequired',
      'sourceregion',
      'record_time',
    ]);
    expect(schema.get('bytessent')).toBe('BIGINT');
    expect(schema.get('objectsize')).toBe('BIGINT');
    expect(schema.get('httpstatus')).toBe('VARCHAR');
    expect(schema.get('record_time')).toBe('TIMESTAMP');
    expect(
      await run.reader.parquetCodecs(run.partitionFile('s3_access', partition(ACCOUNT, REGION, DAY))),
    ).toEqual(['SNAPPY']);
  });

  it('stores every field of a documented record, brackets and quotes removed, - as NULL', async () => {
    const rows = await run.reader.rows(
      `SELECT * FROM ${parquet(ACCOUNT, REGION, DAY)} WHERE requestid = '3E57427F3EXAMPLE'`,
    );

    expect(rows).toEqual([
      {
        bucketowner: OWNER,
        bucket_name: 'amzn-s3-demo-bucket1',
        requestdatetime: '06/Feb/2019:00:00:38 +0000',
        remoteip: '192.0.2.3',
        requester: OWNER,
        requestid: '3E57427F3EXAMPLE',
        operation: 'REST.GET.VERSIONING',
        key: null,
        request_uri: 'GET /amzn-s3-demo-bucket1?versioning HTTP/1.1',
        httpstatus: '200',
        errorcode: null,
        bytessent: 113n,
        objectsize: null,
        totaltime: '7',
        turnaroundtime: null,
        referrer: null,
        useragent: 'S3Console/0.4',
        versionid: null,
        hostid: 's9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=',
        sigv: 'SigV4',
        ciphersuite: 'ECDHE-RSA-AES128-GCM-SHA256',
        authtype: 'AuthHeader',
        endpoint: 'amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com',
        tlsversion: 'TLSV1.2',
        accesspointarn: 'arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP',
        aclrequired: 'Yes',
        sourceregion: 'us-east-1',
        record_time: new Date('2019-02-06T00:00:38Z'),
      },
    ]);
  });

  it('keeps the real-world shapes: IPv6, raw and escaped quotes, bare -, lifecycle, future fields', async () => {
    const rows = await run.reader.rows(
      `SELECT requestid, remoteip, request_uri, httpstatus, objectsize, useragent, tlsversion, sourceregion, record_time
       FROM ${parquet(ACCOUNT, REGION, DAY)}
       WHERE requestid IN ('7QF2M1K8EXAMPLE', '8AB1C2D3EXAMPLE', '8AB1C2D4EXAMPLE', '63DAF67A2EXAMPLE', '9C4B1E2AEXAMPLE', '0F1E2D3CEXAMPLE')
       ORDER BY requestid`,
    );

    expect(rows).toEqual([
      {
        requestid: '0F1E2D3CEXAMPLE',
        remoteip: '192.0.2.3',
        request_uri: 'PUT /uploads/data.json HTTP/1.1',
        httpstatus: '200',
        objectsize: 734n,
        useragent: 'aws-sdk-java/2.25.0',
        tlsversion: 'TLSv1.2',
        sourceregion: 'eu-west-1',
        record_time: new Date('2024-03-14T09:27:09Z'),
      },
      {
        requestid: '63DAF67A2EXAMPLE',
        remoteip: '192.0.2.44',
        request_uri: 'GET /" HTTP/1.1',
        httpstatus: '403',
        objectsize: null,
        useragent: 'curl/7.38.0',
        tlsversion: 'TLSv1.2',
        sourceregion: null,
        record_time: new Date('2024-03-14T09:27:04Z'),
      },
      {
        requestid: '7QF2M1K8EXAMPLE',
        remoteip: '2001:db8:85a3::8a2e:370:7334',
        request_uri: 'GET /videos/intro%20clip.mp4?x-user=johndoe HTTP/1.1',
        httpstatus: '206',
        objectsize: 73400320n,
        useragent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
        tlsversion: 'TLSv1.3',
        sourceregion: 'eu-west-1',
        record_time: new Date('2024-03-14T09:26:53Z'),
      },
      {
        requestid: '8AB1C2D3EXAMPLE',
        remoteip: '198.51.100.7',
        request_uri: 'GET /index.html HTTP/1.1',
        httpstatus: '200',
        objectsize: 5120n,
        useragent: 'Mozilla/5.0 (compatible; "Quoted" Crawler/2.1; +http://crawler.example.org/)',
        tlsversion: 'TLSv1.2',
        sourceregion: 'eu-west-1',
        record_time: new Date('2024-03-14T09:27:01Z'),
      },
      {
        requestid: '8AB1C2D4EXAMPLE',
        remoteip: '198.51.100.8',
        request_uri: 'GET /app.apk HTTP/1.1',
        httpstatus: '200',
        objectsize: 2048n,
        useragent: 'Dalvik/2.1.0 (Linux; U; Android 5.1; Alba 10\\" Build/LMY47I)',
        tlsversion: 'TLSv1.2',
        sourceregion: null,
        record_time: new Date('2024-03-14T09:27:02Z'),
      },
      {
        requestid: '9C4B1E2AEXAMPLE',
        remoteip: null,
        request_uri: null,
        httpstatus: null,
        objectsize: 4096n,
        useragent: null,
        tlsversion: null,
        sourceregion: null,
        record_time: new Date('2024-03-14T23:59:59Z'),
      },
    ]);
  });

  it('reads the simple layout under the configured account and region, old records included', async () => {
    const rows = await run.reader.rows(
      `SELECT requestid, bucket_name, key, objectsize, totaltime, sigv, tlsversion, hostid IS NULL AS short
       FROM ${parquet(FLAT_ACCOUNT, FLAT_REGION, DAY)}
       WHERE operation = 'REST.PUT.OBJECT' ORDER BY bucket_name`,
    );
    const count = await run.reader.rows(
      `SELECT count(*) AS n FROM ${parquet(FLAT_ACCOUNT, FLAT_REGION, DAY)}`,
    );

    expect(count).toEqual([{ n: 10n }]);
    expect(rows).toEqual([
      {
        requestid: 'DD6CC733AEXAMPLE',
        bucket_name: 'awsexamplebucket1',
        key: 's3-dg.pdf',
        objectsize: 4406583n,
        totaltime: '41754',
        sigv: 'SigV4',
        tlsversion: 'TLSV1.1',
        short: false,
      },
      {
        requestid: 'DD6CC733AEXAMPLE',
        bucket_name: 'mybucket',
        key: 's3-dg.pdf',
        objectsize: 4406583n,
        totaltime: '41754',
        sigv: null,
        tlsversion: null,
        short: true,
      },
    ]);
  });

  it('quarantines the bad lines with their object key, line number and reason', async () => {
    const rejects = (await run.rejects('s3_access', partition(ACCOUNT, REGION, DAY))).sort(byLine);

    expect(rejects.map(({ key, line }) => ({ key, line }))).toEqual([
      { key: partitionedKey(DAY, '2024-03-14-23-59-58-0123456789ABCDEF'), line: 4 },
      { key: partitionedKey(DAY, '2024-03-14-23-59-58-0123456789ABCDEF'), line: 5 },
      { key: partitionedKey(DAY, '2024-03-14-23-59-58-0123456789ABCDEF'), line: 6 },
    ]);
    expect(rejects[0]?.reason).toMatch(/bytessent/);
    expect(rejects[1]?.reason).toMatch(/does not match the s3_access format/);
    expect(rejects[2]?.reason).toMatch(/requestdatetime/);
    expect(rejects[1]?.text).toContain('2A3B4C5EEXAMPLE');
  });

  it('answers top-downloaders over two days from the lake', async () => {
    expect(await query('top-downloaders', '--from', DAY, '--to', NEXT_DAY)).toEqual([
      { remoteip: '198.51.100.7', requests: 2, total_bytes: 80005120 },
      { remoteip: '2001:db8:85a3::8a2e:370:7334', requests: 1, total_bytes: 73400320 },
      { remoteip: '203.0.113.9', requests: 1, total_bytes: 49851 },
      { remoteip: '198.51.100.8', requests: 1, total_bytes: 2048 },
      // The 403 sent no object: its sum is NULL and sorts last.
      { remoteip: '192.0.2.44', requests: 1, total_bytes: null },
    ]);
    expect(await query('top-downloaders', '--date', NEXT_DAY)).toEqual([
      { remoteip: '198.51.100.7', requests: 1, total_bytes: 80000000 },
    ]);
  });

  it('answers top-copiers over two days from the lake', async () => {
    expect(await query('top-copiers', '--from', DAY, '--to', NEXT_DAY)).toEqual([
      { remoteip: '10.20.30.40', requests: 2, total_bytes: 7341032 },
    ]);
    expect(await query('top-copiers', '--from', DAY, '--to', NEXT_DAY, '--account', FLAT_ACCOUNT)).toEqual(
      [],
    );
  });
});
