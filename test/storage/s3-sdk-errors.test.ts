import { Readable } from 'node:stream';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { ObjectStoreError } from '../../shared/errors.js';
import { createS3Client } from '../../shared/storage/s3-client.js';
import { listObjects } from '../../shared/storage/s3-list.js';
import { getObjectStream } from '../../shared/storage/s3-objects.js';

// The SDK's notice about future Node versions is noise in test output (the CLI silences it too).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * The real SDK (serializers, retry middleware, XML error parsing) over an HTTP handler that
 * answers every request with the given S3 error document — no network. This checks that the
 * shape the mapping relies on (the S3 error code as the error's name, the attempts made) is what
 * the SDK really produces, not just what the mocks build.
 */
function answeringWith(status: number, code: string, message: string, config: S3ClientConfig = {}) {
  const requests: { method: string; path: string }[] = [];
  const requestHandler = {
    handle: async (request: { method: string; path: string }) => {
      requests.push({ method: request.method, path: request.path });
      const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>R1</RequestId></Error>`;
      return {
        response: {
          statusCode: status,
          reason: code,
          headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'R1' },
          body: Readable.from([Buffer.from(xml)]),
        },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  const client = createS3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    requestHandler: requestHandler as unknown as S3ClientConfig['requestHandler'],
    ...config,
  });
  return { client, requests };
}

describe('SDK errors as the S3 client really raises them', () => {
  it('SlowDown is retried by the SDK, then reported with the attempts it took', async () => {
    // Two attempts keep the test fast; the default policy makes eight.
    const { client, requests } = answeringWith(503, 'SlowDown', 'Please reduce your request rate.', {
      maxAttempts: 2,
      retryMode: 'standard',
    });
    const error = await listObjects(
      client,
      { bucket: 'central-logs', prefix: 'raw/' },
      { under: 'AWSLogs/' },
    ).catch((caught: unknown) => caught);
    expect(requests).toHaveLength(2);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as ObjectStoreError).failure).toBe('throttled');
    expect((error as ObjectStoreError).code).toBe('SlowDown');
    expect((error as Error).message).toMatch(
      /^ListObjectsV2 s3:\/\/central-logs\/raw\/AWSLogs\/: S3 kept asking to slow down \(SlowDown, HTTP 503\) and the request still failed after 2 attempts/,
    );
    client.destroy();
  });

  it('AccessDenied on a CloudTrail object delivered by another account names object ownership', async () => {
    const { client, requests } = answeringWith(403, 'AccessDenied', 'Access Denied');
    const key =
      'AWSLogs/222222222222/CloudTrail/us-east-1/2026/11/21/222222222222_CloudTrail_us-east-1_x.json.gz';
    const error = await getObjectStream(client, 'central-logs', key).catch((caught: unknown) => caught);
    expect(requests).toHaveLength(1); // a 403 is not retried
    expect((error as ObjectStoreError).failure).toBe('access-denied');
    expect((error as Error).message).toContain(
      `GetObject s3://central-logs/${key}: access denied (AccessDenied).`,
    );
    expect((error as Error).message).toContain('Object Ownership to "Bucket owner enforced"');
    client.destroy();
  });

  it('an expired session token is reported as such and not retried', async () => {
    const { client, requests } = answeringWith(400, 'ExpiredToken', 'The provided token has expired.');
    const error = await getObjectStream(client, 'central-logs', 'k').catch((caught: unknown) => caught);
    expect(requests).toHaveLength(1);
    expect((error as ObjectStoreError).failure).toBe('credentials');
    expect((error as Error).message).toMatch(
      /^GetObject s3:\/\/central-logs\/k: the AWS credentials have expired \(ExpiredToken\)/,
    );
    client.destroy();
  });
});
