import {
  BucketNotFoundError,
  ObjectStoreError,
  type ObjectStoreFailure,
  type PipelineError,
} from '../errors.js';
import { S3_RETRY } from './s3-client.js';
import { s3Url } from './s3-location.js';

/** The S3 API actions this store sends. */
export type S3Operation =
  'ListObjectsV2' | 'GetObject' | 'HeadObject' | 'PutObject' | 'CopyObject' | 'DeleteObjects';

/** One request, as named in error messages. */
export interface S3Request {
  operation: S3Operation;
  bucket: string;
  /** The object's key, or the prefix listed. */
  key?: string;
  /** CopyObject's destination. */
  destination?: { bucket: string; key: string };
  /** What else the message should say about the request (e.g. which keys a batch held). */
  detail?: string;
}

/** What the SDK's errors carry (service exceptions, credential-provider errors, network errors). */
interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const THROTTLING = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
const REJECTED_CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken']);
const DENIED = new Set(['AccessDenied', 'AllAccessDisabled', 'Forbidden', 'AccessDeniedException']);
const READS: ReadonlySet<S3Operation> = new Set(['GetObject', 'HeadObject', 'CopyObject']);

/**
 * Keys that another account or an AWS service writes into the bucket (CloudTrail, Elastic Load
 * Balancing): the objects belong to the writer unless the bucket enforces bucket-owner ownership.
 */
const DELIVERED_BY_ANOTHER_ACCOUNT =
  /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?[0-9]{12}\/(CloudTrail(?:-Insight|-Digest)?|elasticloadbalancing)\//;

const WRITERS: Record<string, string> = {
  CloudTrail: 'CloudTrail',
  'CloudTrail-Insight': 'CloudTrail',
  'CloudTrail-Digest': 'CloudTrail',
  elasticloadbalancing: 'Elastic Load Balancing log delivery',
};

/** The IAM actions each operation needs, for AccessDenied messages. */
const NEEDS: Record<S3Operation, (request: S3Request) => string> = {
  ListObjectsV2: (r) => `s3:ListBucket on arn:aws:s3:::${r.bucket}`,
  GetObject: (r) => `s3:GetObject on arn:aws:s3:::${r.bucket}/${r.key ?? '*'}`,
  HeadObject: (r) => `s3:GetObject on arn:aws:s3:::${r.bucket}/${r.key ?? '*'}`,
  PutObject: (r) => `s3:PutObject on arn:aws:s3:::${r.bucket}/${r.key ?? '*'}`,
  CopyObject: (r) =>
    `s3:GetObject on arn:aws:s3:::${r.bucket}/${r.key ?? '*'} and s3:PutObject on arn:aws:s3:::${
      r.destination?.bucket ?? r.bucket
    }/${r.destination?.key ?? '*'}`,
  DeleteObjects: (r) => `s3:DeleteObject on arn:aws:s3:::${r.bucket}/*`,
};

/** `GetObject s3://bucket/key` (and `→ s3://…` for a copy): the head of every message. */
export function describeRequest(request: S3Request): string {
  const target = `${request.operation} ${s3Url(request.bucket, request.key ?? '')}`;
  const destination = request.destination
    ? ` to ${s3Url(request.destination.bucket, request.destination.key)}`
    : '';
  return `${target}${destination}${request.detail ? ` (${request.detail})` : ''}`;
}

/** The code of an SDK error: the S3 error code for service errors, else the error's name. */
function codeOf(error: SdkErrorShape): string {
  return error.name && error.name !== 'Error' ? error.name : (error.code ?? error.name ?? 'Error');
}

/** What S3 itself said, quoted, when it adds something to the code. */
function said(error: SdkErrorShape, code: string): string {
  const message = (error.message ?? '').trim();
  if (message === '' || message === code || message === 'UnknownError') return '';
  return ` S3 said: "${message}"`;
}

function failureOf(
  code: string,
  status: number | undefined,
  error: SdkErrorShape,
): ObjectStoreFailure | 'bucket' {
  if (code === 'NoSuchBucket') return 'bucket';
  if (code === 'CredentialsProviderError' || code === 'TokenProviderError') return 'credentials';
  if (EXPIRED.has(code) || REJECTED_CREDENTIALS.has(code)) return 'credentials';
  if (code === 'NoSuchKey' || code === 'NotFound') return 'no-such-key';
  if (THROTTLING.has(code) || status === 503) return 'throttled';
  if (DENIED.has(code) || (status === 403 && !/Time|Skew/.test(code))) return 'access-denied';
  if (/could not load credentials/i.test(error.message ?? '')) return 'credentials';
  return 'other';
}

