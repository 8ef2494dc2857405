import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from './errors.js';
import { AVAILABLE_SOURCES, SOURCES, type LogSource, type SourceName } from './sources/index.js';

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
}

/** The keys a configuration file may hold (JSON); flags win over them. */
export interface ConfigFile {
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
  return parsed as ConfigFile;
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new UsageError(`${name} must be a whole number of at least 1, not ${JSON.stringify(value)}.`, {
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

/** Merges flags over the configuration file over defaults, and checks the result. */
export async function resolveConfig(
  flags: GlobalFlags,
  cwd: string = process.cwd(),
): Promise<ResolvedConfig> {
  const file = flags.config ? await readConfigFile(resolve(cwd, flags.config)) : {};
  const workdir = resolve(cwd, flags.workdir ?? file.workdir ?? '.athena-logs');
  const rawFlag = flags.raw ?? file.raw;
  const lake = flags.lake ?? file.lake ?? resolve(workdir, 'lake');
  const engine = (flags.engine ?? file.engine ?? 'duckdb') as EngineName;
  if (!['duckdb', 'athena', 'glue'].includes(engine)) {
    throw new UsageError(`--engine must be duckdb, athena or glue, not "${engine}".`, { field: 'engine' });
  }
  if (engine === 'duckdb' && (lake.startsWith('s3://') || (rawFlag ?? '').startsWith('s3://'))) {
    throw new UsageError(
      '--engine duckdb reads and writes local folders: use --engine athena or glue with s3:// locations.',
      { field: 'engine' },
    );
  }
  if (engine !== 'duckdb') {
    throw new UsageError(
      `--engine ${engine} is not available in this version yet: only the embedded duckdb engine runs.`,
      { field: 'engine' },
    );
  }
  const sourceNames = flags.source ? [flags.source] : (file.sources ?? AVAILABLE_SOURCES);
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
    raw: resolve(cwd, rawFlag ?? resolve(workdir, 'raw')),
    lake: resolve(cwd, lake),
    rawIsDefault: rawFlag === undefined,
    engine,
    sources: sourcesOf(sourceNames),
    retryBudget: positiveInteger(file.retryBudget, 'retryBudget', 3),
    leaseSeconds: positiveInteger(file.leaseSeconds, 'leaseSeconds', 300),
    // Two more than the cores: the next partitions decompress while DuckDB converts (one statement per core).
    concurrency: positiveInteger(file.concurrency, 'concurrency', availableParallelism() + 2),
    parquetVersion,
    rowGroupSize: positiveInteger(file.rowGroupSize, 'rowGroupSize', 65_536),
    duckdbMemoryLimit,
    bookmarkTable: file.bookmarkTable ?? 'athena_logs_bookmarks',
  };
}
