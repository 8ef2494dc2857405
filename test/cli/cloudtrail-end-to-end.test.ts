import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSummary, type CliResult } from '../fixtures/cli-runner.js';
import { LakeRun, partitionCounts, succeeded } from '../fixtures/lake-run.js';

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'logs', 'cloudtrail');
const ACCOUNT = '123456789012';
const DAY = '2024-01-05';
const ORG = 'AWSLogs/o-a1b2c3d4e5';
const dayFolder = (service: string, region: string) => `${ORG}/${ACCOUNT}/${service}/${region}/2024/01/05`;
const logKey = (region: string, time: string, unique: string) =>
  `${dayFolder('CloudTrail', region)}/${ACCOUNT}_CloudTrail_${region}_20240105T${time}Z_${unique}.json.gz`;

type Row = Record<string, unknown>;

async function fixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, name), 'utf8');
}

/** As CloudTrail delivers a log file: the whole document on one line. */
function oneLine(text: string): string {
  return JSON.stringify(JSON.parse(text));
}

/** A realistic big delivery: 1000 records on one line, well over 1 MiB. */
async function bigDelivery(): Promise<string> {
  const [template] = (JSON.parse(await fixture('data-events.json')) as { Records: Row[] }).Records;
  const records = Array.from({ length: 1000 }, (_, index) => ({
    ...template,
    awsRegion: 'eu-west-1',
    eventTime: `2024-01-05T12:${String(Math.floor(index / 60)).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}Z`,
    eventID: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    requestParameters: { bucketName: 'big-bucket', key: `part/${index}/${'x'.repeat(900)}` },
  }));
  return JSON.stringify({ Records: records });
}

