import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { resolveAwsSettings, type AwsSettings, type AwsSettingsFile } from './config-aws.js';
import { UsageError } from './errors.js';
import { checkFlatLayouts, type FlatLayouts } from './flat-layouts.js';
import { locationUrl } from './storage/s3-location.js';
import { DEMO_CLOUDFRONT_ACCOUNT } from './demo/seed-demo.js';
import { AVAILABLE_SOURCES, SOURCES, type LogSource, type SourceName } from './sources/index.js';

export type { FlatLayouts } from './flat-layouts.js';

export type EngineName = 'duckdb' | 'athena' | 'glue';

/** Everything a run needs, after flags, the configuration file and defaults are merged. */
export interface ResolvedConfig {
  workdir: string;
  raw: string;
  lake: string;
  /** True when --raw was not given: the embedded default seeds demo data into an empty raw folder. */
  rawIsDefault: boolean;
  engine: EngineName;
  sources: LogSource[];
  retryBudget: number;
  leaseSeconds: number;
  concurrency: number;
  parquetVersion: 'v1' | 'v2';
  rowGroupSize: number;
  duckdbMemoryLimit: string;
  bookmarkTable: string;
  bookmarks: 'local' | 'aws';
  /** Account and region of each source's flat-layout objects, whose keys name neither. */
  flatLayouts: FlatLayouts;
  /** The Athena and Glue engines' settings (undefined for the embedded engine). */
  aws?: AwsSettings;
}

/** Per source: the account and region of objects whose keys do not name them (S3 access simple prefix, CloudFront). */

/** The keys a configuration file may hold (JSON); flags win over them. */
export interface ConfigFile extends AwsSettingsFile {
  workdir?: string;
  raw?: string;
  lake?: string;
  engine?: EngineName;
  sources?: SourceName[];
  retryBudget?: number;
  leaseSeconds?: number;
  concurrency?: number;
  parquetVersion?: 'v1' | 'v2';
  rowGroupSize?: number;
  duckdbMemoryLimit?: string;
  bookmarkTable?: string;
  /**
   * Where the bookmarks live: `local` (the workdir's dynalite, the default) or `aws` (the DynamoDB
   * table `bookmarkTable` in the AWS account, e.g. the deployment's: the CLI and the Lambda
   * functions then share leases and history).
   */
  bookmarks?: 'local' | 'aws';
  flatLayouts?: FlatLayouts;
}

export interface GlobalFlags {
  raw?: string;
  lake?: string;
  workdir?: string;
  engine?: string;
  config?: string;
  source?: string;
}

const CONFIG_KEYS = new Set<keyof ConfigFile>([
  'workdir',
  'raw',
  'lake',
  'engine',
  'sources',
  'retryBudget',
  'leaseSeconds',
  'concurrency',
  'parquetVersion',
  'rowGroupSize',
  'duckdbMemoryLimit',
  'bookmarkTable',
  'bookmarks',
  'flatLayouts',
  'database',
  'athena',
  'glue',
  'awsRegion',
  's3Prefixes',
  'registration',
]);

