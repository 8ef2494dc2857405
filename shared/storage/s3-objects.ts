import { Readable } from 'node:stream';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ObjectStoreError } from '../errors.js';
import { describeRequest, sendMapped, type S3Request } from './s3-errors.js';

/** What PutObject writes: bytes, or a stream of known length (PutObject needs the length up front). */
export type PutBody = string | Uint8Array | { stream: Readable; length: number };

export interface PutOptions {
  contentType?: string;
}

/** Opens an object as a Node stream (nothing is buffered); failures name the bucket and key. */
export async function getObjectStream(client: S3Client, bucket: string, key: string): Promise<Readable> {
  const request: S3Request = { operation: 'GetObject', bucket, key };
  const response = await sendMapped(request, () =>
    client.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
  );
  if (!(response.Body instanceof Readable)) {
    throw new ObjectStoreError(`${describeRequest(request)}: the response has no Node stream body.`, {
      operation: 'GetObject',
      bucket,
      key,
      failure: 'other',
    });
  }
  return response.Body;
}

/** Writes one object (up to 5 GB: PutObject's limit). */
export async function putObject(
  client: S3Client,
  bucket: string,
  key: string,
  body: PutBody,
  options: PutOptions = {},
): Promise<void> {
  const content =
    typeof body === 'string' || body instanceof Uint8Array
      ? { Body: body }
      : { Body: body.stream, ContentLength: body.length };
  await sendMapped({ operation: 'PutObject', bucket, key }, () =>
    client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ...content,
        ...(options.contentType ? { ContentType: options.contentType } : {}),
      }),
    ),
  );
}

/** The CopySource header: `bucket/key`, the key URL-encoded segment by segment. */
export function copySourceOf(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Copies one object inside S3 (up to 5 GB: CopyObject's limit), the bytes never leaving S3. */
export async function copyObject(
  client: S3Client,
  from: { bucket: string; key: string },
  to: { bucket: string; key: string },
): Promise<void> {
  await sendMapped({ operation: 'CopyObject', bucket: from.bucket, key: from.key, destination: to }, () =>
    client.send(
      new CopyObjectCommand({
        Bucket: to.bucket,
        Key: to.key,
        CopySource: copySourceOf(from.bucket, from.key),
      }),
    ),
  );
}
