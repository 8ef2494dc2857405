import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3_ACCESS_QUERIES } from '../../shared/queries/s3-access.js';
import { matchKey, type KeyMatch } from '../../shared/sources/index.js';
import { s3Access } from '../../shared/sources/s3-access.js';
import { quoteLiteral } from '../../shared/sql/identifiers.js';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import {
  expectOneGroupPerDeliveredColumn,
  expectPortablePattern,
  expectRe2AgreesWithJs,
  fixtureLine as lineOf,
  fixtureLines as linesOf,
  parseLine,
  recordOf,
} from '../fixtures/regex-records.js';
import { createConvertedTable, duckdbQueries, expectColumnsWellNamed } from '../fixtures/source-checks.js';

/*
 * Fixtures (test/fixtures/logs/s3_access/):
 * - aws-doc-2014.log: the example records of the 2014 format page (they end after Version Id),
 *   https://docs.aws.amazon.com/AmazonS3/latest/dev/LogFormat.html as published then;
 * - aws-doc-2019.log: the 2019 example records (ending after TLS version), from
 *   https://github.com/awsdocs/amazon-s3-userguide/blob/main/doc_source/LogFormat.md;
 * - aws-doc-current.log: the current examples, with Access Point ARN, ACL required and the
 *   trailing source region: https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html;
 * - edge-cases.log: our own records of real-world shapes (IPv6, IAM/STS requesters, raw quotes
 *   in user agents and request lines as reported in aws-samples/siem-on-amazon-opensearch-service
 *   #34/#254 and cocoonlife/s3-log-parse#1, `\"`, bare `-` for quoted fields, lifecycle, copy,
 *   website and batch-delete records, short records, fields AWS may append in future);
 * - rejects.log: a non-numeric bytessent, a truncated record, an impossible date.
 */
const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'logs', 's3_access');

const fixtureLines = (file: string) => linesOf(FIXTURES, file);
const fixtureLine = (file: string, index: number) => lineOf(FIXTURES, file, index);
/** A record's values as the engine contract reads them; undefined when the line does not match. */
const parse = (line: string) => parseLine(s3Access, line);

const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';

describe('s3_access source declaration', () => {
  it("keeps the Athena user guide's column names and types, then sourceregion and record_time", () => {
    const columns = s3Access.columns.map((column) => [column.name, column.type]);

    expect(columns).toEqual([
      ['bucketowner', 'string'],
      ['bucket_name', 'string'],
      ['requestdatetime', 'string'],
      ['remoteip', 'string'],
      ['requester', 'string'],
      ['requestid', 'string'],
      ['operation', 'string'],
      ['key', 'string'],
      ['request_uri', 'string'],
      ['httpstatus', 'string'],
      ['errorcode', 'string'],
      ['bytessent', 'bigint'],
      ['objectsize', 'bigint'],
      ['totaltime', 'string'],
      ['turnaroundtime', 'string'],
      ['referrer', 'string'],
      ['useragent', 'string'],
      ['versionid', 'string'],
      ['hostid', 'string'],
      ['sigv', 'string'],
      ['ciphersuite', 'string'],
      ['authtype', 'string'],
      ['endpoint', 'string'],
      ['tlsversion', 'string'],
      ['accesspointarn', 'string'],
      ['aclrequired', 'string'],
      ['sourceregion', 'string'],
      ['record_time', 'timestamp'],
    ]);
    expect(s3Access.columns.at(-1)).toMatchObject({
      derive: { kind: 'clf-timestamp', from: 'requestdatetime' },
    });
  });

  it('names every column validly, once, never as a partition column, and describes it', () => {
    expectColumnsWellNamed(s3Access);
  });

  it('has one capturing group per delivered column, in column order', () => {
    expectOneGroupPerDeliveredColumn(s3Access);
  });

  it('uses only portable syntax: anchored, no named groups, no lookaround, no backreferences', () => {
    expectPortablePattern(s3Access);
  });

  it('clusters by the columns the named queries filter and group by', () => {
    expect(s3Access.clusterBy).toEqual(['operation', 'remoteip']);
  });
});

