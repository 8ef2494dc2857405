import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { pick, randomInt, seededRandom, type Random } from './random.js';
import type { DemoDayOptions, GeneratedObject } from './types.js';
import { hashOf } from './vpc-flow-generator.js';

const gzipAsync = promisify(gzip);

/** CloudTrail records are plain JSON objects; only the keys used below are ever written. */
type CloudtrailRecord = Record<string, unknown>;

/** Who calls, and from where: the actors of one account, stable across days. */
interface Actors {
  account: string;
  region: string;
  users: readonly string[];
  appRole: string;
  lambdaRole: string;
  buckets: readonly string[];
  officeIps: readonly string[];
  appIps: readonly string[];
  vpcEndpoint: string;
}

/** Writes the next record of a kind; the context carries time, ids and randomness. */
interface RecordContext {
  random: Random;
  actors: Actors;
  eventTime: string;
  id: () => string;
}

type RecordMaker = (context: RecordContext) => CloudtrailRecord;

const SDK_AGENTS = [
  'aws-sdk-java/2.25.60 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11',
  'Boto3/1.34.120 md/Botocore#1.34.120 ua/2.0 os/linux#5.10.219 md/arch#x86_64 lang/python#3.12.3 exec-env/AWS_Lambda_python3.12',
  'aws-cli/2.17.3 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#s3.cp',
] as const;
const BROWSER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const TLS_SUITES = ['TLS_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'] as const;

function actorsOf(account: string, region: string): Actors {
  const random = seededRandom(hashOf(`cloudtrail-actors/${account}`));
  const octet = () => randomInt(random, 1, 254);
  return {
    account,
    region,
    users: ['alice', 'bob', 'carlos', 'deploy-bot'],
    appRole: 'AppServerRole',
    lambdaRole: 'ReportsLambdaRole',
    buckets: [`app-assets-${account}`, `reports-${account}`, `data-lake-${account}-${region}`],
    officeIps: [
      `203.0.113.${octet()}`,
      `198.51.100.${octet()}`,
      `2001:db8:85a3::8a2e:370:${octet().toString(16)}`,
    ],
    appIps: Array.from({ length: 6 }, () => `10.${octet()}.${octet()}.${octet()}`),
    vpcEndpoint: `vpce-${hashOf(account + region)
      .toString(16)
      .padStart(8, '0')}1f2e3d4c5`,
  };
}

/** A version-4-shaped GUID from the seeded generator (eventID, requestID). */
function guid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

function hexId(random: Random, length: number): string {
  return Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
}

function alphanumeric(random: Random, length: number): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length }, () => chars[Math.floor(random() * chars.length)]).join('');
}

function iamUser(actors: Actors, user: string): CloudtrailRecord {
  return {
    type: 'IAMUser',
    principalId: `AIDA${hashOf(actors.account + user)
      .toString(36)
      .toUpperCase()
      .padStart(8, 'X')}EXAMPLE`,
    arn: `arn:aws:iam::${actors.account}:user/${user}`,
    accountId: actors.account,
    accessKeyId: `AKIA${hashOf(user).toString(36).toUpperCase().padStart(8, 'X')}EXAMPLE`,
    userName: user,
  };
}

