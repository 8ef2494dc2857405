import type { S3Client } from '@aws-sdk/client-s3';
import { mapWithConcurrency } from '../concurrency.js';
import { S3_CONCURRENCY } from './s3-client.js';
import { listFolders } from './s3-list.js';
import type { S3Location } from './s3-location.js';

/** The AWS services that deliver into `AWSLogs/<account>/<service>/<region>/…` (folder names as AWS writes them). */
export const AWS_LOG_SERVICES = ['vpcflowlogs', 'CloudTrail', 'elasticloadbalancing'] as const;

const ORG = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT = /^[0-9]{12}$/;
const HIVE_ACCOUNT = /^aws-account-id=([0-9]{12})$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-[0-9]+$/;

/** One account × service × region folder of an `AWSLogs/` tree: its days sit right below `prefix`. */
export interface LogPrefix {
  /** `plain`: `<account>/<service>/<region>/YYYY/MM/DD/`; `hive`: `aws-account-id=…/aws-service=…/aws-region=…/year=…/month=…/day=…/`. */
  layout: 'plain' | 'hive';
  account: string;
  service: string;
  region: string;
  /** The organization level (`o-…`) of an organization trail, when there is one. */
  org?: string;
  /** The region folder, relative to the raw location, ending with '/'. */
  prefix: string;
}

export interface DiscoveryOptions {
  /** The `AWSLogs/` folders to look in, relative to the raw location (default: `AWSLogs/` at its top). */
  awsLogsFolders?: readonly string[];
  /** Service folder names to descend into (default: AWS_LOG_SERVICES). */
  services?: readonly string[];
  /** Only this account (a backfill's --account): other accounts' folders are not entered. */
  account?: string;
  /** Only this region: other regions are not returned. */
  region?: string;
  /** Listings in flight at once (default S3_CONCURRENCY). */
  concurrency?: number;
}

export interface Discovery {
  prefixes: LogPrefix[];
  /**
   * Folders at the account, organization or region level that fit no AWS layout (relative to the
   * raw location), so that nothing is skipped silently. Other services' folders are not listed here.
   */
  unrecognized: string[];
}

interface AccountFolder {
  layout: 'plain' | 'hive';
  account: string;
  org?: string;
  folder: string;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Finds the `AWSLogs/` folders at the top of the raw location and one folder below it
 * (`<prefix>/AWSLogs/`, where a delivery was given a prefix). Folders named `name=value` (a
 * lake's partitions) are not entered. One delimiter listing of the top, one per top folder.
 */
export async function findAwsLogsFolders(
  client: S3Client,
  raw: S3Location,
  concurrency = S3_CONCURRENCY,
): Promise<string[]> {
  const top = await listFolders(client, raw);
  const found = top.includes('AWSLogs') ? ['AWSLogs/'] : [];
  const others = top.filter((name) => name !== 'AWSLogs' && !name.includes('='));
  const below = await mapWithConcurrency(others, concurrency, async (name) =>
    (await listFolders(client, raw, `${name}/`)).includes('AWSLogs') ? [`${name}/AWSLogs/`] : [],
  );
  return [...found, ...below.flat()].sort(compare);
}

/**
 * Discovers the account × service × region folders of AWS log deliveries by delimiter listings,
 * level by level: `AWSLogs/` → `[o-org/]` → account (`<12 digits>` or `aws-account-id=…`) →
 * service (`<service>` or `aws-service=…`) → region (`<region>` or `aws-region=…`). It never lists
 * below a region folder, so years of daily folders cost nothing. Every level is paginated.
 */
export async function discoverLogPrefixes(
  client: S3Client,
  raw: S3Location,
  options: DiscoveryOptions = {},
): Promise<Discovery> {
  const concurrency = options.concurrency ?? S3_CONCURRENCY;
  const services = new Set(options.services ?? AWS_LOG_SERVICES);
  const unrecognized: string[] = [];
  const wantedAccount = (account: string) => options.account === undefined || options.account === account;

  // Level 1 (and the organization level below it): the account folders.
  const accountsOf = async (folder: string, org: string | undefined): Promise<AccountFolder[]> => {
    const accounts: AccountFolder[] = [];
    const orgs: string[] = [];
    for (const name of await listFolders(client, raw, folder)) {
      const hive = HIVE_ACCOUNT.exec(name);
      if (ACCOUNT.test(name)) {
        if (wantedAccount(name))
          accounts.push({ layout: 'plain', account: name, org, folder: `${folder}${name}/` });
      } else if (hive?.[1]) {
        if (wantedAccount(hive[1]))
          accounts.push({ layout: 'hive', account: hive[1], org, folder: `${folder}${name}/` });
      } else if (org === undefined && ORG.test(name)) {
        orgs.push(name);
      } else {
        unrecognized.push(`${folder}${name}/`);
      }
    }
    const nested = await mapWithConcurrency(orgs, concurrency, (name) =>
      accountsOf(`${folder}${name}/`, name),
    );
    return [...accounts, ...nested.flat()];
  };
  const awsLogs = options.awsLogsFolders ?? ['AWSLogs/'];
  const accounts = (
    await mapWithConcurrency(awsLogs, concurrency, (folder) => accountsOf(folder, undefined))
  ).flat();

  // Level 2: the wanted services of each account.
  const serviceFolders = await mapWithConcurrency(accounts, concurrency, async (account) => {
    const names = await listFolders(client, raw, account.folder);
    return names.flatMap((name) => {
      const service = account.layout === 'hive' ? /^aws-service=(.+)$/.exec(name)?.[1] : name;
      return service !== undefined && services.has(service)
        ? [{ ...account, service, folder: `${account.folder}${name}/` }]
        : [];
    });
  });

  // Level 3: the regions of each service folder; nothing below.
  const prefixes = await mapWithConcurrency(serviceFolders.flat(), concurrency, async (service) => {
    const found: LogPrefix[] = [];
    for (const name of await listFolders(client, raw, service.folder)) {
      const region = service.layout === 'hive' ? /^aws-region=(.+)$/.exec(name)?.[1] : name;
      if (region === undefined || !REGION.test(region)) {
        unrecognized.push(`${service.folder}${name}/`);
        continue;
      }
      if (options.region !== undefined && options.region !== region) continue;
      found.push({
        layout: service.layout,
        account: service.account,
        service: service.service,
        region,
        ...(service.org ? { org: service.org } : {}),
        prefix: `${service.folder}${name}/`,
      });
    }
    return found;
  });

  return {
    prefixes: prefixes.flat().sort((a, b) => compare(a.prefix, b.prefix)),
    unrecognized: unrecognized.sort(compare),
  };
}
