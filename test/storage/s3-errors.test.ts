import { NoSuchBucket, NoSuchKey, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  BucketNotFoundError,
  ObjectStoreError,
  UsageError,
  type ObjectStoreFailure,
} from '../../shared/errors.js';
import { createS3Client, S3_RETRY } from '../../shared/storage/s3-client.js';
import { toObjectStoreError, type S3Request } from '../../shared/storage/s3-errors.js';

// The SDK's notice about future Node versions is noise in test output (the CLI silences it too).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const serviceError = (name: string, status: number, message: string, attempts?: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, ...(attempts === undefined ? {} : { attempts }) },
    message,
  });
const namedError = (name: string, message: string) => Object.assign(new Error(message), { name });

const TRAIL_KEY =
  'AWSLogs/o-a1b2c3d4e5/222222222222/CloudTrail/us-east-1/2026/11/21/222222222222_CloudTrail_us-east-1_x.json.gz';
const ELB_KEY =
  'alb/AWSLogs/111111111111/elasticloadbalancing/eu-west-1/2026/11/21/111111111111_elasticloadbalancing_eu-west-1_app.web.1_x.log.gz';
const FLOW_KEY = 'AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/f.log.gz';
const get = (key: string): S3Request => ({ operation: 'GetObject', bucket: 'central-logs', key });
const DENIED = serviceError('AccessDenied', 403, 'Access Denied');

const OWNERSHIP = [
  'so it most likely still belongs to its writer',
  'The bucket policy is probably not the cause',
  'Object Ownership to "Bucket owner enforced"',
  '"bucket-owner-full-control"',
];