function assumedRole(
  actors: Actors,
  role: string,
  session: string,
  eventTime: string,
  invokedBy?: string,
): CloudtrailRecord {
  const roleId = `AROA${hashOf(actors.account + role)
    .toString(36)
    .toUpperCase()
    .padStart(8, 'X')}EXAMPLE`;
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${actors.account}:assumed-role/${role}/${session}`,
    accountId: actors.account,
    accessKeyId: `ASIA${hashOf(session).toString(36).toUpperCase().padStart(8, 'X')}EXAMPLE`,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: roleId,
        arn: `arn:aws:iam::${actors.account}:role/${role}`,
        accountId: actors.account,
        userName: role,
      },
      attributes: { creationDate: `${eventTime.slice(0, 11)}00:00:00Z`, mfaAuthenticated: 'false' },
      ...(role === actors.appRole ? { ec2RoleDelivery: '2.0' } : {}),
    },
    ...(invokedBy ? { invokedBy } : {}),
  };
}

/** The fields every API call carries after `userIdentity`, in CloudTrail's order. */
function apiCall(
  context: RecordContext,
  call: {
    userIdentity: CloudtrailRecord;
    eventSource: string;
    eventName: string;
    sourceIPAddress: string;
    userAgent: string;
    requestParameters: unknown;
    responseElements?: unknown;
    readOnly: boolean;
    category?: 'Management' | 'Data';
    extra?: CloudtrailRecord;
    tail?: CloudtrailRecord;
  },
): CloudtrailRecord {
  const { actors, random } = context;
  const category = call.category ?? 'Management';
  const host = `${call.eventSource.replace('.amazonaws.com', '')}.${actors.region}.amazonaws.com`;
  return {
    eventVersion: category === 'Data' ? '1.10' : '1.11',
    userIdentity: call.userIdentity,
    eventTime: context.eventTime,
    eventSource: call.eventSource,
    eventName: call.eventName,
    awsRegion: actors.region,
    sourceIPAddress: call.sourceIPAddress,
    userAgent: call.userAgent,
    ...call.extra,
    requestParameters: call.requestParameters,
    responseElements: call.responseElements ?? null,
    requestID: category === 'Data' ? hexId(random, 16).toUpperCase() : guid(random),
    eventID: context.id(),
    readOnly: call.readOnly,
    eventType: 'AwsApiCall',
    managementEvent: category === 'Management',
    recipientAccountId: actors.account,
    eventCategory: category,
    ...call.tail,
    ...(call.sourceIPAddress.includes('.amazonaws.com') || call.sourceIPAddress === 'AWS Internal'
      ? {}
      : {
          tlsDetails: {
            tlsVersion: 'TLSv1.3',
            cipherSuite: pick(random, TLS_SUITES),
            clientProvidedHostHeader: host,
          },
        }),
  };
}

const S3_OPERATIONS = [
  ['GetObject', true],
  ['GetObject', true],
  ['GetObject', true],
  ['PutObject', false],
  ['HeadObject', true],
  ['DeleteObject', false],
] as const;

/** An S3 data event: mostly the app role from its servers, sometimes Athena or AWS itself. */
const s3DataEvent: RecordMaker = (context) => {
  const { random, actors, eventTime } = context;
  const [eventName, readOnly] = pick(random, S3_OPERATIONS);
  const bucket = pick(random, actors.buckets);
  const key = `${pick(random, ['images', 'exports/2024', 'reports/daily', 'raw'])}/${hexId(random, 8)}.${pick(random, ['json', 'png', 'parquet', 'csv'])}`;
  const caller = random();
  const viaAthena = caller < 0.08;
  const internal = !viaAthena && caller < 0.12;
  const fromOffice = !viaAthena && !internal && caller < 0.2;
  const userIdentity = viaAthena
    ? assumedRole(actors, 'AnalystRole', 'athena-query', eventTime, 'athena.amazonaws.com')
    : internal
      ? { type: 'AWSService', invokedBy: 's3.amazonaws.com' }
      : fromOffice
        ? iamUser(actors, pick(random, actors.users))
        : assumedRole(actors, actors.appRole, `i-0${hexId(random, 16)}`, eventTime);
  const sourceIPAddress = viaAthena
    ? 'athena.amazonaws.com'
    : internal
      ? 'AWS Internal'
      : fromOffice
        ? pick(random, actors.officeIps)
        : pick(random, actors.appIps);
  const bytes = eventName === 'GetObject' ? randomInt(random, 200, 5_000_000) : 0;
  const denied = !internal && random() < 0.03;
  return apiCall(context, {
    userIdentity,
    eventSource: 's3.amazonaws.com',
    eventName,
    sourceIPAddress,
    userAgent: viaAthena ? 'athena.amazonaws.com' : internal ? 'AWS Internal' : pick(random, SDK_AGENTS),
    requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${actors.region}.amazonaws.com`, key },
    readOnly,
    category: 'Data',
    extra: denied ? { errorCode: 'AccessDenied', errorMessage: 'Access Denied' } : {},
    tail: {
      additionalEventData: {
        SignatureVersion: 'SigV4',
        CipherSuite: 'TLS_AES_128_GCM_SHA256',
        bytesTransferredIn: eventName === 'PutObject' ? randomInt(random, 100, 2_000_000) : 0,
        AuthenticationMethod: 'AuthHeader',
        'x-amz-id-2': alphanumeric(random, 56),
        bytesTransferredOut: denied ? 0 : bytes,
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
        { accountId: actors.account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
      ],
      ...(!fromOffice && !viaAthena && !internal
        ? { vpcEndpointId: actors.vpcEndpoint, vpcEndpointAccountId: actors.account }
        : {}),
    },
  });
};

