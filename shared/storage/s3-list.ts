import {
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { RawObject } from '../engines/types.js';
import { ObjectStoreError } from '../errors.js';
import { describeRequest, sendMapped, type S3Request } from './s3-errors.js';
import { keyIn, relativeKeyOf, type S3Location } from './s3-location.js';

/** What a listing asks for, below a location. */
export interface ListRequest {
  /** A prefix relative to the location ('' for all of it); a folder ends with '/'. */
  under?: string;
  /** Start after this relative key (S3's StartAfter): keys sort in UTF-8 byte order. */
  startAfter?: string;
}

/**
 * Every page of one ListObjectsV2 listing, following NextContinuationToken for as many pages as
 * there are (S3 answers at most 1,000 keys and common prefixes per page). A page that says it is
 * truncated but gives no token, or a token S3 gave before, fails instead of looping or stopping short.
 */
export async function* listPages(
  client: S3Client,
  input: Omit<ListObjectsV2CommandInput, 'ContinuationToken'>,
): AsyncGenerator<ListObjectsV2CommandOutput> {
  const request: S3Request = {
    operation: 'ListObjectsV2',
    bucket: input.Bucket ?? '',
    key: input.Prefix ?? '',
  };
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const pageInput: ListObjectsV2CommandInput = token
      ? { ...input, ContinuationToken: token }
      : { ...input };
    const page = await sendMapped(request, () => client.send(new ListObjectsV2Command(pageInput)));
    yield page;
    if (!page.IsTruncated) return;
    token = page.NextContinuationToken;
    if (!token || seen.has(token)) {
      throw new ObjectStoreError(
        `${describeRequest(request)}: S3 said the listing goes on but gave ${
          token ? 'a continuation token it had already given' : 'no continuation token'
        }, so the rest of it cannot be read; the listing is not used half-read.`,
        { operation: 'ListObjectsV2', bucket: request.bucket, key: request.key, failure: 'other' },
      );
    }
    seen.add(token);
  } while (token);
}

/**
 * Lists every object below `location` (optionally only `under` a relative prefix), with keys
 * relative to the location — the same keys `listLocalObjects` gives for a local raw folder.
 * Zero-byte "folder" markers (keys ending with '/', made by the S3 console) are not objects.
 */
export async function listObjects(
  client: S3Client,
  location: S3Location,
  request: ListRequest = {},
): Promise<RawObject[]> {
  const input: ListObjectsV2CommandInput = {
    Bucket: location.bucket,
    Prefix: keyIn(location, request.under ?? ''),
  };
  if (request.startAfter !== undefined) input.StartAfter = keyIn(location, request.startAfter);
  const objects: RawObject[] = [];
  for await (const page of listPages(client, input)) {
    for (const object of page.Contents ?? []) {
      if (!object.Key || object.Key.endsWith('/')) continue;
      objects.push({
        key: relativeKeyOf(location, object.Key),
        size: object.Size ?? 0,
        lastModified: object.LastModified ?? new Date(0),
      });
    }
  }
  return objects;
}

/**
 * The child "folders" of a relative prefix (ListObjectsV2 with Delimiter '/', every page): their
 * names, without the trailing '/', in S3's order. Objects directly at that level are not included.
 */
export async function listFolders(client: S3Client, location: S3Location, under = ''): Promise<string[]> {
  const prefix = keyIn(location, under);
  const names: string[] = [];
  for await (const page of listPages(client, { Bucket: location.bucket, Prefix: prefix, Delimiter: '/' })) {
    for (const common of page.CommonPrefixes ?? []) {
      const child = common.Prefix?.slice(prefix.length, -1);
      if (child) names.push(child);
    }
  }
  return names;
}

/**
 * The common prefixes (relative to the location, delimiter included) of a listing with any
 * delimiter: with `-`, a folder of date-named files collapses into one prefix per year.
 */
export async function listCommonPrefixes(
  client: S3Client,
  location: S3Location,
  under: string,
  delimiter: string,
): Promise<string[]> {
  const prefix = keyIn(location, under);
  const found: string[] = [];
  for await (const page of listPages(client, {
    Bucket: location.bucket,
    Prefix: prefix,
    Delimiter: delimiter,
  })) {
    for (const common of page.CommonPrefixes ?? [])
      if (common.Prefix) found.push(relativeKeyOf(location, common.Prefix));
  }
  return found;
}
