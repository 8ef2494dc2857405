import type { RawObject } from '../engines/types.js';
import type { LogSource, SourceName } from '../sources/types.js';
import type { S3Location } from './s3-location.js';
import type { S3Store } from './s3-store.js';

/** The `AWSLogs/<account>/<service>/` folder each source is delivered under (none: a prefix of its own). */
const AWS_LOGS_SERVICE: Record<SourceName, string | undefined> = {
  vpc_flow: 'vpcflowlogs',
  cloudtrail: 'CloudTrail',
  alb: 'elasticloadbalancing',
  elb: 'elasticloadbalancing',
  s3_access: undefined,
  cloudfront: undefined,
};

export interface RawListingOptions {
  sources: readonly LogSource[];
  dates: ReadonlySet<string>;
  /** Key prefixes (relative to the raw root) of the sources that are not under `AWSLogs/`. */
  prefixes: Partial<Record<SourceName, string>>;
  account?: string;
  region?: string;
}

/**
 * The raw objects of the given days in an S3 raw root. Sources under `AWSLogs/` are found by
 * delimiter listings (accounts, org level, regions — never whole years) and then one listing per
 * day folder. S3 access and CloudFront logs live under a prefix of their own, named in the
 * configuration, and are listed by day too (see listS3AccessDays, listCloudFrontDays).
 */
export async function listRawS3(
  store: S3Store,
  raw: S3Location,
  options: RawListingOptions,
): Promise<RawObject[]> {
  const services = [
    ...new Set(
      options.sources.map((source) => AWS_LOGS_SERVICE[source.name]).filter((name) => name !== undefined),
    ),
  ];
  const found: RawObject[] = [];
  if (services.length > 0) {
    const discovery = await store.discover(raw, {
      services,
      account: options.account,
      region: options.region,
    });
    found.push(...(await store.listDays(raw, discovery.prefixes, options.dates)));
  }
  for (const source of options.sources) {
    if (AWS_LOGS_SERVICE[source.name] !== undefined) continue;
    const under = options.prefixes[source.name] ?? '';
    if (source.name === 's3_access') found.push(...(await listS3AccessDays(store, raw, under, options)));
    else found.push(...(await listCloudFrontDays(store, raw, under, options.dates)));
  }
  const unique = new Map(found.map((object) => [object.key, object]));
  return [...unique.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const ACCOUNT_FOLDER = /^[0-9]{12}$/;
const REGION_FOLDER = /^[a-z]{2}(?:-[a-z]+)+-[0-9]+$/;

/**
 * S3 access logs of the given days only: the simple prefix's keys start with the date
 * (`<prefix>YYYY-MM-DD-hh-mm-ss-…`), so one listing per day; the date-based prefix
 * (`<prefix><account>/<region>/<bucket>/YYYY/MM/DD/`) by delimiter listings of accounts, regions
 * and source buckets, then one listing per day folder.
 */
async function listS3AccessDays(
  store: S3Store,
  raw: S3Location,
  prefix: string,
  options: RawListingOptions,
): Promise<RawObject[]> {
  const days = [...options.dates].sort();
  const found: RawObject[] = [];
  for (const day of days) found.push(...(await store.listObjects(raw, { under: `${prefix}${day}` })));
  // Delimiter "-": the simple prefix's files (`YYYY-…`) collapse into one entry per year, the
  // date-based folders into `<account>/<region start>-`: the accounts without listing every file.
  const accounts = [
    ...new Set(
      (await store.listCommonPrefixes(raw, prefix, '-'))
        .map((common) => /^([0-9]{12})\//.exec(common.slice(prefix.length))?.[1])
        .filter((name): name is string => name !== undefined && ACCOUNT_FOLDER.test(name)),
    ),
  ].filter((name) => options.account === undefined || name === options.account);
  for (const account of accounts) {
    const regions = (await store.listFolders(raw, `${prefix}${account}/`)).filter(
      (name) => REGION_FOLDER.test(name) && (options.region === undefined || name === options.region),
    );
    for (const region of regions) {
      for (const bucket of await store.listFolders(raw, `${prefix}${account}/${region}/`)) {
        for (const day of days)
          found.push(
            ...(await store.listObjects(raw, {
              under: `${prefix}${account}/${region}/${bucket}/${day.replaceAll('-', '/')}/`,
            })),
          );
      }
    }
  }
  return found;
}

/** A distribution's stem in a delimiter `.` listing: `[folders/][text]<ID>.`, the ID upper-case. */
const DISTRIBUTION_STEM = /^(?:[^/]*\/)*[^/]*[A-Z0-9]\.$/;
/** What follows a distribution's stem in its log keys: the year, then `-`. */
const YEAR_AFTER_STEM = /^[0-9]{4}-$/;

/**
 * CloudFront logs of the given days only. Their keys start with the distribution
 * (`<prefix>[folders/]<distribution>.YYYY-MM-DD-HH.<unique>.gz`), so a listing with delimiter `.`
 * gives each distribution's stem without listing every file, then one listing per stem and day
 * (`<stem>YYYY-MM-DD-`). Only when every common prefix is such a stem, and everything below each stem
 * continues with a year (a delimiter `-` listing: one entry per year); otherwise — other files
 * in the prefix, a folder whose name holds a dot, no prefix at all — the prefix is listed whole,
 * as it must be for nothing to be passed over.
 */
async function listCloudFrontDays(
  store: S3Store,
  raw: S3Location,
  prefix: string,
  dates: ReadonlySet<string>,
): Promise<RawObject[]> {
  const wholePrefix = () => store.listObjects(raw, { under: prefix });
  if (prefix === '') return wholePrefix();
  const stems = await store.listCommonPrefixes(raw, prefix, '.');
  if (!stems.every((stem) => DISTRIBUTION_STEM.test(stem.slice(prefix.length)))) return wholePrefix();
  const yearsByStem = new Map<string, string[]>();
  for (const stem of stems) {
    const years = (await store.listCommonPrefixes(raw, stem, '-')).map((common) => common.slice(stem.length));
    if (!years.every((year) => YEAR_AFTER_STEM.test(year))) return wholePrefix();
    yearsByStem.set(stem, years);
  }
  const found: RawObject[] = [];
  for (const [stem, years] of yearsByStem)
    for (const day of [...dates].sort())
      if (years.includes(`${day.slice(0, 4)}-`))
        found.push(...(await store.listObjects(raw, { under: `${stem}${day}-` })));
  return found;
}

/** The sources that need a prefix of their own on S3, for the configuration check. */
export function sourcesNeedingPrefix(sources: readonly LogSource[]): SourceName[] {
  return sources.filter((source) => AWS_LOGS_SERVICE[source.name] === undefined).map((source) => source.name);
}