/** Read-only EC2 calls: AWS Config and the app polling. */
const ec2Describe: RecordMaker = (context) => {
  const { random, actors, eventTime } = context;
  const byConfig = random() < 0.5;
  return apiCall(context, {
    userIdentity: byConfig
      ? assumedRole(
          actors,
          'AWSServiceRoleForConfig',
          'AWSConfig-Describe',
          eventTime,
          'config.amazonaws.com',
        )
      : assumedRole(actors, actors.appRole, `i-0${hexId(random, 16)}`, eventTime),
    eventSource: 'ec2.amazonaws.com',
    eventName: pick(random, [
      'DescribeInstances',
      'DescribeSecurityGroups',
      'DescribeVolumes',
      'DescribeVpcs',
    ]),
    sourceIPAddress: byConfig ? 'config.amazonaws.com' : pick(random, actors.appIps),
    userAgent: byConfig ? 'config.amazonaws.com' : pick(random, SDK_AGENTS),
    requestParameters: { maxResults: 1000, filterSet: {} },
    readOnly: true,
  });
};

/** An engineer launching an instance (rare), sometimes refused. */
const runInstances: RecordMaker = (context) => {
  const { random, actors } = context;
  const user = pick(random, actors.users);
  const instanceId = `i-0${hexId(random, 16)}`;
  const denied = random() < 0.15;
  return apiCall(context, {
    userIdentity: iamUser(actors, user),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    sourceIPAddress: pick(random, actors.officeIps),
    userAgent: pick(random, SDK_AGENTS),
    extra: denied
      ? {
          errorCode: 'Client.UnauthorizedOperation',
          errorMessage: `You are not authorized to perform this operation. User: arn:aws:iam::${actors.account}:user/${user} is not authorized to perform: ec2:RunInstances`,
        }
      : {},
    requestParameters: {
      instancesSet: { items: [{ imageId: `ami-0${hexId(random, 16)}`, minCount: 1, maxCount: 1 }] },
      instanceType: pick(random, ['t3.micro', 'm7g.large', 'c7i.xlarge']),
      subnetId: `subnet-0${hexId(random, 16)}`,
    },
    responseElements: denied
      ? null
      : {
          requestId: guid(random),
          reservationId: `r-0${hexId(random, 16)}`,
          ownerId: actors.account,
          instancesSet: { items: [{ instanceId, currentState: { code: 0, name: 'pending' } }] },
        },
    readOnly: false,
  });
};

/** EC2 and services assuming roles: STS calls with the role as a resource (shared with its owner). */
const assumeRoleByService: RecordMaker = (context) => {
  const { random, actors } = context;
  const service = pick(random, ['lambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com']);
  const role = service === 'lambda.amazonaws.com' ? actors.lambdaRole : actors.appRole;
  const session = service === 'lambda.amazonaws.com' ? 'reports-nightly' : `i-0${hexId(random, 16)}`;
  return apiCall(context, {
    userIdentity: { type: 'AWSService', invokedBy: service },
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    sourceIPAddress: service,
    userAgent: service,
    requestParameters: {
      roleArn: `arn:aws:iam::${actors.account}:role/${role}`,
      roleSessionName: session,
      durationSeconds: 3600,
    },
    responseElements: {
      credentials: {
        accessKeyId: `ASIA${alphanumeric(random, 16).toUpperCase()}`,
        sessionToken: alphanumeric(random, 40),
        expiration: 'Jan 1, 2030, 12:00:00 AM',
      },
    },
    readOnly: true,
    tail: {
      resources: [
        {
          accountId: actors.account,
          type: 'AWS::IAM::Role',
          ARN: `arn:aws:iam::${actors.account}:role/${role}`,
        },
      ],
      sharedEventID: guid(random),
    },
  });
};

