import type { S3Client } from '@aws-sdk/client-s3';
import { mapWithConcurrency } from '../concurrency.js';
import type { RawObject } from '../engines/types.js';
import { S3_CONCURRENCY } from './s3-client.js';
import type { LogPrefix } from './s3-discover.js';
import { listObjects } from './s3-list.js';
import type { S3Location } from './s3-location.js';

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/**
 * The folder of one day below a region folder, relative to the raw location:
 * `…/<region>/YYYY/MM/DD/` or `…/aws-region=<r>/year=YYYY/month=MM/day=DD/` (whose `hour=HH/`
 * sub-folders, when the delivery has them, lie below it and are listed with it).
 */
export function dayFolder(prefix: LogPrefix, date: string): string {
  const match = DATE.exec(date);
  if (!match) throw new Error(`A day is written YYYY-MM-DD, not "${date}".`);
  const [, year, month, day] = match;
  return prefix.layout === 'hive'
    ? `${prefix.prefix}year=${year}/month=${month}/day=${day}/`
    : `${prefix.prefix}${year}/${month}/${day}/`;
}

/** The objects of one day of one account/service/region, keys relative to the raw location. */
export function listDay(
  client: S3Client,
  raw: S3Location,
  prefix: LogPrefix,
  date: string,
): Promise<RawObject[]> {
  return listObjects(client, raw, { under: dayFolder(prefix, date) });
}

/**
 * The objects of the given days under every discovered prefix — one paginated listing per
 * prefix and day, nothing else — sorted by key, like `listLocalObjects(root, { dates })`. Their
 * partitions and fingerprints then come from `discoverPartitions` as for a local folder.
 */
export async function listDays(
  client: S3Client,
  raw: S3Location,
  prefixes: readonly LogPrefix[],
  dates: Iterable<string>,
  concurrency = S3_CONCURRENCY,
): Promise<RawObject[]> {
  const days = [...new Set(dates)].sort();
  const folders = prefixes.flatMap((prefix) => days.map((date) => dayFolder(prefix, date)));
  const listed = await mapWithConcurrency([...new Set(folders)], concurrency, (under) =>
    listObjects(client, raw, { under }),
  );
  return listed.flat().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