describe('s3_access records (JavaScript)', () => {
  it('reads the 2014 documentation records, which end after Version Id', () => {
    const put = parse(fixtureLine('aws-doc-2014.log', 4));

    expect(
      fixtureLines('aws-doc-2014.log')
        .map(parse)
        .every((record) => record !== undefined),
    ).toBe(true);
    expect(put).toEqual({
      bucketowner: OWNER,
      bucket_name: 'mybucket',
      requestdatetime: '06/Feb/2014:00:01:57 +0000',
      remoteip: '192.0.2.3',
      requester: OWNER,
      requestid: 'DD6CC733AEXAMPLE',
      operation: 'REST.PUT.OBJECT',
      key: 's3-dg.pdf',
      request_uri: 'PUT /mybucket/s3-dg.pdf HTTP/1.1',
      httpstatus: '200',
      errorcode: null,
      bytessent: null,
      objectsize: '4406583',
      totaltime: '41754',
      turnaroundtime: '28',
      referrer: null,
      useragent: 'S3Console/0.4',
      versionid: null,
      hostid: null,
      sigv: null,
      ciphersuite: null,
      authtype: null,
      endpoint: null,
      tlsversion: null,
      accesspointarn: null,
      aclrequired: null,
      sourceregion: null,
    });
  });

  it('reads the 2019 documentation records, which end after TLS version', () => {
    const records = fixtureLines('aws-doc-2019.log').map(parse);

    expect(records.every((record) => record !== undefined)).toBe(true);
    expect(records[2]).toMatchObject({
      bucket_name: 'awsexamplebucket1',
      requestid: 'A1206F460EXAMPLE',
      operation: 'REST.GET.BUCKETPOLICY',
      key: null,
      request_uri: 'GET /awsexamplebucket1?policy HTTP/1.1',
      httpstatus: '404',
      errorcode: 'NoSuchBucketPolicy',
      bytessent: '297',
      objectsize: null,
      totaltime: '38',
      turnaroundtime: null,
      referrer: null,
      useragent: 'S3Console/0.4',
      hostid: 'BNaBsXZQQDbssi6xMBdBU2sLt+Yf5kZDmeBUP35sFoKa3sLLeMC78iwEIWxs99CRUrbS4n11234=',
      sigv: 'SigV2',
      ciphersuite: 'ECDHE-RSA-AES128-GCM-SHA256',
      authtype: 'AuthHeader',
      endpoint: 'awsexamplebucket1.s3.us-west-1.amazonaws.com',
      tlsversion: 'TLSV1.1',
      accesspointarn: null,
      aclrequired: null,
      sourceregion: null,
    });
    expect(records[4]).toMatchObject({ sigv: 'SigV4', ciphersuite: 'ECDHE-RSA-AES128-SHA' });
  });

  it('reads every field of the current documentation records', () => {
    const [withAccessPoint, without] = fixtureLines('aws-doc-current.log').map(parse);

    expect(withAccessPoint).toEqual({
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
      bytessent: '113',
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
    });
    expect(without).toMatchObject({
      requestid: '891CE47D2EXAMPLE',
      accesspointarn: null,
      aclrequired: null,
      sourceregion: 'us-east-1',
    });
  });

  it.each<[string, number, Record<string, string | null>]>([
    [
      'IPv6 client, STS requester, ranged GET through a presigned URL, TLS 1.3',
      0,
      {
        remoteip: '2001:db8:85a3::8a2e:370:7334',
        requester: 'arn:aws:sts::123456789012:assumed-role/reader/session-1',
        key: 'videos/intro%20clip.mp4',
        request_uri: 'GET /videos/intro%20clip.mp4?x-user=johndoe HTTP/1.1',
        httpstatus: '206',
        bytessent: '1048576',
        objectsize: '73400320',
        referrer: 'https://www.example.com/watch?v=1',
        useragent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
        versionid: '3HL4kqtJvjVBH40Nrjfkd',
        authtype: 'QueryString',
        tlsversion: 'TLSv1.3',
        sourceregion: 'eu-west-1',
      },
    ],
    [
      'raw quotes inside the user agent (S3 does not escape them)',
      1,
      {
        requester: null,
        useragent: 'Mozilla/5.0 (compatible; "Quoted" Crawler/2.1; +http://crawler.example.org/)',
        versionid: null,
        sigv: null,
        authtype: null,
        endpoint: 'media-bucket.s3.amazonaws.com',
      },
    ],
    [
      'a backslash-escaped quote in the user agent, kept as delivered',
      2,
      { useragent: 'Dalvik/2.1.0 (Linux; U; Android 5.1; Alba 10\\" Build/LMY47I)', sourceregion: null },
    ],
    [
      'a user agent ending in a stray quote, in a record ending after TLS version',
      3,
      {
        referrer: 'https://example.com/some/url',
        useragent:
          'Mozilla/5.0 (iPad; CPU OS 13_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.1 Mobile/15E148 Safari/604.1"',
        versionid: null,
        endpoint: 'media-bucket.s3.ap-northeast-1.amazonaws.com',
        tlsversion: 'TLSv1.2',
        accesspointarn: null,
      },
    ],
    [
      'a raw quote inside the request line',
      4,
      {
        key: '%2522',
        request_uri: 'GET /" HTTP/1.1',
        httpstatus: '403',
        errorcode: 'AccessDenied',
        referrer: 'referer test',
        useragent: 'curl/7.38.0',
      },
    ],
    [
      'bare - for referrer and user agent, 304 HEAD',
      5,
      {
        operation: 'REST.HEAD.OBJECT',
        httpstatus: '304',
        bytessent: null,
        objectsize: '9123',
        referrer: null,
        useragent: null,
        versionid: null,
        sigv: 'SigV4',
      },
    ],
    [
      'a lifecycle expiration: no client, no request line, no status',
      6,
      {
        remoteip: null,
        requester: 'AmazonS3',
        operation: 'S3.EXPIRE.OBJECT',
        key: 'tmp/old-report.csv',
        request_uri: null,
        httpstatus: null,
        objectsize: '4096',
        referrer: null,
        useragent: null,
        sourceregion: null,
      },
    ],
    [
      'the GET half of a copy, with a user agent of many spaces',
      7,
      {
        remoteip: '10.20.30.40',
        requester: 'arn:aws:iam::123456789012:user/copier',
        operation: 'REST.COPY.OBJECT_GET',
        key: 'reports/2024/q1.pdf',
        request_uri: null,
        objectsize: '7340032',
        useragent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.amzn.2023 prompt/off command/s3.cp',
      },
    ],
    [
      'a website GET over plain HTTP',
      8,
      {
        operation: 'WEBSITE.GET.OBJECT',
        referrer: 'http://media-bucket.s3-website-eu-west-1.amazonaws.com/',
        ciphersuite: null,
        tlsversion: null,
        endpoint: 'media-bucket.s3-website-eu-west-1.amazonaws.com',
      },
    ],
    [
      'a batch delete entry',
      9,
      {
        operation: 'BATCH.DELETE.OBJECT',
        key: 'tmp/a.txt',
        request_uri: null,
        httpstatus: '204',
        referrer: null,
        useragent: null,
      },
    ],
    [
      'fields AWS may append in future, quoted or not, are ignored',
      10,
      {
        operation: 'REST.PUT.OBJECT',
        objectsize: '734',
        accesspointarn: 'arn:aws:s3:eu-west-1:123456789012:accesspoint/uploads-ap',
        aclrequired: 'Yes',
        sourceregion: 'eu-west-1',
      },
    ],
    [
      'a record ending after Host Id',
      11,
      {
        operation: 'REST.GET.BUCKET',
        request_uri: 'GET /?list-type=2&prefix=uploads%2F HTTP/1.1',
        hostid: 'Zx9Lk2V3c4ZpQ1w2e3r4t5y6u7i8o9p0AaBbCcDdEeFfGgHhIiJjKkLlMmNnOo1234=',
        sigv: null,
        endpoint: null,
      },
    ],
  ])('edge case: %s', (_label, index, expected) => {
    const record = parse(fixtureLine('edge-cases.log', index));

    expect(record).toMatchObject(expected);
  });

  it('does not let a quote inside a user agent shift later fields', () => {
    // A short record (it ends after Version Id): the only split that fits is the whole agent.
    const line = `${OWNER} b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - REQ REST.GET.OBJECT k "GET /b/k HTTP/1.1" 200 - 1 1 1 1 "-" "agent" v2 x y" 3HL4kqtJvjVBH40Nrjfkd`;

    expect(parse(line)).toMatchObject({ useragent: 'agent" v2 x y', versionid: '3HL4kqtJvjVBH40Nrjfkd' });
  });

  it.each<[string, string]>([
    ['a truncated record', fixtureLine('rejects.log', 1)],
    [
      'no bracketed time',
      `${OWNER} b 06/Feb/2019:00:00:38 192.0.2.3 - R REST.GET.OBJECT k "GET / HTTP/1.1" 200 - 1 1 1 1 "-" "a" -`,
    ],
    [
      'a status that is not a number',
      `${OWNER} b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - R REST.GET.OBJECT k "GET / HTTP/1.1" OK - 1 1 1 1 "-" "a" -`,
    ],
    [
      'an unterminated user agent',
      `${OWNER} b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - R REST.GET.OBJECT k "GET / HTTP/1.1" 200 - 1 1 1 1 "-" "a -`,
    ],
    [
      'a line of another log type',
      '2 123456789012 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 49152 6 10 840 1700000000 1700000060 ACCEPT OK',
    ],
  ])('does not match %s (the line is rejected)', (_label, line) => {
    expect(parse(line)).toBeUndefined();
  });

  it('matches records whose values the engine then rejects (a bad number, an impossible date)', () => {
    const badNumber = parse(fixtureLine('rejects.log', 0));
    const badDate = parse(fixtureLine('rejects.log', 2));

    expect(badNumber).toMatchObject({ bytessent: '12a' });
    expect(badDate).toMatchObject({ requestdatetime: '31/Foo/2024:10:00:02 +0000' });
  });
});

