import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/**
 * How the SDK retries S3 requests. SlowDown (503) and other throttling answers are retried with
 * exponential backoff; the adaptive mode also rate-limits this client once S3 throttles it, which
 * is what a batch job fanning out over many prefixes needs (one tenant per process, so its
 * shared token bucket is no concern). Eight attempts ride out a burst of SlowDown before a
 * request fails with the ObjectStoreError that says so.
 */
export const S3_RETRY = { maxAttempts: 8, retryMode: 'adaptive' } as const;

/** Concurrent S3 requests when a listing or delete fans out (well under S3's per-prefix rates). */
export const S3_CONCURRENCY = 8;

/**
 * An S3 client set up for athena-logs: the retry policy above, and region redirects followed so
 * that log buckets in other regions than the client's are read without configuration.
 */
export function createS3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client({ ...S3_RETRY, followRegionRedirects: true, ...config });
}
