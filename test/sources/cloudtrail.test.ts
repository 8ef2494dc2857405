import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUDTRAIL_QUERIES } from '../../shared/queries/cloudtrail.js';
import { queryParameters } from '../../shared/queries/index.js';
import { CLOUDTRAIL_FIELDS } from '../../shared/sources/cloudtrail-fields.js';
import { cloudtrail } from '../../shared/sources/cloudtrail.js';
import { matchKey, PARTITION_COLUMNS, type AthenaType, type KeyMatch } from '../../shared/sources/index.js';
import { duckdbType } from '../../shared/sql/duckdb-types.js';
import { quoteLiteral } from '../../shared/sql/identifiers.js';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import { duckdbQueries, expectColumnsWellNamed, namedQuery } from '../fixtures/source-checks.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'logs', 'cloudtrail');
type JsonObject = Record<string, unknown>;
type Row = Record<string, unknown>;

function recordsOf(file: string): JsonObject[] {
  return (JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { Records: JsonObject[] }).Records;
}

/**
 * The row the declaration asks for, read in JavaScript as types.ts describes the json-records
 * format: each field from its JSON key, struct fields from `key ?? name`, JSON `null` or a missing
 * key → NULL, `asJsonText` → the value's JSON text, a string column holding an object → its JSON
 * text, a JSON boolean in a string column → 'true'/'false'. It checks our keys against real records
 * independently of the engine (the end-to-end test checks the engine).
 */