async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`Configuration file ${path} cannot be read: ${(error as Error).message}.`, {
      key: path,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Configuration file ${path} is not valid JSON: ${(error as Error).message}.`, {
      key: path,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`Configuration file ${path} must hold a JSON object.`, { key: path });
  }
  for (const name of Object.keys(parsed)) {
    if (!CONFIG_KEYS.has(name as keyof ConfigFile)) {
      throw new UsageError(
        `Configuration file ${path}: unknown key "${name}" (known: ${[...CONFIG_KEYS].join(', ')}).`,
        { key: path, field: name },
      );
    }
  }
  checkConfigTypes(parsed as Record<string, unknown>, path);
  return parsed as ConfigFile;
}

/** DynamoDB's rule for table names. */
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

/** Fails with the key's name when a value has the wrong type: nothing reaches the code unchecked. */
function checkConfigTypes(config: Record<string, unknown>, path: string): void {
  const fail = (key: string, expected: string): never => {
    throw new UsageError(
      `Configuration file ${path}: "${key}" must be ${expected}, not ${JSON.stringify(config[key])}.`,
      {
        key: path,
        field: key,
      },
    );
  };
  for (const key of [
    'workdir',
    'raw',
    'lake',
    'engine',
    'parquetVersion',
    'duckdbMemoryLimit',
    'bookmarkTable',
    'database',
    'awsRegion',
    'registration',
  ] as const) {
    if (key in config && (typeof config[key] !== 'string' || config[key] === ''))
      fail(key, 'a non-empty string');
  }
  for (const key of ['athena', 'glue', 's3Prefixes'] as const) {
    const value = config[key];
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (key in config && !(isObject && Object.values(value).every((entry) => typeof entry === 'string')))
      fail(key, 'an object of strings');
  }
  if ('sources' in config) {
    const sources = config.sources;
    if (
      !Array.isArray(sources) ||
      sources.length === 0 ||
      !sources.every((name) => typeof name === 'string')
    ) {
      fail('sources', 'a non-empty list of source names');
    }
  }
  if ('flatLayouts' in config) checkFlatLayouts(config.flatLayouts, path);
  if ('bookmarks' in config && config.bookmarks !== 'local' && config.bookmarks !== 'aws')
    fail('bookmarks', '"local" (the workdir\'s dynalite) or "aws" (the DynamoDB table bookmarkTable)');
  if ('bookmarkTable' in config && !TABLE_NAME.test(String(config.bookmarkTable))) {
    fail('bookmarkTable', 'a DynamoDB table name (3–255 letters, digits, "_", "-", ".")');
  }
}

function positiveInteger(value: unknown, name: string, fallback: number, most = 1_000_000): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > most) {
    throw new UsageError(`${name} must be a whole number from 1 to ${most}, not ${JSON.stringify(value)}.`, {
      field: name,
    });
  }
  return value;
}

function sourcesOf(names: readonly string[]): LogSource[] {
  return names.map((name) => {
    const source = SOURCES[name as SourceName];
    if (!source)
      throw new UsageError(
        `Unknown source "${name}": available sources are ${AVAILABLE_SOURCES.join(', ')}.`,
        { field: 'source' },
      );
    return source;
  });
}

/** An absolute local path, or an s3:// URL as it is. */
function locate(base: string, location: string): string {
  return location.startsWith('s3://') ? location : resolve(base, location);
}

/** Merges flags over the configuration file over defaults, and checks the result. */
export async function resolveConfig(
  flags: GlobalFlags,
  cwd: string = process.cwd(),
): Promise<ResolvedConfig> {
  const configPath = flags.config ? resolve(cwd, flags.config) : undefined;
  const file = configPath ? await readConfigFile(configPath) : {};
  // Flags are relative to where the command runs; a file's paths to the file's own folder.
  const fileBase = configPath ? dirname(configPath) : cwd;
  const location = (flag: string | undefined, fromFile: string | undefined): string | undefined =>
    flag !== undefined ? locate(cwd, flag) : fromFile !== undefined ? locate(fileBase, fromFile) : undefined;
  const workdir = location(flags.workdir, file.workdir) ?? resolve(cwd, '.athena-logs');
  const rawLocation = location(flags.raw, file.raw);
  const lake = location(flags.lake, file.lake) ?? resolve(workdir, 'lake');
  const engine = (flags.engine ?? file.engine ?? 'duckdb') as EngineName;
  if (!['duckdb', 'athena', 'glue'].includes(engine)) {
    throw new UsageError(`--engine must be duckdb, athena or glue, not "${engine}".`, { field: 'engine' });
  }
  if (engine === 'duckdb' && (lake.startsWith('s3://') || (rawLocation ?? '').startsWith('s3://'))) {
    throw new UsageError(
      '--engine duckdb reads and writes local folders, not s3:// locations (use --engine athena or glue for S3).',
      { field: 'engine' },
    );
  }
  const sourceNames = flags.source ? [flags.source] : (file.sources ?? AVAILABLE_SOURCES);
  const sources = sourcesOf(sourceNames);
  const aws =
    engine === 'duckdb'
      ? undefined
      : resolveAwsSettings(
          engine,
          { raw: rawLocation, lake: location(flags.lake, file.lake) },
          file,
          sources,
        );
  const parquetVersion = file.parquetVersion ?? 'v2';
  if (parquetVersion !== 'v1' && parquetVersion !== 'v2')
    throw new UsageError('parquetVersion must be "v1" or "v2".', { field: 'parquetVersion' });
  const duckdbMemoryLimit = file.duckdbMemoryLimit ?? '256MB';
  if (!/^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(duckdbMemoryLimit)) {
    throw new UsageError(`duckdbMemoryLimit must be a size such as "256MB", not "${duckdbMemoryLimit}".`, {
      field: 'duckdbMemoryLimit',
    });
  }
  return {
    workdir,
    raw: rawLocation ?? resolve(workdir, 'raw'),
    // One spelling of an S3 lake (`s3://bucket/prefix/`), as the Lambda functions key their bookmarks.
    lake: aws ? locationUrl(aws.lake) : lake,
    rawIsDefault: rawLocation === undefined,
    engine,
    sources,
    aws,
    retryBudget: positiveInteger(file.retryBudget, 'retryBudget', 3),
    leaseSeconds: positiveInteger(file.leaseSeconds, 'leaseSeconds', 300, 86_400),
    // Embedded: two more than the cores (the next partitions decompress while DuckDB converts).
    // AWS engines: the cap on conversions in flight, well under Athena's and Glue's quotas.
    concurrency: positiveInteger(
      file.concurrency,
      'concurrency',
      engine === 'duckdb' ? availableParallelism() + 2 : 20,
    ),
    parquetVersion,
    rowGroupSize: positiveInteger(file.rowGroupSize, 'rowGroupSize', 65_536),
    duckdbMemoryLimit,
    bookmarkTable: file.bookmarkTable ?? 'athena_logs_bookmarks',
    bookmarks: file.bookmarks ?? 'local',
    flatLayouts: {
      // The demo's CloudFront logs belong to its first account.
      ...(rawLocation === undefined ? { cloudfront: { account: DEMO_CLOUDFRONT_ACCOUNT } } : {}),
      ...file.flatLayouts,
    },
  };
}
