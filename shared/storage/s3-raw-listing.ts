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
 * configuration: it is listed whole (their dates are in the file names, which a listing cannot
 * select), so keep those prefixes to the logs themselves.
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
  const ownPrefixes = new Set(
    options.sources.flatMap((source) =>
      AWS_LOGS_SERVICE[source.name] === undefined ? [options.prefixes[source.name] ?? ''] : [],
    ),
  );
  for (const under of ownPrefixes) found.push(...(await store.listObjects(raw, { under })));
  const unique = new Map(found.map((object) => [object.key, object]));
  return [...unique.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The sources that need a prefix of their own on S3, for the configuration check. */
export function sourcesNeedingPrefix(sources: readonly LogSource[]): SourceName[] {
  return sources.filter((source) => AWS_LOGS_SERVICE[source.name] === undefined).map((source) => source.name);
}