describe('toObjectStoreError', () => {
  it.each<[string, unknown, S3Request, ObjectStoreFailure, string[]]>([
    [
      'AccessDenied on a CloudTrail object (organization trail): object ownership, not the bucket policy',
      DENIED,
      get(TRAIL_KEY),
      'access-denied',
      [
        `GetObject s3://central-logs/${TRAIL_KEY}: access denied (AccessDenied).`,
        '(CloudTrail)',
        ...OWNERSHIP,
      ],
    ],
    [
      'AccessDenied on an ELB object under a delivery prefix',
      DENIED,
      get(ELB_KEY),
      'access-denied',
      [`GetObject s3://central-logs/${ELB_KEY}:`, '(Elastic Load Balancing log delivery)', ...OWNERSHIP],
    ],
    [
      'AccessDenied on a CopyObject from a CloudTrail object',
      DENIED,
      {
        operation: 'CopyObject',
        bucket: 'central-logs',
        key: TRAIL_KEY,
        destination: { bucket: 'lake', key: 'k' },
      },
      'access-denied',
      [`CopyObject s3://central-logs/${TRAIL_KEY} to s3://lake/k:`, ...OWNERSHIP],
    ],
    [
      'AccessDenied on a flow-log object: the permissions it needs',
      DENIED,
      get(FLOW_KEY),
      'access-denied',
      [
        `GetObject s3://central-logs/${FLOW_KEY}: access denied (AccessDenied): the credentials need s3:GetObject on arn:aws:s3:::central-logs/${FLOW_KEY}`,
        'kms:Decrypt',
        'Without s3:ListBucket, S3 also answers AccessDenied for an object that does not exist.',
      ],
    ],
    [
      'AccessDenied on a listing',
      serviceError(
        'AccessDenied',
        403,
        'User: arn:aws:sts::111111111111:assumed-role/converter/x is not authorized to perform: s3:ListBucket',
      ),
      { operation: 'ListObjectsV2', bucket: 'central-logs', key: 'raw/AWSLogs/' },
      'access-denied',
      [
        'ListObjectsV2 s3://central-logs/raw/AWSLogs/: access denied (AccessDenied): the credentials need s3:ListBucket on arn:aws:s3:::central-logs,',
        'S3 said: "User: arn:aws:sts::111111111111:assumed-role/converter/x is not authorized to perform: s3:ListBucket"',
      ],
    ],
    [
      'AccessDenied on a write',
      DENIED,
      { operation: 'PutObject', bucket: 'lake', key: 'vpc_flow/x.parquet' },
      'access-denied',
      [
        'PutObject s3://lake/vpc_flow/x.parquet: access denied (AccessDenied): the credentials need s3:PutObject on arn:aws:s3:::lake/vpc_flow/x.parquet',
      ],
    ],
    [
      'HeadObject 403 (no body, so no code but the status)',
      serviceError('Forbidden', 403, 'UnknownError'),
      { operation: 'HeadObject', bucket: 'central-logs', key: TRAIL_KEY },
      'access-denied',
      ['(Forbidden)', ...OWNERSHIP],
    ],
    [
      'NoSuchKey',
      new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' }),
      get(FLOW_KEY),
      'no-such-key',
      [
        `GetObject s3://central-logs/${FLOW_KEY}: the object does not exist (NoSuchKey): it was deleted or replaced after it was listed`,
      ],
    ],
    [
      'NotFound (HeadObject 404)',
      new NotFound({ $metadata: { httpStatusCode: 404 }, message: 'UnknownError' }),
      { operation: 'HeadObject', bucket: 'central-logs', key: FLOW_KEY },
      'no-such-key',
      ['the object does not exist (NotFound)'],
    ],
    [
      'SlowDown after the SDK’s retries',
      serviceError('SlowDown', 503, 'Please reduce your request rate.', 8),
      {
        operation: 'ListObjectsV2',
        bucket: 'central-logs',
        key: 'raw/AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/',
      },
      'throttled',
      [
        'ListObjectsV2 s3://central-logs/raw/AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/21/: S3 kept asking to slow down (SlowDown, HTTP 503) and the request still failed after 8 attempts',
        'the SDK retries these itself with backoff (retry mode "adaptive", maxAttempts 8)',
        'lower the concurrency or run again later',
      ],
    ],
    [
      'a bare 503',
      serviceError('ServiceUnavailable', 503, 'Service Unavailable', 3),
      { operation: 'PutObject', bucket: 'lake', key: 'k' },
      'throttled',
      ['(ServiceUnavailable, HTTP 503)', 'after 3 attempts'],
    ],
    [
      'expired credentials',
      serviceError('ExpiredToken', 400, 'The provided token has expired.'),
      get(FLOW_KEY),
      'credentials',
      [
        'the AWS credentials have expired (ExpiredToken): renew them',
        'S3 said: "The provided token has expired."',
      ],
    ],
    [
      'an expired SSO session',
      namedError('TokenProviderError', 'The SSO session associated with this profile has expired.'),
      get(FLOW_KEY),
      'credentials',
      ['the AWS credentials have expired (TokenProviderError)', 'aws sso login'],
    ],
    [
      'no credentials at all',
      namedError('CredentialsProviderError', 'Could not load credentials from any providers'),
      { operation: 'ListObjectsV2', bucket: 'central-logs', key: 'raw/' },
      'credentials',
      ['ListObjectsV2 s3://central-logs/raw/: no AWS credentials were found (CredentialsProviderError)'],
    ],
    [
      'an unknown access key',
      serviceError(
        'InvalidAccessKeyId',
        403,
        'The AWS Access Key Id you provided does not exist in our records.',
      ),
      get(FLOW_KEY),
      'credentials',
      ['S3 rejected the AWS credentials (InvalidAccessKeyId)'],
    ],
    [
      'a skewed clock',
      serviceError(
        'RequestTimeTooSkewed',
        403,
        'The difference between the request time and the current time is too large.',
      ),
      get(FLOW_KEY),
      'other',
      ["this machine's clock is more than 15 minutes off (RequestTimeTooSkewed)"],
    ],
    [
      'anything else',
      Object.assign(new Error('connect ETIMEDOUT 52.216.0.1:443'), { code: 'ETIMEDOUT' }),
      get(FLOW_KEY),
      'other',
      [
        `GetObject s3://central-logs/${FLOW_KEY}: failed (ETIMEDOUT). S3 said: "connect ETIMEDOUT 52.216.0.1:443"`,
      ],
    ],
  ])('%s', (_case, error, request, failure, phrases) => {
    const mapped = toObjectStoreError(error, request);
    expect(mapped).toBeInstanceOf(ObjectStoreError);
    const storeError = mapped as ObjectStoreError;
    expect(storeError.failure).toBe(failure);
    expect(storeError.operation).toBe(request.operation);
    expect(storeError.bucket).toBe(request.bucket);
    expect(storeError.key).toBe(request.key);
    expect(storeError.cause).toBe(error);
    for (const phrase of phrases) expect(storeError.message).toContain(phrase);
  });

  it('does not blame object ownership for objects no other account writes', () => {
    const message = toObjectStoreError(DENIED, get(FLOW_KEY)).message;
    expect(message).not.toContain('Object Ownership');
  });

  it('turns NoSuchBucket into a usage error (exit 2) naming the bucket', () => {
    const error = toObjectStoreError(
      new NoSuchBucket({
        $metadata: { httpStatusCode: 404 },
        message: 'The specified bucket does not exist',
      }),
      { operation: 'ListObjectsV2', bucket: 'centrl-logs', key: 'raw/AWSLogs/' },
    );
    expect(error).toBeInstanceOf(BucketNotFoundError);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as BucketNotFoundError).bucket).toBe('centrl-logs');
    expect(error.message).toBe(
      'ListObjectsV2 s3://centrl-logs/raw/AWSLogs/: the bucket "centrl-logs" does not exist (NoSuchBucket): check ' +
        'the bucket name in the --raw or --lake location, and that the credentials belong to the right AWS ' +
        'partition. S3 said: "The specified bucket does not exist"',
    );
  });

  it('passes domain errors through unchanged', () => {
    const original = new ObjectStoreError('x', { operation: 'GetObject', bucket: 'b', failure: 'other' });
    expect(toObjectStoreError(original, get(FLOW_KEY))).toBe(original);
  });
});

/** The retry mode the SDK will use (the strategy it built from the configuration). */
const retryModeOf = async (client: ReturnType<typeof createS3Client>) =>
  ((await client.config.retryStrategy()) as { mode?: string }).mode;

describe('createS3Client', () => {
  it('retries in adaptive mode with 8 attempts and follows region redirects', async () => {
    const client = createS3Client({ region: 'eu-west-1' });
    expect(await client.config.maxAttempts()).toBe(S3_RETRY.maxAttempts);
    expect(await retryModeOf(client)).toBe('adaptive');
    expect(client.config.followRegionRedirects).toBe(true);
    client.destroy();
  });

  it('lets the caller override the policy', async () => {
    const client = createS3Client({ region: 'eu-west-1', maxAttempts: 2, retryMode: 'standard' });
    expect(await client.config.maxAttempts()).toBe(2);
    expect(await retryModeOf(client)).toBe('standard');
    client.destroy();
  });
});