describe('cloudtrail end to end through the CLI', () => {
  let run: LakeRun;
  let backfill: CliResult;
  const partition = (region: string) => ({ account: ACCOUNT, region, date: DAY });
  const partitionDir = (region: string) => run.partitionDir('cloudtrail', partition(region));
  const scanOf = async (region: string): Promise<string> => {
    const files = (await readdir(partitionDir(region))).filter((name) => name.endsWith('.parquet'));
    return `read_parquet([${files.map((name) => `'${join(partitionDir(region), name)}'`).join(', ')}])`;
  };
  const rowsOf = async (region: string, select = '*', where = 'true'): Promise<Row[]> =>
    run.reader.rows(
      `SELECT ${select} FROM ${await scanOf(region)} WHERE ${where} ORDER BY eventtime, eventid`,
    );
  const query = (name: string, ...extra: string[]) => run.query(name, '--date', DAY, ...extra);

  beforeAll(async () => {
    run = await LakeRun.create('cloudtrail-e2e');
    await run.write(
      // Management events pretty-printed (as the documentation shows them), data events on one line.
      { key: logKey('us-east-1', '0930', 'Mu0KsOhtH1ar15ZZ'), text: await fixture('management-events.json') },
      {
        key: logKey('us-west-2', '1010', 'AbCdEfGhIjKlMnOp'),
        text: oneLine(await fixture('data-events.json')),
      },
      {
        key: logKey('us-west-2', '1105', 'QrStUvWxYz012345'),
        text: oneLine(await fixture('bad-records.json')),
      },
      { key: logKey('us-west-2', '1200', 'EmptyEmptyEmpty0'), text: await fixture('empty.json') },
      { key: logKey('eu-west-1', '1215', 'BigBigBigBigBig0'), text: await bigDelivery() },
      {
        key: `${dayFolder('CloudTrail-Digest', 'us-west-2')}/${ACCOUNT}_CloudTrail-Digest_us-west-2_org-trail_us-east-1_20240105T100131Z.json.gz`,
        text: await fixture('digest.json'),
      },
      {
        key: `${dayFolder('CloudTrail-Insight', 'us-west-2')}/${ACCOUNT}_CloudTrail-Insight_us-west-2_20240105T1015Z_aBcDeFgHiJkLmNoP.json.gz`,
        text: '{"Records":[{"eventVersion":"1.07","eventTime":"2024-01-05T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","eventType":"AwsCloudTrailInsight","eventCategory":"Insight","insightDetails":{"state":"Start"}}]}',
      },
    );
    backfill = await run.cli('backfill', '--from', DAY, '--to', DAY, '--source', 'cloudtrail', '--json');
  });

  afterAll(async () => {
    await run?.close();
  });

  it('converts each region’s day, counting records in, rows out and rejects', () => {
    expect(backfill.code, backfill.stderr).toBe(0);
    const summary = partitionCounts(parseSummary(backfill));

    expect(summary).toEqual(
      expect.arrayContaining([
        succeeded('cloudtrail', partition('us-east-1'), 15, 15, 0),
        succeeded('cloudtrail', partition('us-west-2'), 12, 9, 3),
        succeeded('cloudtrail', partition('eu-west-1'), 1000, 1000, 0),
      ]),
    );
    expect(summary).toHaveLength(3);
    // Digest and Insights files are skipped on purpose, not reported as unknown objects.
    expect(backfill.stderr).not.toContain('match no key layout');
  });

  it('writes the documented fields with their values', async () => {
    const [startLogging] = await rowsOf('us-east-1', '*', "eventname = 'StartLogging'");

    expect(startLogging).toMatchObject({
      eventversion: '1.09',
      useridentity: {
        type: 'IAMUser',
        principalid: 'EXAMPLE6E4XEGITWATV6R',
        arn: 'arn:aws:iam::123456789012:user/Mary_Major',
        accountid: '123456789012',
        invokedby: null,
        accesskeyid: 'AKIAIOSFODNN7EXAMPLE',
        username: 'Mary_Major',
        sessioncontext: {
          attributes: { mfaauthenticated: 'false', creationdate: '2023-07-19T21:11:57Z' },
          sessionissuer: null,
        },
      },
      eventtime: '2023-07-19T21:33:41Z',
      eventsource: 'cloudtrail.amazonaws.com',
      awsregion: 'us-east-1',
      sourceipaddress: '192.0.2.0',
      errorcode: null,
      responseelements: null,
      requestid: '9d478fc1-4f10-490f-a26b-EXAMPLE0e932',
      eventid: 'eae87c48-d421-4626-94f5-EXAMPLEac994',
      readonly: 'false',
      eventtype: 'AwsApiCall',
      managementevent: true,
      recipientaccountid: '123456789012',
      eventcategory: 'Management',
      tlsdetails: {
        tlsversion: 'TLSv1.2',
        ciphersuite: 'ECDHE-RSA-AES128-GCM-SHA256',
        clientprovidedhostheader: 'cloudtrail.us-east-1.amazonaws.com',
      },
      sessioncredentialfromconsole: 'true',
    });
    expect(JSON.parse(startLogging!.requestparameters as string)).toEqual({ name: 'myTrail' });
    expect(startLogging!.record_time).toEqual(new Date('2023-07-19T21:33:41Z'));
  });

  it('reads older short records, structs, arrays, maps as JSON text and edge-case strings', async () => {
    const [createUser] = await rowsOf('us-east-1', '*', "eventname = 'CreateUser'");
    const [assumeRole] = await rowsOf(
      'us-east-1',
      'resources, useridentity, sharedeventid',
      "eventname = 'AssumeRole'",
    );
    const [failedLogin] = await rowsOf(
      'us-east-1',
      'useridentity',
      "eventname = 'ConsoleLogin' AND errormessage IS NOT NULL",
    );
    const [bucket] = await rowsOf('us-east-1', 'useridentity', "eventname = 'CreateBucket'");
    const [policy] = await rowsOf('us-east-1', '*', "eventname = 'CreatePolicy'");
    const [backup] = await rowsOf('us-east-1', 'serviceeventdetails', "eventname = 'BackupJobCompleted'");

    expect(createUser).toMatchObject({
      eventversion: '1.0',
      requestid: null,
      eventid: null,
      eventtype: null,
      readonly: null,
    });
    expect(assumeRole).toMatchObject({
      resources: [
        {
          arn: 'arn:aws:iam::123456789012:role/AppServerRole',
          accountid: '123456789012',
          type: 'AWS::IAM::Role',
        },
      ],
      useridentity: { type: 'AWSService', invokedby: 'ec2.amazonaws.com' },
      sharedeventid: '6b8a7f4e-2c1d-4e3f-9a8b-7c6d5e4f3a2b',
    });
    expect(failedLogin!.useridentity).toMatchObject({ arn: null, accesskeyid: '', username: 'anaya' });
    const federation = (bucket!.useridentity as Row).sessioncontext as Row;
    expect(JSON.parse((federation.webidfederationdata as Row).attributes as string)).toEqual({
      'token.actions.githubusercontent.com:sub': 'repo:example/app:ref:refs/heads/main',
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
    });
    expect(policy).toMatchObject({
      recipientaccountid: '012345678901',
      sourceipaddress: '2001:db8::1',
      useragent: 'Mozilla/5.0 "quoted" agent\\with\\backslashes',
      errormessage: 'Syntax errors in policy: "Statement" must be a list — 文書 ✓',
    });
    expect(JSON.parse(policy!.requestparameters as string).policyName).toBe('経理-読み取り');
    expect(JSON.parse(backup!.serviceeventdetails as string)).toMatchObject({
      backupSizeInBytes: 8589934592,
    });
  });

  it('converts S3 data events and a 1000-record delivery on one line', async () => {
    const data = await rowsOf(
      'us-west-2',
      'eventname, readonly, resources, vpcendpointid, additionaleventdata',
    );
    const big = await run.reader.rows(
      `SELECT count(*) AS n, count(DISTINCT eventid) AS ids, max(length(requestparameters)) > 900 AS long FROM ${await scanOf('eu-west-1')}`,
    );

    expect(data.map((row) => row.eventname)).toEqual([
      'GetObject',
      'GetObject',
      'GetObject',
      'GetObject',
      'PutObject',
      'GetObject',
      'DeleteObject',
      'PutObject',
      'DescribeRegions',
    ]);
    expect(data[0]).toMatchObject({
      readonly: 'true',
      resources: [
        {
          arn: 'arn:aws:s3:::amzn-s3-demo-bucket1/reports/2024/jan.csv',
          accountid: null,
          type: 'AWS::S3::Object',
        },
        { arn: 'arn:aws:s3:::amzn-s3-demo-bucket1', accountid: '123456789012', type: 'AWS::S3::Bucket' },
      ],
    });
    expect(data[2]!.vpcendpointid).toBe('vpce-0a1b2c3d4e5f6a7b8');
    expect(JSON.parse(data[0]!.additionaleventdata as string).bytesTransferredOut).toBe(28441);
    expect(big).toEqual([{ n: 1000n, ids: 1000n, long: true }]);
  });

  it('rejects records without eventTime or eventName, or with an unreadable eventTime', async () => {
    const rejects = await run.rejects('cloudtrail', partition('us-west-2'));

    expect(rejects.map((entry) => entry.key)).toEqual([
      logKey('us-west-2', '1105', 'QrStUvWxYz012345'),
      logKey('us-west-2', '1105', 'QrStUvWxYz012345'),
      logKey('us-west-2', '1105', 'QrStUvWxYz012345'),
    ]);
    expect(rejects.map((entry) => entry.line)).toEqual([2, 3, 4]);
    expect(rejects.map((entry) => entry.reason)).toEqual([
      'record has no "eventTime"',
      'field eventtime: "yesterday at noon" is not a valid iso8601 timestamp',
      'record has no "eventName"',
    ]);
  });

  it('answers the S3 questions from the lake', async () => {
    expect(await query('s3-requests-by-principal', '--region', 'us-west-2')).toEqual([
      { principal_arn: 'arn:aws:iam::123456789012:user/myUserName', requests: 4 },
      {
        principal_arn: 'arn:aws:sts::123456789012:assumed-role/AppServerRole/i-0abcdef1234567890',
        requests: 2,
      },
      { principal_arn: 'arn:aws:sts::123456789012:assumed-role/AppServerRole/athena-session', requests: 1 },
      { principal_arn: null, requests: 1 },
    ]);
    expect(await query('s3-getobject-by-ip', '--region', 'us-west-2')).toEqual([
      { sourceipaddress: '192.0.2.10', requests: 2 },
      { sourceipaddress: '10.0.1.25', requests: 1 },
      { sourceipaddress: '2001:db8:4006:812::200e', requests: 1 },
    ]);
    expect(await query('s3-events-by-name', '--region', 'us-west-2')).toEqual([
      { eventname: 'GetObject', events: 4 },
      { eventname: 'DeleteObject', events: 1 },
      { eventname: 'PutObject', events: 1 },
    ]);
    const details = await query('s3-event-details', '--region', 'us-west-2');
    expect(details).toHaveLength(6);
    expect(details.find((row) => row.eventname === 'DeleteObject')).toMatchObject({
      bucket_name: 'amzn-s3-demo-bucket1',
      object_key: 'reports/Q1 報告 "final".pdf',
    });
  });

  it('answers the identity questions from the lake', async () => {
    const users = await query('iam-user-activity', '--region', 'us-east-1');
    const creations = await query('resource-creations', '--region', 'us-east-1');
    const logins = await query('console-logins');
    const created = await query('who-created', '--param', 'resource=deploy_artifacts-2023');
    const refused = await run.cli('query', 'who-created', '--date', DAY, '--param', "resource=x' OR '1'='1");

    expect(users.map((row) => [row.username, row.eventname])).toEqual([
      ['Alice', 'CreateUser'],
      ['Alice', 'UpdateTrail'],
      ['anaya', 'ConsoleLogin'],
      ['Mary_Major', 'StartLogging'],
      ['tanaka', 'CreatePolicy'],
    ]);
    expect(creations.map((row) => row.eventname)).toEqual([
      'CreateUser',
      'RunInstances',
      'CreateBucket',
      'CreatePolicy',
    ]);
    expect(logins.map((row) => [row.eventname, row.identity_type, row.outcome, row.switch_from])).toEqual([
      ['SwitchRole', 'AssumedRole', 'Success', 'arn:aws:iam::111122223333:user/anaya'],
      ['ConsoleLogin', 'IAMUser', 'Success', null],
      ['ConsoleLogin', 'Root', 'Success', null],
      ['ConsoleLogin', 'IAMUser', 'Failure', null],
    ]);
    expect(logins[0]).toMatchObject({ account: ACCOUNT, region: 'us-east-1' });
    expect(created.map((row) => [row.eventname, row.principal_arn])).toEqual([
      ['CreateBucket', 'arn:aws:sts::123456789012:assumed-role/GitHubDeployRole/GitHubActions'],
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--param resource=.* is not valid/);
  });
});