function valueOf(value: unknown, type: AthenaType): unknown {
  if (value === null || value === undefined) return null;
  if (typeof type === 'string') {
    if (type === 'boolean') return typeof value === 'boolean' ? value : value === 'true';
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  if ('array' in type) return Array.isArray(value) ? value.map((item) => valueOf(item, type.array)) : null;
  if (typeof value !== 'object' || Array.isArray(value)) return null;
  const object = value as JsonObject;
  return Object.fromEntries(
    type.struct.map((field) => [field.name, valueOf(object[field.key ?? field.name], field.type)]),
  );
}

function rowOf(record: JsonObject): Row {
  const row: Row = {};
  for (const field of cloudtrail.format.fields) {
    const column = cloudtrail.columns.find((candidate) => candidate.name === field.column);
    if (!column) throw new Error(`no column ${field.column}`);
    const value = record[field.key];
    row[field.column] =
      'asJsonText' in field && field.asJsonText && value !== null && value !== undefined
        ? JSON.stringify(value)
        : valueOf(value, column.type);
  }
  return row;
}

const MANAGEMENT = recordsOf('management-events.json').map(rowOf);
const DATA = recordsOf('data-events.json').map(rowOf);

/**
 * The Athena user guide's CREATE TABLE for CloudTrail (manual partitioning), as published at
 * https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html
 */
const ATHENA_GUIDE_DDL = `eventversion STRING,
useridentity STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, invokedby:STRING,
  accesskeyid:STRING, username:STRING, onbehalfof: STRUCT<userid: STRING, identitystorearn: STRING>,
  sessioncontext:STRUCT<attributes:STRUCT<mfaauthenticated:STRING, creationdate:STRING>,
    sessionissuer:STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, username:STRING>,
    ec2roledelivery:string,
    webidfederationdata: STRUCT<federatedprovider: STRING, attributes: map<string,string>>>>,
eventtime STRING, eventsource STRING, eventname STRING, awsregion STRING, sourceipaddress STRING,
useragent STRING, errorcode STRING, errormessage STRING, requestparameters STRING,
responseelements STRING, additionaleventdata STRING, requestid STRING, eventid STRING,
resources ARRAY<STRUCT<arn:STRING, accountid:STRING, type:STRING>>, eventtype STRING,
apiversion STRING, readonly STRING, recipientaccountid STRING, serviceeventdetails STRING,
sharedeventid STRING, vpcendpointid STRING, vpcendpointaccountid STRING, eventcategory STRING,
addendum STRUCT<reason:STRING, updatedfields:STRING, originalrequestid:STRING, originaleventid:STRING>,
sessioncredentialfromconsole STRING, edgedevicedetails STRING,
tlsdetails STRUCT<tlsversion:STRING, ciphersuite:STRING, clientprovidedhostheader:STRING>`;

/** A Hive type of the DDL: scalars, struct<…>, array<…>, map<…>. */
type HiveType =
  string | { struct: [string, HiveType][] } | { array: HiveType } | { map: [HiveType, HiveType] };

/** Reads `name type, name type, …` (columns, or struct fields with `name:type`) from Hive DDL text. */
function parseHiveFields(text: string): [string, HiveType][] {
  const tokens = text.match(/[A-Za-z0-9_]+|[<>,:]/g) ?? [];
  let at = 0;
  const next = () => tokens[at++] ?? '';
  const parseType = (): HiveType => {
    const word = next().toLowerCase();
    if (word === 'struct' || word === 'array' || word === 'map') {
      next(); // <
      if (word === 'array') {
        const element = parseType();
        next(); // >
        return { array: element };
      }
      if (word === 'map') {
        const key = parseType();
        next(); // ,
        const value = parseType();
        next(); // >
        return { map: [key, value] };
      }
      const fields: [string, HiveType][] = [];
      for (;;) {
        const name = next().toLowerCase();
        if (tokens[at] === ':') next();
        fields.push([name, parseType()]);
        if (next() === '>') return { struct: fields };
      }
    }
    return word;
  };
  const columns: [string, HiveType][] = [];
  while (at < tokens.length) {
    const name = next().toLowerCase();
    columns.push([name, parseType()]);
    next(); // , or end
  }
  return columns;
}

/**
 * Whether our type keeps the guide's: same scalars, struct fields in the guide's order (ours may
 * append fields after them), and a map as a string holding its JSON text (no map type here).
 */
function keepsGuideType(ours: AthenaType, guide: HiveType): boolean {
  if (typeof guide === 'string') return ours === guide;
  if ('map' in guide) return ours === 'string';
  if ('array' in guide)
    return typeof ours === 'object' && 'array' in ours && keepsGuideType(ours.array, guide.array);
  if (typeof ours !== 'object' || !('struct' in ours)) return false;
  return guide.struct.every(([name, type], index) => {
    const field = ours.struct[index];
    return field?.name === name && keepsGuideType(field.type, type);
  });
}

describe('cloudtrail declaration', () => {
  it('keeps every column of the Athena guide, in its order and with its type', () => {
    const guide = parseHiveFields(ATHENA_GUIDE_DDL);
    const ours = cloudtrail.columns.slice(0, guide.length);

    expect(guide).toHaveLength(29);
    expect(ours.map((column) => column.name)).toEqual(guide.map(([name]) => name));
    for (const [index, [name, type]] of guide.entries()) {
      expect(keepsGuideType(ours[index]!.type, type), name).toBe(true);
    }
  });

  it('adds only documented fields and record_time after the guide’s columns', () => {
    expect(cloudtrail.columns.slice(29).map((column) => column.name)).toEqual([
      'managementevent',
      'eventcontext',
      'record_time',
    ]);
    expect(cloudtrail.columns.at(-1)).toMatchObject({
      name: 'record_time',
      type: 'timestamp',
      derive: { kind: 'iso8601-timestamp', from: 'eventtime' },
    });
  });

  it('names columns as Athena wants: lowercase, unique, no partition column, each described', () => {
    expectColumnsWellNamed(cloudtrail);
  });

  it('reads every delivered column from one JSON key, and derives only record_time', () => {
    const { format } = cloudtrail;
    const delivered = cloudtrail.columns
      .filter((column) => !('derive' in column))
      .map((column) => column.name);

    expect(format.kind).toBe('json-records');
    expect(format.recordsKey).toBe('Records');
    expect(format.fields.map((field) => field.column)).toEqual(delivered);
    expect(format.fields.map((field) => field.key)).toEqual(CLOUDTRAIL_FIELDS.map((field) => field.key));
    expect(format.fields.filter((field) => 'asJsonText' in field).map((field) => field.column)).toEqual([
      'requestparameters',
      'responseelements',
      'additionaleventdata',
      'serviceeventdetails',
      'edgedevicedetails',
      'eventcontext',
    ]);
    expect(format.requiredKeys).toEqual(['eventTime', 'eventSource', 'eventName']);
    expect(cloudtrail.clusterBy.every((name) => delivered.includes(name))).toBe(true);
  });

  it('spells the JSON keys CloudTrail writes (sourceIPAddress, requestID, resources[].ARN, …)', () => {
    const keyOf = (column: string) => cloudtrail.format.fields.find((field) => field.column === column)?.key;
    const resources = cloudtrail.columns.find((column) => column.name === 'resources')?.type;

    expect(keyOf('sourceipaddress')).toBe('sourceIPAddress');
    expect(keyOf('requestid')).toBe('requestID');
    expect(keyOf('eventid')).toBe('eventID');
    expect(keyOf('sharedeventid')).toBe('sharedEventID');
    expect(keyOf('recipientaccountid')).toBe('recipientAccountId');
    expect(resources).toEqual({
      array: {
        struct: [
          { name: 'arn', key: 'ARN', type: 'string' },
          { name: 'accountid', key: 'accountId', type: 'string' },
          { name: 'type', type: 'string' },
        ],
      },
    });
  });
});

describe('matchKey(cloudtrail)', () => {
  const FILE = (account: string, region: string) =>
    `${account}_CloudTrail_${region}_20240105T0010Z_Mu0KsOhtH1ar15ZZ.json.gz`;

  it.each<[string, string, KeyMatch]>([
    [
      'plain layout',
      `AWSLogs/123456789012/CloudTrail/us-east-2/2024/01/05/${FILE('123456789012', 'us-east-2')}`,
      { layout: 'plain', account: '123456789012', region: 'us-east-2', date: '2024-01-05' },
    ],
    [
      'bucket prefix, account with a leading zero',
      `trails/prod/AWSLogs/012345678901/CloudTrail/eu-west-1/2024/02/29/${FILE('012345678901', 'eu-west-1')}`,
      { layout: 'plain', account: '012345678901', region: 'eu-west-1', date: '2024-02-29' },
    ],
    [
      'organization trail',
      `AWSLogs/o-exampleorgid/111122223333/CloudTrail/ap-northeast-1/2023/12/31/${FILE('111122223333', 'ap-northeast-1')}`,
      { layout: 'plain', account: '111122223333', region: 'ap-northeast-1', date: '2023-12-31' },
    ],
    [
      'organization trail below a prefix, GovCloud region',
      `org/AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail/us-gov-west-1/2024/07/04/${FILE('123456789012', 'us-gov-west-1')}`,
      { layout: 'plain', account: '123456789012', region: 'us-gov-west-1', date: '2024-07-04' },
    ],
    [
      'a copy decompressed by hand (.json)',
      `AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/05/123456789012_CloudTrail_us-east-1_20240105T2355Z_abcDEF0123456789.json`,
      { layout: 'plain', account: '123456789012', region: 'us-east-1', date: '2024-01-05' },
    ],
  ])('%s', (_label, key, expected) => {
    expect(matchKey(cloudtrail, key)).toEqual(expected);
  });

  it.each<[string, string]>([
    [
      'digest file',
      'AWSLogs/123456789012/CloudTrail-Digest/us-east-2/2024/01/05/123456789012_CloudTrail-Digest_us-east-2_my-trail_us-east-2_20240105T015731Z.json.gz',
    ],
    [
      'Insights file',
      'AWSLogs/123456789012/CloudTrail-Insight/us-east-2/2024/01/05/123456789012_CloudTrail-Insight_us-east-2_20240105T0015Z_aBcDeFgHiJkLmNoP.json.gz',
    ],
    ['not a log file name', 'AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/05/notes.txt'],
    [
      'impossible date',
      `AWSLogs/123456789012/CloudTrail/us-east-1/2023/02/29/${FILE('123456789012', 'us-east-1')}`,
    ],
    [
      'flow-log key',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/05/123456789012_vpcflowlogs_us-east-1_fl-1_20240105T0010Z_ab.log.gz',
    ],
  ])('does not match: %s', (_label, key) => {
    expect(matchKey(cloudtrail, key)).toBeUndefined();
  });

  it.each([
    'AWSLogs/123456789012/CloudTrail-Digest/us-east-2/2024/01/05/123456789012_CloudTrail-Digest_us-east-2_my-trail_us-east-2_20240105T015731Z.json.gz',
    'logs/AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail-Digest/eu-west-1/2024/01/05/123456789012_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20240105T015731Z.json.gz',
    'AWSLogs/123456789012/CloudTrail-Insight/us-east-2/2024/01/05/123456789012_CloudTrail-Insight_us-east-2_20240105T0015Z_aBcDeFgHiJkLmNoP.json.gz',
  ])('skips on purpose: %s', (key) => {
    expect(cloudtrail.ignoredKeys.some((pattern) => pattern.test(key))).toBe(true);
  });

  it.each([
    `AWSLogs/123456789012/CloudTrail/us-east-2/2024/01/05/${FILE('123456789012', 'us-east-2')}`,
    'AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/05/123456789012_vpcflowlogs_us-east-1_fl-1_20240105T0010Z_ab.log.gz',
    'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2024/01/05/123456789012_elasticloadbalancing_us-east-1_app.my-lb.1_20240105T0010Z_10.0.0.1_x.log.gz',
  ])('does not skip: %s', (key) => {
    expect(cloudtrail.ignoredKeys.some((pattern) => pattern.test(key))).toBe(false);
  });
});

describe('cloudtrail fields of the documentation’s records', () => {
  const management = (eventName: string, index = 0) =>
    MANAGEMENT.filter((row) => row.eventname === eventName)[index] as Row;

  it('reads an IAM user call of format 1.09 (StartLogging)', () => {
    expect(management('StartLogging')).toMatchObject({
      eventversion: '1.09',
      useridentity: {
        type: 'IAMUser',
        principalid: 'EXAMPLE6E4XEGITWATV6R',
        arn: 'arn:aws:iam::123456789012:user/Mary_Major',
        accountid: '123456789012',
        invokedby: null,
        accesskeyid: 'AKIAIOSFODNN7EXAMPLE',
        username: 'Mary_Major',
        onbehalfof: null,
        sessioncontext: {
          attributes: { mfaauthenticated: 'false', creationdate: '2023-07-19T21:11:57Z' },
          sessionissuer: null,
          ec2roledelivery: null,
          webidfederationdata: null,
        },
      },
      eventtime: '2023-07-19T21:33:41Z',
      eventsource: 'cloudtrail.amazonaws.com',
      awsregion: 'us-east-1',
      sourceipaddress: '192.0.2.0',
      requestparameters: '{"name":"myTrail"}',
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
  });

  it('reads a format 1.0 record: the fields added since are NULL', () => {
    expect(management('CreateUser')).toMatchObject({
      eventversion: '1.0',
      requestparameters: '{"userName":"Bob"}',
      requestid: null,
      eventid: null,
      eventtype: null,
      readonly: null,
      resources: null,
      recipientaccountid: null,
      tlsdetails: null,
      managementevent: null,
    });
    expect(JSON.parse(management('CreateUser').responseelements as string)).toMatchObject({
      user: { userName: 'Bob', arn: 'arn:aws:iam::123456789012:user/Bob' },
    });
  });

  it('reads errors, and keeps an empty access key id empty', () => {
    const failedLogin = management('ConsoleLogin', 1);

    expect(management('UpdateTrail')).toMatchObject({
      errorcode: 'TrailNotFoundException',
      errormessage: 'Unknown trail: myTrail2 for the user: 123456789012',
    });
    expect(failedLogin).toMatchObject({
      errorcode: null,
      errormessage: 'Failed authentication',
      useridentity: { arn: null, accesskeyid: '', username: 'anaya' },
      responseelements: '{"ConsoleLogin":"Failure"}',
    });
  });

  it('reads console sign-ins and a role switch with its SwitchFrom', () => {
    const switched = management('SwitchRole');

    expect(JSON.parse(management('ConsoleLogin').additionaleventdata as string)).toEqual({
      MobileVersion: 'No',
      LoginTo: 'https://console.aws.amazon.com/sns',
      MFAUsed: 'No',
    });
    expect(management('ConsoleLogin', 2).useridentity).toMatchObject({ type: 'Root', username: null });
    expect(switched.sourceipaddress).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(JSON.parse(switched.additionaleventdata as string).SwitchFrom).toBe(
      'arn:aws:iam::111122223333:user/anaya',
    );
  });

  it('reads an assumed role’s session issuer and source identity', () => {
    expect(management('RunInstances').useridentity).toMatchObject({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName',
      sessioncontext: {
        attributes: { mfaauthenticated: 'true', creationdate: '2023-06-01T08:01:02Z' },
        sessionissuer: {
          type: 'Role',
          principalid: 'AROAIDPPEZS35WEXAMPLE',
          arn: 'arn:aws:iam::123456789012:role/RoleToBeAssumed',
          accountid: '123456789012',
          username: 'RoleToBeAssumed',
        },
        webidfederationdata: { federatedprovider: null, attributes: null },
        sourceidentity: 'mary.major@example.com',
      },
    });
  });

  it('reads a service caller (invokedBy), resources by their ARN key, and the shared event id', () => {
    expect(management('AssumeRole')).toMatchObject({
      useridentity: { type: 'AWSService', invokedby: 'ec2.amazonaws.com', arn: null },
      sourceipaddress: 'ec2.amazonaws.com',
      readonly: 'true',
      resources: [
        {
          arn: 'arn:aws:iam::123456789012:role/AppServerRole',
          accountid: '123456789012',
          type: 'AWS::IAM::Role',
        },
      ],
      sharedeventid: '6b8a7f4e-2c1d-4e3f-9a8b-7c6d5e4f3a2b',
    });
  });

  it('reads a service event with its details as JSON text', () => {
    const event = management('BackupJobCompleted');

    expect(event).toMatchObject({
      eventtype: 'AwsServiceEvent',
      useridentity: { type: null, accountid: '123456789012', invokedby: 'AWS Internal' },
      sourceipaddress: 'AWS Internal',
    });
    expect(JSON.parse(event.serviceeventdetails as string)).toMatchObject({
      state: 'COMPLETED',
      backupSizeInBytes: 8589934592,
    });
  });

  it('reads web identity federation: the provider, and the attributes map as JSON text', () => {
    const bucket = management('CreateBucket');
    const federation = (bucket.useridentity as Row).sessioncontext as Row;

    expect(management('AssumeRoleWithWebIdentity').useridentity).toMatchObject({
      type: 'WebIdentityUser',
      identityprovider: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      arn: null,
    });
    expect(federation.webidfederationdata).toMatchObject({
      federatedprovider: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    });
    expect(JSON.parse((federation.webidfederationdata as Row).attributes as string)).toEqual({
      'token.actions.githubusercontent.com:sub': 'repo:example/app:ref:refs/heads/main',
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
    });
  });

  it('reads an Identity Center user (onBehalfOf, credentialId), a Lambda scope and an addendum', () => {
    expect(management('ListApplications')).toMatchObject({
      useridentity: {
        type: 'IdentityCenterUser',
        onbehalfof: {
          userid: '544894e8-80c1-707f-60e3-3ba6510dfac1',
          identitystorearn: 'arn:aws:identitystore::123456789012:identitystore/d-9067642ac7',
        },
        credentialid: 'EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE',
      },
      addendum: {
        reason: 'DELIVERY_DELAY',
        updatedfields: 'tlsDetails',
        originalrequestid: '2c1d0e9f-8a7b-4c6d-9e5f-4a3b2c1d0e9f',
        originaleventid: '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6e',
      },
    });
    expect(management('CreateLogStream').useridentity).toMatchObject({
      inscopeof: {
        issuertype: 'AWS::Lambda::Function',
        credentialsissuedto: 'arn:aws:lambda:us-east-1:123456789012:function:reports-nightly',
      },
    });
  });

  it('keeps leading zeros, IPv6, quotes, backslashes and non-ASCII text; ignores unknown keys', () => {
    const row = management('CreatePolicy');

    expect(row).toMatchObject({
      recipientaccountid: '012345678901',
      sourceipaddress: '2001:db8::1',
      useragent: 'Mozilla/5.0 "quoted" agent\\with\\backslashes',
      errormessage: 'Syntax errors in policy: "Statement" must be a list — 文書 ✓',
    });
    expect(JSON.parse(row.requestparameters as string).policyName).toBe('経理-読み取り');
    expect(JSON.parse(row.eventcontext as string)).toEqual({
      requestContext: { callerTags: { team: 'finance' } },
    });
    expect(Object.keys(row)).not.toContain('somefieldaddedin2030');
  });

  it('reads S3 data events: both resources, the VPC endpoint, bytes out, readOnly', () => {
    const [first, , viaEndpoint] = DATA;

    expect(first).toMatchObject({
      eventname: 'GetObject',
      eventcategory: 'Data',
      managementevent: false,
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
    expect(JSON.parse(first!.additionaleventdata as string).bytesTransferredOut).toBe(28441);
    expect(viaEndpoint).toMatchObject({
      vpcendpointid: 'vpce-0a1b2c3d4e5f6a7b8',
      vpcendpointaccountid: '123456789012',
      useridentity: { sessioncontext: { ec2roledelivery: '2.0' } },
    });
  });

  it('gives every documentation record its required keys and a parseable eventTime', () => {
    const records = [...recordsOf('management-events.json'), ...recordsOf('data-events.json')];

    for (const record of records) {
      for (const key of cloudtrail.format.requiredKeys) expect(record[key], key).toBeTypeOf('string');
      expect(Number.isNaN(Date.parse(record.eventTime as string))).toBe(false);
    }
  });

  it('marks what the engine must reject in bad-records.json: no eventTime, no eventName', () => {
    const missing = recordsOf('bad-records.json').map((record) =>
      cloudtrail.format.requiredKeys.filter((key) => !(key in record)),
    );

    expect(missing).toEqual([[], ['eventTime'], [], ['eventName']]);
  });
});

describe('cloudtrail named queries', () => {
  let dir: string;
  let duck: DuckDBReader;
  const DAY = '2024-01-05';
  const query = (name: string) => namedQuery(CLOUDTRAIL_QUERIES, name);
  const run = duckdbQueries(() => duck, CLOUDTRAIL_QUERIES, { from: DAY, to: DAY });

  beforeAll(async () => {
    // The fixtures' rows, read as declared, in two partitions of one account: the view the
    // local query runner gives the converted table.
    dir = await makeTempDir('cloudtrail-queries');
    const partition = (region: string) => ({
      account: '123456789012',
      region,
      year: '2024',
      month: '01',
      day: '05',
    });
    const rows = [
      ...MANAGEMENT.map((row) => ({ ...row, ...partition('us-east-1') })),
      ...DATA.map((row) => ({ ...row, ...partition('us-west-2') })),
    ].map((row) => ({ ...row, record_time: null }));
    const file = join(dir, 'rows.jsonl');
    await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n'));
    const types = [
      ...cloudtrail.columns.map(
        (column) => `${quoteLiteral(column.name)}: ${quoteLiteral(duckdbType(column.type))}`,
      ),
      ...PARTITION_COLUMNS.map((name) => `${quoteLiteral(name)}: 'VARCHAR'`),
    ];
    duck = await DuckDBReader.open();
    await duck.connection.run(
      `CREATE VIEW cloudtrail AS SELECT * FROM read_json(${quoteLiteral(file)}, format = 'newline_delimited', columns = {${types.join(', ')}})`,
    );
  });

  afterAll(async () => {
    duck?.close();
    await removeTempDir(dir);
  });

  it('declares every CloudTrail question of QUERIES.md, with one text per dialect', () => {
    expect(CLOUDTRAIL_QUERIES.map((entry) => entry.name)).toEqual([
      's3-requests-by-principal',
      's3-getobject-by-ip',
      's3-events-by-name',
      's3-event-details',
      'iam-user-activity',
      'resource-creations',
      'console-logins',
      'who-created',
    ]);
    for (const entry of CLOUDTRAIL_QUERIES) {
      expect(entry.source).toBe('cloudtrail');
      expect(entry.athena).toContain('{{partition_filter}}');
      expect(entry.athena).not.toContain('json_extract_string');
      // The dialects differ only in the name of the JSON function: the same question, the same answer.
      expect(entry.duckdb).toBe(entry.athena.replaceAll('json_extract_scalar(', 'json_extract_string('));
    }
  });

  it('s3-requests-by-principal counts S3 requests per principal ARN of the day and region', async () => {
    expect(await run('s3-requests-by-principal', { region: 'us-west-2' })).toEqual([
      { principal_arn: 'arn:aws:iam::123456789012:user/myUserName', requests: 4n },
      {
        principal_arn: 'arn:aws:sts::123456789012:assumed-role/AppServerRole/i-0abcdef1234567890',
        requests: 2n,
      },
      { principal_arn: 'arn:aws:sts::123456789012:assumed-role/AppServerRole/athena-session', requests: 1n },
      { principal_arn: null, requests: 1n },
    ]);
  });

  it('s3-getobject-by-ip leaves out AWS Internal and Athena', async () => {
    expect(await run('s3-getobject-by-ip')).toEqual([
      { sourceipaddress: '192.0.2.10', requests: 2n },
      { sourceipaddress: '10.0.1.25', requests: 1n },
      { sourceipaddress: '2001:db8:4006:812::200e', requests: 1n },
    ]);
  });

  it('s3-events-by-name counts S3 events of both regions by name', async () => {
    expect(await run('s3-events-by-name')).toEqual([
      { eventname: 'GetObject', events: 4n },
      { eventname: 'CreateBucket', events: 1n },
      { eventname: 'DeleteObject', events: 1n },
      { eventname: 'PutObject', events: 1n },
    ]);
  });

  it('s3-event-details reads bucket and key out of requestparameters', async () => {
    const rows = await run('s3-event-details', { region: 'us-west-2' });

    expect(rows).toHaveLength(6);
    expect(rows.find((row) => row.eventname === 'DeleteObject')).toEqual({
      eventtime: '2024-01-05T10:05:00Z',
      eventname: 'DeleteObject',
      sourceipaddress: '10.0.1.25',
      bucket_name: 'amzn-s3-demo-bucket1',
      object_key: 'reports/Q1 報告 "final".pdf',
      principal_arn: 'arn:aws:sts::123456789012:assumed-role/AppServerRole/i-0abcdef1234567890',
    });
  });

  it('iam-user-activity lists calls with an ARN and a user name, by time', async () => {
    const rows = await run('iam-user-activity', { region: 'us-east-1' });

    expect(rows.map((row) => [row.username, row.eventname])).toEqual([
      ['Alice', 'CreateUser'],
      ['Alice', 'UpdateTrail'],
      ['anaya', 'ConsoleLogin'],
      ['Mary_Major', 'StartLogging'],
      ['tanaka', 'CreatePolicy'],
    ]);
  });

  it('resource-creations finds Create* and RunInstances but not CreateLog*', async () => {
    const rows = await run('resource-creations');

    expect(rows.map((row) => row.eventname)).toEqual([
      'CreateUser',
      'RunInstances',
      'CreateBucket',
      'CreatePolicy',
    ]);
    expect(rows[1]).toMatchObject({
      principal_arn: 'arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName',
      sourceipaddress: '198.51.100.7',
    });
  });

  it('console-logins shows the latest sign-ins, their outcome and a switch’s origin', async () => {
    const rows = await run('console-logins');

    expect(
      rows.map((row) => [row.eventtime, row.eventname, row.identity_type, row.outcome, row.switch_from]),
    ).toEqual([
      [
        '2023-05-04T09:12:45Z',
        'SwitchRole',
        'AssumedRole',
        'Success',
        'arn:aws:iam::111122223333:user/anaya',
      ],
      ['2018-08-29T16:24:34Z', 'ConsoleLogin', 'IAMUser', 'Success', null],
      ['2018-08-29T16:24:34Z', 'ConsoleLogin', 'Root', 'Success', null],
      ['2018-07-24T18:32:11Z', 'ConsoleLogin', 'IAMUser', 'Failure', null],
    ]);
    expect(rows[0]).toMatchObject({
      account: '123456789012',
      region: 'us-east-1',
      sourceipaddress: '2001:db8:85a3::8a2e:370:7334',
    });
  });

  it('who-created matches the identifier literally (an underscore is no wildcard)', async () => {
    const bucket = await run('who-created', { params: { resource: 'deploy_artifacts-2023' } });
    const wildcard = await run('who-created', { params: { resource: 'deploy-artifacts-2023' } });
    const role = await run('who-created', {
      params: { resource: 'arn:aws:iam::123456789012:role/AppServerRole' },
    });

    expect(bucket.map((row) => row.eventname)).toEqual(['CreateBucket']);
    expect(wildcard).toEqual([]);
    expect(role.map((row) => [row.eventname, row.principal_arn])).toEqual([['AssumeRole', null]]);
  });

  it.each(["x' OR '1'='1", 'a%b', 'ab', 'two words', "o'brien-bucket", ''])(
    'who-created refuses the identifier %j',
    (resource) => {
      expect(() => queryParameters(query('who-created'), { resource })).toThrow(
        /--param resource=.* is not valid/,
      );
    },
  );

  it('who-created needs its identifier', () => {
    expect(() => queryParameters(query('who-created'), {})).toThrow(/needs --param resource=/);
  });
});
