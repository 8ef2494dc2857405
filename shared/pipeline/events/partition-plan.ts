import { createHash } from 'node:crypto';
import type { PartitionKey, RawFingerprint } from '../../bookmarks/types.js';
import type { RawObject } from '../../engines/types.js';
import type { DiscoveredPartition } from '../../plan/discover.js';
import { describeSourcePartition, partitionPath, type PartitionName } from '../../sources/partition.js';
import { SOURCES } from '../../sources/index.js';
import type { SourceName } from '../../sources/types.js';
import { keyIn, s3Url, splitS3Url, type S3Location } from '../../storage/s3-location.js';
import type { S3Store } from '../../storage/s3-store.js';
import { PlanError } from '../../errors.js';

/** A plan as stored: the partition and the exact raw objects its conversion reads. */
interface StoredPlan {
  source: string;
  account: string;
  region: string;
  date: string;
  fingerprint: RawFingerprint;
  objects: { key: string; size: number; lastModified: string }[];
}

/**
 * Where a partition's plan goes: `<lake>/_plans/<source>/account=…/day=DD/<digest>.json`, named
 * by its fingerprint, so a plan is never rewritten under a conversion that reads it (new objects
 * make a new plan), outside every table.
 */
export function planLocation(
  lake: S3Location,
  partition: DiscoveredPartition,
): { bucket: string; key: string } {
  return locationOf(lake, partition.source.name, partition, partition.fingerprint);
}

function locationOf(
  lake: S3Location,
  source: string,
  name: PartitionName,
  fingerprint: RawFingerprint,
): { bucket: string; key: string } {
  const digest = createHash('sha256').update(JSON.stringify(fingerprint)).digest('hex').slice(0, 16);
  return {
    bucket: lake.bucket,
    key: keyIn(lake, `_plans/${source}/${partitionPath(name)}/${digest}.json`),
  };
}

/**
 * The URL of the plan of a partition's objects with this fingerprint. A bookmark whose `plan` is
 * another URL does not describe the objects its fingerprint counts (e.g. a CLI runner took the
 * partition with newer objects, then was interrupted): that plan must not be converted under it.
 */
export function planUrlOf(lake: S3Location, key: PartitionKey, fingerprint: RawFingerprint): string {
  const where = locationOf(lake, key.source, key, fingerprint);
  return s3Url(where.bucket, where.key);
}

/** Bucket and key of a plan's s3:// URL (an object, not a prefix: no slash added). */
function objectAt(url: string, key: PartitionKey): { bucket: string; key: string } {
  const where = splitS3Url(url);
  if (where === undefined || where.key === '')
    throw new PlanError(`The plan of ${describeSourcePartition(key.source, key)} has no S3 URL ("${url}").`, {
      source: key.source,
    });
  return where;
}

/** Writes a partition's plan (the bookmark holds only its URL: an item is at most 400 KB). */
export async function writePlan(
  store: S3Store,
  lake: S3Location,
  partition: DiscoveredPartition,
): Promise<string> {
  const where = planLocation(lake, partition);
  const plan: StoredPlan = {
    source: partition.source.name,
    account: partition.account,
    region: partition.region,
    date: partition.date,
    fingerprint: partition.fingerprint,
    objects: partition.objects.map((object) => ({
      key: object.key,
      size: object.size,
      lastModified: object.lastModified.toISOString(),
    })),
  };
  await store.putObject(where.bucket, where.key, JSON.stringify(plan), { contentType: 'application/json' });
  return s3Url(where.bucket, where.key);
}

/** Reads the plan of a bookmark back into the partition to convert, checking it is that partition's. */
export async function readPlan(store: S3Store, url: string, key: PartitionKey): Promise<DiscoveredPartition> {
  const where = objectAt(url, key);
  const chunks: Buffer[] = [];
  for await (const chunk of await store.getObjectStream(where.bucket, where.key))
    chunks.push(Buffer.from(chunk as Uint8Array));
  let plan: StoredPlan;
  try {
    plan = JSON.parse(Buffer.concat(chunks).toString('utf8')) as StoredPlan;
  } catch (error) {
    throw new PlanError(`The plan ${url} is not JSON: ${(error as Error).message}`, { source: key.source });
  }
  const source = SOURCES[plan.source as SourceName];
  if (
    source === undefined ||
    plan.source !== key.source ||
    plan.account !== key.account ||
    plan.region !== key.region ||
    plan.date !== key.date ||
    !Array.isArray(plan.objects)
  )
    throw new PlanError(`The plan ${url} is not the plan of ${describeSourcePartition(key.source, key)}.`, {
      source: key.source,
    });
  const objects: RawObject[] = plan.objects.map((object) => ({
    key: object.key,
    size: object.size,
    lastModified: new Date(object.lastModified),
  }));
  return {
    source,
    account: plan.account,
    region: plan.region,
    date: plan.date,
    objects,
    fingerprint: plan.fingerprint,
  };
}

/** Deletes a plan once its conversion ended for good; a leftover is harmless. */
export async function deletePlan(store: S3Store, url: string | undefined, key: PartitionKey): Promise<void> {
  if (url === undefined) return;
  const where = objectAt(url, key);
  await store.deleteObjects(where.bucket, [where.key]).catch(() => undefined);
}