describe('s3_access records in DuckDB (RE2)', () => {
  let reader: DuckDBReader;
  const allLines = [
    'aws-doc-2014.log',
    'aws-doc-2019.log',
    'aws-doc-current.log',
    'edge-cases.log',
    'rejects.log',
  ].flatMap(fixtureLines);

  beforeAll(async () => {
    reader = await DuckDBReader.open();
  });
  afterAll(() => reader.close());

  it('gives every fixture line the same match and groups as JavaScript', async () => {
    await expectRe2AgreesWithJs(reader, s3Access, allLines);
  });

  it('reads requestdatetime as a CLF timestamp, and not an impossible one', async () => {
    const times = ['aws-doc-current.log', 'edge-cases.log', 'rejects.log']
      .flatMap(fixtureLines)
      .map(parse)
      .map((record) => record?.requestdatetime)
      .filter((time): time is string => typeof time === 'string');

    const rows = await reader.rows(
      `SELECT t, try_strptime(t, '%d/%b/%Y:%H:%M:%S %z') AS parsed FROM (VALUES ${times
        .map((time) => `(${quoteLiteral(time)})`)
        .join(', ')}) AS v(t)`,
    );

    const parsed = new Map(rows.map((row) => [row.t, row.parsed]));
    expect(parsed.get('06/Feb/2019:00:00:38 +0000')).toBeInstanceOf(Date);
    expect((parsed.get('14/Mar/2024:23:59:59 +0000') as Date).toISOString()).toBe('2024-03-14T23:59:59.000Z');
    expect(parsed.get('31/Foo/2024:10:00:02 +0000')).toBeNull();
  });
});