/** Lambda writing its logs: the CreateLog* noise resource-creations leaves out. */
const lambdaLogs: RecordMaker = (context) => {
  const { random, actors, eventTime } = context;
  const eventName = random() < 0.8 ? 'CreateLogStream' : 'CreateLogGroup';
  return apiCall(context, {
    userIdentity: assumedRole(actors, actors.lambdaRole, 'reports-nightly', eventTime),
    eventSource: 'logs.amazonaws.com',
    eventName,
    sourceIPAddress: pick(random, actors.appIps),
    userAgent: 'awslambda-worker/1.0 rusoto/0.48.0 rust/1.79.0 linux',
    requestParameters: {
      logGroupName: '/aws/lambda/reports-nightly',
      ...(eventName === 'CreateLogStream'
        ? { logStreamName: `2024/01/01/[$LATEST]${hexId(random, 32)}` }
        : {}),
    },
    readOnly: false,
    extra:
      eventName === 'CreateLogGroup'
        ? {
            errorCode: 'ResourceAlreadyExistsException',
            errorMessage: 'The specified log group already exists',
          }
        : {},
  });
};

/** KMS decrypts on behalf of S3 (SSE-KMS): a caller that is AWS itself. */
const kmsDecrypt: RecordMaker = (context) => {
  const { random, actors, eventTime } = context;
  const keyArn = `arn:aws:kms:${actors.region}:${actors.account}:key/${guid(random)}`;
  return apiCall(context, {
    userIdentity: assumedRole(
      actors,
      actors.appRole,
      `i-0${hexId(random, 16)}`,
      eventTime,
      's3.amazonaws.com',
    ),
    eventSource: 'kms.amazonaws.com',
    eventName: 'Decrypt',
    sourceIPAddress: 's3.amazonaws.com',
    userAgent: 's3.amazonaws.com',
    requestParameters: {
      encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${pick(random, actors.buckets)}` },
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    },
    readOnly: true,
    tail: { resources: [{ accountId: actors.account, type: 'AWS::KMS::Key', ARN: keyArn }] },
  });
};

/** IAM is global: its calls are delivered with the us-east-1 records. */
const iamCall: RecordMaker = (context) => {
  const { random, actors } = context;
  // People, not the deployment robot, administer IAM.
  const user = pick(random, actors.users.slice(0, 3));
  const newUser = `contractor-${hexId(random, 4)}`;
  const [eventName, readOnly, requestParameters, responseElements] = pick(random, [
    ['ListUsers', true, null, null],
    ['GetUser', true, { userName: user }, null],
    ['GetCallerIdentity', true, null, null],
    [
      'CreateUser',
      false,
      { userName: newUser },
      {
        user: {
          path: '/',
          userName: newUser,
          userId: `AIDA${alphanumeric(random, 17).toUpperCase()}`,
          arn: `arn:aws:iam::${actors.account}:user/${newUser}`,
          createDate: 'Jan 1, 2024, 9:00:00 AM',
        },
      },
    ],
    ['CreateAccessKey', false, { userName: user }, { accessKey: { userName: user, status: 'Active' } }],
    [
      'AttachRolePolicy',
      false,
      { roleName: actors.lambdaRole, policyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' },
      null,
    ],
  ] as const);
  return apiCall(context, {
    userIdentity: iamUser(actors, user),
    eventSource: eventName === 'GetCallerIdentity' ? 'sts.amazonaws.com' : 'iam.amazonaws.com',
    eventName,
    sourceIPAddress: pick(random, actors.officeIps),
    userAgent: pick(random, SDK_AGENTS),
    requestParameters,
    responseElements,
    readOnly,
  });
};

/** Console sign-ins (a few failures) and role switches, which name their origin in SwitchFrom. */
const consoleSignIn: RecordMaker = (context) => {
  const { random, actors, eventTime } = context;
  const user = pick(random, actors.users.slice(0, 3));
  const switching = random() < 0.25;
  const failed = !switching && random() < 0.15;
  const identity = switching
    ? assumedRole(actors, 'AdminRole', user, eventTime)
    : failed
      ? {
          type: 'IAMUser',
          principalId: iamUser(actors, user).principalId,
          accountId: actors.account,
          accessKeyId: '',
          userName: user,
        }
      : { ...iamUser(actors, user), accessKeyId: '' };
  return {
    eventVersion: '1.09',
    userIdentity: identity,
    eventTime,
    eventSource: 'signin.amazonaws.com',
    eventName: switching ? 'SwitchRole' : 'ConsoleLogin',
    awsRegion: 'us-east-1',
    sourceIPAddress: pick(random, actors.officeIps),
    userAgent: BROWSER_AGENT,
    ...(failed ? { errorMessage: 'Failed authentication' } : {}),
    requestParameters: null,
    responseElements: switching
      ? { SwitchRole: 'Success' }
      : { ConsoleLogin: failed ? 'Failure' : 'Success' },
    additionalEventData: switching
      ? {
          SwitchFrom: `arn:aws:iam::${actors.account}:user/${user}`,
          RedirectTo: 'https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1',
        }
      : {
          LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
          MobileVersion: 'No',
          MFAUsed: 'Yes',
        },
    eventID: context.id(),
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: actors.account,
    eventCategory: 'Management',
  };
};

/** What a region's trail sees, by weight; IAM and sign-in events only where global events land. */
function recordMix(region: string): readonly [RecordMaker, number][] {
  const regional: [RecordMaker, number][] = [
    [s3DataEvent, 50],
    [ec2Describe, 15],
    [assumeRoleByService, 10],
    [lambdaLogs, 8],
    [kmsDecrypt, 8],
    [runInstances, 1],
  ];
  return region === 'us-east-1' ? [...regional, [iamCall, 4], [consoleSignIn, 1]] : regional;
}

function weighted(random: Random, mix: readonly [RecordMaker, number][]): RecordMaker {
  const total = mix.reduce((sum, [, weight]) => sum + weight, 0);
  let target = random() * total;
  for (const [maker, weight] of mix) {
    target -= weight;
    if (target < 0) return maker;
  }
  return s3DataEvent;
}

function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.[0-9]{3}Z$/, 'Z');
}

/**
 * Writes one realistic day of CloudTrail logs for one account and region under `rawRoot`, laid out
 * as a trail delivers them:
 * `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz`,
 * a few gzip files per hour, each one line `{"Records":[…]}` of 50–200 records (times `scale`)
 * from the 15 minutes before its delivery. A mix of S3 data events (including Athena and AWS
 * internal callers), EC2 calls, service role assumptions, Lambda log-stream noise and KMS; IAM
 * calls, console sign-ins and role switches in us-east-1 only, where a trail delivers global
 * events. Seeded: the same options give the same bytes. `lines` counts records, the unit a
 * CloudTrail object is converted and reconciled in.
 */
export async function writeCloudtrailDay(
  rawRoot: string,
  options: DemoDayOptions,
): Promise<GeneratedObject[]> {
  const { account, region, date } = options;
  const random = seededRandom((options.seed ?? 1) ^ hashOf(`cloudtrail/${account}/${region}/${date}`));
  const actors = actorsOf(account, region);
  const mix = recordMix(region);
  const [year, month, day] = date.split('-');
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  const objects: GeneratedObject[] = [];
  for (let hour = 0; hour < 24; hour += 1) {
    const deliveries = Array.from({ length: randomInt(random, 1, 3) }, () => randomInt(random, 15, 59)).sort(
      (a, b) => a - b,
    );
    for (const minute of deliveries) {
      const delivered = dayStart + (hour * 60 + minute) * 60_000;
      const count = Math.max(1, Math.round(randomInt(random, 50, 200) * (options.scale ?? 1)));
      const records = Array.from({ length: count }, () =>
        weighted(
          random,
          mix,
        )({
          random,
          actors,
          eventTime: isoSeconds(delivered - randomInt(random, 1, 900) * 1000),
          id: () => guid(random),
        }),
      );
      const stamp = isoSeconds(delivered).replace(/[-:]/g, '').slice(0, 13) + 'Z';
      const key = `AWSLogs/${account}/CloudTrail/${region}/${year}/${month}/${day}/${account}_CloudTrail_${region}_${stamp}_${alphanumeric(random, 16)}.json.gz`;
      const text = JSON.stringify({ Records: records });
      const path = join(rawRoot, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await gzipAsync(text));
      objects.push({ key, lines: records.length, bytes: Buffer.byteLength(text) });
    }
  }
  return objects;
}