function accessDeniedSentence(request: S3Request, code: string): string {
  const delivered = DELIVERED_BY_ANOTHER_ACCOUNT.exec(request.key ?? '');
  if (delivered && READS.has(request.operation)) {
    const writer = WRITERS[delivered[1] ?? ''] ?? 'another AWS service';
    return (
      `access denied (${code}). This object was written into the bucket by another account or ` +
      `service (${writer}), so it most likely still belongs to its writer: the bucket's S3 Object ` +
      `Ownership is not "Bucket owner enforced" and the object's ACL grants the bucket owner ` +
      `nothing. The bucket policy is probably not the cause. Fix: set the bucket's Object Ownership ` +
      `to "Bucket owner enforced" (ACLs disabled; the bucket owner then owns every object, those ` +
      `already written included), or have the delivering service's bucket-policy statement require ` +
      `the "bucket-owner-full-control" canned ACL (condition s3:x-amz-acl) with Object Ownership ` +
      `"Bucket owner preferred", which only helps objects written from then on. (When the logs ` +
      `are SSE-KMS encrypted, the reader also needs kms:Decrypt on that key.)`
    );
  }
  const missingToo =
    request.operation === 'GetObject' || request.operation === 'HeadObject'
      ? ' Without s3:ListBucket, S3 also answers AccessDenied for an object that does not exist.'
      : '';
  return (
    `access denied (${code}): the credentials need ${NEEDS[request.operation](request)}, allowed by ` +
    `their IAM policy and not denied by the bucket policy, an organization SCP, a VPC endpoint ` +
    `policy or the KMS key of SSE-KMS objects (kms:Decrypt).${missingToo}`
  );
}

function sentenceFor(
  failure: ObjectStoreFailure | 'bucket',
  request: S3Request,
  code: string,
  error: SdkErrorShape,
): string {
  const status = error.$metadata?.httpStatusCode;
  switch (failure) {
    case 'bucket':
      return (
        `the bucket "${request.bucket}" does not exist (NoSuchBucket): check the bucket name in ` +
        `the --raw or --lake location, and that the credentials belong to the right AWS partition.`
      );
    case 'no-such-key':
      return (
        `the object does not exist (${code}): it was deleted or replaced after it was listed; ` +
        `listing the day again picks up what is there now.`
      );
    case 'throttled': {
      const attempts = error.$metadata?.attempts ?? S3_RETRY.maxAttempts;
      return (
        `S3 kept asking to slow down (${code}${status ? `, HTTP ${status}` : ''}) and the request ` +
        `still failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: the SDK retries ` +
        `these itself with backoff (retry mode "${S3_RETRY.retryMode}", maxAttempts ` +
        `${S3_RETRY.maxAttempts}). The request rate on this prefix is above what S3 serves for ` +
        `now; lower the concurrency or run again later.`
      );
    }
    case 'credentials':
      if (EXPIRED.has(code) || code === 'TokenProviderError')
        return (
          `the AWS credentials have expired (${code}): renew them (sign in again with ` +
          `"aws sso login", or assume the role again) and run again.`
        );
      if (REJECTED_CREDENTIALS.has(code))
        return (
          `S3 rejected the AWS credentials (${code}): the access key is unknown, inactive or ` +
          `paired with the wrong secret (or session token); check AWS_PROFILE and the ` +
          `AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN variables.`
        );
      return (
        `no AWS credentials were found (${code}): set AWS_PROFILE or the AWS_ACCESS_KEY_ID and ` +
        `AWS_SECRET_ACCESS_KEY variables, sign in with "aws sso login", or run with a role.`
      );
    case 'access-denied':
      return accessDeniedSentence(request, code);
    default:
      if (code === 'RequestTimeTooSkewed')
        return (
          `S3 refused the request because this machine's clock is more than 15 minutes off ` +
          `(${code}): synchronise the clock and run again.`
        );
      return `failed (${code}${status ? `, HTTP ${status}` : ''}).`;
  }
}

/**
 * Turns an SDK failure into a domain error whose message names the operation, the bucket and the
 * key (or prefix) and says what to do: ObjectStoreError (see its `failure`), or
 * BucketNotFoundError (a UsageError: the configuration names a bucket that does not exist).
 * Errors that already are domain errors pass through unchanged.
 */
export function toObjectStoreError(error: unknown, request: S3Request): PipelineError {
  if (error instanceof ObjectStoreError || error instanceof BucketNotFoundError) return error;
  const shape: SdkErrorShape =
    typeof error === 'object' && error !== null ? (error as SdkErrorShape) : { message: String(error) };
  const code = codeOf(shape);
  const failure = failureOf(code, shape.$metadata?.httpStatusCode, shape);
  const message = `${describeRequest(request)}: ${sentenceFor(failure, request, code, shape)}${said(shape, code)}`;
  const context = { operation: request.operation, bucket: request.bucket, key: request.key, cause: error };
  if (failure === 'bucket') return new BucketNotFoundError(message, context);
  return new ObjectStoreError(message, { ...context, failure, code });
}

/** Sends one request and maps its failure (see toObjectStoreError). */
export async function sendMapped<T>(request: S3Request, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toObjectStoreError(error, request);
  }
}