describe('matchKey(s3_access)', () => {
  const FLAT = { account: '111122223333', region: 'us-east-2' };

  it.each<[string, string, KeyMatch]>([
    [
      'partitioned prefix',
      'logs/123456789012/us-east-1/media-bucket/2024/03/14/2024-03-14-09-30-00-E568B2907131C0C0',
      { layout: 'partitioned', account: '123456789012', region: 'us-east-1', date: '2024-03-14' },
    ],
    [
      'partitioned, account with a leading zero, several prefix folders, dotted bucket name',
      'central/s3-logs/012345678901/ap-southeast-2/my.bucket.example/2024/02/29/2024-02-29-23-59-59-0123456789ABCDEF',
      { layout: 'partitioned', account: '012345678901', region: 'ap-southeast-2', date: '2024-02-29' },
    ],
    [
      'partitioned without a prefix',
      '123456789012/eu-west-1/b/2024/01/01/2024-01-02-00-00-07-ABCDEF0123456789',
      { layout: 'partitioned', account: '123456789012', region: 'eu-west-1', date: '2024-01-01' },
    ],
    [
      'partitioned, prefix ending without a slash',
      'logs-123456789012/us-gov-west-1/b/2024/12/31/2024-12-31-10-00-00-ABCDEF0123456789',
      { layout: 'partitioned', account: '123456789012', region: 'us-gov-west-1', date: '2024-12-31' },
    ],
    [
      'simple prefix ending with a slash',
      'logs/2024-03-14-09-30-00-E568B2907131C0C0',
      { layout: 'simple', account: '111122223333', region: 'us-east-2', date: '2024-03-14' },
    ],
    [
      'simple prefix ending inside the file name',
      'access/logs/mybucket-2023-12-31-23-59-59-0123456789ABCDEF',
      { layout: 'simple', account: '111122223333', region: 'us-east-2', date: '2023-12-31' },
    ],
    [
      'simple, no prefix at all',
      '2024-01-05-00-10-00-0123456789ABCDEF',
      { layout: 'simple', account: '111122223333', region: 'us-east-2', date: '2024-01-05' },
    ],
    [
      'simple, a prefix holding digits and dashes of its own',
      'logs/app-2019-v2-2024-06-01-12-00-00-0123456789ABCDEF',
      { layout: 'simple', account: '111122223333', region: 'us-east-2', date: '2024-06-01' },
    ],
  ])('%s', (_label, key, expected) => {
    expect(matchKey(s3Access, key, FLAT)).toEqual(expected);
  });

  it('names unconfigured account and region of the simple layout "unknown"', () => {
    expect(matchKey(s3Access, 'logs/2024-03-14-09-30-00-E568B2907131C0C0')).toEqual({
      layout: 'simple',
      account: 'unknown',
      region: 'unknown',
      date: '2024-03-14',
    });
  });

  it.each<[string, string]>([
    ['impossible date', 'logs/2024-02-30-09-30-00-E568B2907131C0C0'],
    ['hour 24', 'logs/2024-03-14-24-00-00-E568B2907131C0C0'],
    ['no unique string', 'logs/2024-03-14-09-30-00'],
    ['a gzip name', 'logs/2024-03-14-09-30-00-E568B2907131C0C0.gz'],
    ['a folder, not an object', 'logs/2024-03-14-09-30-00-E568B2907131C0C0/'],
    [
      'partitioned, impossible folder date',
      '123456789012/us-east-1/b/2023/02/29/2023-02-29-00-00-00-ABCDEF0123456789',
    ],
    [
      'a VPC flow log key',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/05/123456789012_vpcflowlogs_us-east-1_fl-1_20240105T0010Z_1a2b.log.gz',
    ],
    ['a CloudFront key', 'cf/E2ABCDEF123456.2024-01-05-10.a1b2c3d4.gz'],
  ])('does not match: %s', (_label, key) => {
    expect(matchKey(s3Access, key, FLAT)).toBeUndefined();
  });
});

