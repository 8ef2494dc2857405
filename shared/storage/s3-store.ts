import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { RawObject } from '../engines/types.js';
import { S3_CONCURRENCY } from './s3-client.js';
import { deleteObjects } from './s3-delete.js';
import {
  discoverLogPrefixes,
  findAwsLogsFolders,
  type Discovery,
  type DiscoveryOptions,
  type LogPrefix,
} from './s3-discover.js';
import { listDay, listDays } from './s3-day-listing.js';
import { listCommonPrefixes, listFolders, listObjects, type ListRequest } from './s3-list.js';
import type { S3Location } from './s3-location.js';
import { copyObject, getObjectStream, putObject, type PutBody, type PutOptions } from './s3-objects.js';

/**
 * The S3 side of the object store, bound to one client: listings (paginated, keys relative to a
 * location), discovery of AWS log folders, per-day listings, reads, writes and batch deletes.
 * Every failure is an ObjectStoreError (or BucketNotFoundError) naming the bucket and key.
 */
export interface S3Store {
  listObjects(location: S3Location, request?: ListRequest): Promise<RawObject[]>;
  listFolders(location: S3Location, under?: string): Promise<string[]>;
  listCommonPrefixes(location: S3Location, under: string, delimiter: string): Promise<string[]>;
  findAwsLogsFolders(raw: S3Location): Promise<string[]>;
  discover(raw: S3Location, options?: Omit<DiscoveryOptions, 'concurrency'>): Promise<Discovery>;
  listDay(raw: S3Location, prefix: LogPrefix, date: string): Promise<RawObject[]>;
  listDays(raw: S3Location, prefixes: readonly LogPrefix[], dates: Iterable<string>): Promise<RawObject[]>;
  getObjectStream(bucket: string, key: string): Promise<Readable>;
  putObject(bucket: string, key: string, body: PutBody, options?: PutOptions): Promise<void>;
  copyObject(from: { bucket: string; key: string }, to: { bucket: string; key: string }): Promise<void>;
  deleteObjects(bucket: string, keys: readonly string[]): Promise<void>;
}

export interface S3StoreOptions {
  /** Requests in flight when a listing or a delete fans out (default S3_CONCURRENCY). */
  concurrency?: number;
}

/** Binds the S3 functions to a client (see createS3Client for its retry policy). */
export function createS3Store(client: S3Client, options: S3StoreOptions = {}): S3Store {
  const concurrency = options.concurrency ?? S3_CONCURRENCY;
  return {
    listObjects: (location, request) => listObjects(client, location, request),
    listFolders: (location, under) => listFolders(client, location, under),
    listCommonPrefixes: (location, under, delimiter) =>
      listCommonPrefixes(client, location, under, delimiter),
    findAwsLogsFolders: (raw) => findAwsLogsFolders(client, raw, concurrency),
    discover: (raw, discovery) => discoverLogPrefixes(client, raw, { ...discovery, concurrency }),
    listDay: (raw, prefix, date) => listDay(client, raw, prefix, date),
    listDays: (raw, prefixes, dates) => listDays(client, raw, prefixes, dates, concurrency),
    getObjectStream: (bucket, key) => getObjectStream(client, bucket, key),
    putObject: (bucket, key, body, put) => putObject(client, bucket, key, body, put),
    copyObject: (from, to) => copyObject(client, from, to),
    deleteObjects: (bucket, keys) => deleteObjects(client, bucket, keys, concurrency),
  };
}
