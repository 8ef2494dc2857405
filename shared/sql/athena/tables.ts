import type { LogSource } from '../../sources/types.js';
import { UsageError } from '../../errors.js';
import { hiveIdentifier } from './identifiers.js';

/** The database of the contract when none is configured. */
export const DEFAULT_DATABASE = 'athena_logs';

/** Marked placeholders printed when no location is given: replace them before running the DDL. */
export const PLACEHOLDER_RAW = 's3://<raw-bucket>/';
export const PLACEHOLDER_LAKE = 's3://<lake-bucket>/';

/** Where the tables live: the database and the two S3 roots (each ending with '/'). */
export interface AthenaTarget {
  database: string;
  /** Root of the raw logs, laid out exactly as AWS delivers them. */
  raw: string;
  /** Root of the lake: converted tables, `_rejects/`, `_manifests/`, `_staging/`. */
  lake: string;
}

/** `s3://…` as a folder URL (ending with '/'); anything else is refused. */
export function folderUrl(url: string, what: string): string {
  if (!url.startsWith('s3://') || url.length <= 's3://'.length)
    throw new UsageError(
      `${what} must be an S3 URL such as s3://my-bucket/prefix/, not ${JSON.stringify(url)}.`,
      {
        field: what,
      },
    );
  return url.endsWith('/') ? url : `${url}/`;
}

/** The contract's raw table: `<source>_raw`. */
export function rawTableName(source: LogSource): string {
  return `${source.name}_raw`;
}

/** The one-string-column table the conversion parses in SQL: `<source>_raw_lines`. */
export function linesTableName(source: LogSource): string {
  return `${source.name}_raw_lines`;
}

/** The contract's converted table: `<source>`. */
export function convertedTableName(source: LogSource): string {
  return source.name;
}

/** `<lake>/<source>/`: the converted table's root. */
export function convertedLocation(source: LogSource, target: AthenaTarget): string {
  return `${folderUrl(target.lake, 'The lake')}${source.name}/`;
}

/**
 * `<lake>/_manifests/<source>/`: symlink manifests naming the raw objects of each partition, in
 * Hive-style folders (`account=…/region=…/year=…/month=…/day=…/`), so `MSCK REPAIR TABLE` finds them.
 */
export function manifestsLocation(source: LogSource, target: AthenaTarget): string {
  return `${folderUrl(target.lake, 'The lake')}_manifests/${source.name}/`;
}

/** `CREATE DATABASE IF NOT EXISTS`: the database every table of the project lives in. */
export function createDatabaseSql(database: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${hiveIdentifier(database)}`;
}