describe('s3_access named queries', () => {
  let reader: DuckDBReader;

  beforeAll(async () => {
    reader = await DuckDBReader.open();
    // The converted table, from the fixtures' parsed records, on two days and a third left out.
    const get = (ip: string, size: string) =>
      recordOf(
        s3Access,
        fixtureLine('edge-cases.log', 0)
          .replace('2001:db8:85a3::8a2e:370:7334', ip)
          .replace('73400320', size),
      );
    await createConvertedTable(reader, s3Access, { account: '123456789012', region: 'eu-west-1' }, [
      [get('198.51.100.1', '100'), '2024-03-14'],
      [get('198.51.100.1', '250'), '2024-03-15'],
      [get('198.51.100.2', '300'), '2024-03-15'],
      [get('198.51.100.3', '9999'), '2024-03-16'],
      [recordOf(s3Access, fixtureLine('edge-cases.log', 7)), '2024-03-14'],
      [recordOf(s3Access, fixtureLine('edge-cases.log', 10)), '2024-03-14'],
    ]);
  });
  afterAll(() => reader.close());

  const run = duckdbQueries(() => reader, S3_ACCESS_QUERIES, { from: '2024-03-14', to: '2024-03-15' });

  it('answers top-downloaders over two days: objectsize of REST.GET.OBJECT by remote IP', async () => {
    expect(await run('top-downloaders')).toEqual([
      { remoteip: '198.51.100.1', requests: 2n, total_bytes: 350n },
      { remoteip: '198.51.100.2', requests: 1n, total_bytes: 300n },
    ]);
  });

  it('answers top-copiers: objectsize of REST.COPY.OBJECT_GET by remote IP', async () => {
    expect(await run('top-copiers')).toEqual([
      { remoteip: '10.20.30.40', requests: 1n, total_bytes: 7340032n },
    ]);
  });

  it('ships both dialects, filtering on the partitions and the operation', () => {
    for (const query of S3_ACCESS_QUERIES) {
      expect(query.source).toBe('s3_access');
      expect(query.athena).toContain('{{partition_filter}}');
      expect(query.duckdb).toContain('{{partition_filter}}');
      expect(query.athena).toMatch(/operation = 'REST\.(GET\.OBJECT|COPY\.OBJECT_GET)'/);
    }
    expect(S3_ACCESS_QUERIES.map((query) => query.name)).toEqual(['top-downloaders', 'top-copiers']);
  });
});
