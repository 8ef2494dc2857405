import type { ScratchTableCatalog } from '../../catalog/glue-scratch-tables.js';
import { CatalogError, ObjectsNotDeletedError } from '../../errors.js';
import { DELETE_BATCH } from '../../storage/s3-delete.js';
import { keyIn, s3Url, type S3Location } from '../../storage/s3-location.js';
import type { S3Store } from '../../storage/s3-store.js';

const HOUR_MS = 3_600_000;

/** Scratch older than this is a dead conversion's: no conversion step lasts a day. */
export const DEFAULT_ORPHAN_AGE_MS = 24 * HOUR_MS;
/** Glue manifests and counts are kept longer, so that a failed run can still be inspected. */
export const DEFAULT_GLUE_MANIFEST_AGE_MS = 7 * 24 * HOUR_MS;

/** The lake's scratch folder (Athena's parsed lines, the Glue engine's manifests below `glue/`). */
export const STAGING_FOLDER = '_staging/';
/** Where the Glue engine keeps its manifests and counts (`<lake>/_staging/glue/`). */
export const GLUE_STAGING_FOLDER = `${STAGING_FOLDER}glue/`;

/** BatchDeleteTable drops at most 100 tables per call. */
const TABLES_PER_DROP = 100;

/** What the orphan sweep needs: the catalog and its database, the S3 store and the lake, a clock. */
export interface OrphanSweepDeps {
  /** Lists the scratch tables and drops tables (`scratchTableCatalog(glue, createGlueCatalog(glue))`). */
  glue: ScratchTableCatalog;
  /** The Glue database the Athena conversions create their scratch tables in. */
  database: string;
  objects: Pick<S3Store, 'listObjects' | 'deleteObjects'>;
  /** The lake root: its `_staging/` folder is swept. */
  lake: S3Location;
  now(): number;
  /** Told of each failure (also returned in `failures`). */
  onWarning?(message: string): void;
}

export interface OrphanSweepOptions {
  /** Scratch tables (by CreateTime) and `_staging/` objects (by LastModified) older than this go (default 24 h). */
  olderThanMs?: number;
  /** `_staging/glue/` objects go only when older than this (default 7 days; never less than `olderThanMs`). */
  glueManifestsOlderThanMs?: number;
}

/** What the orphan sweep did. */
export interface OrphanSweepResult {
  /** Scratch tables dropped (tables already gone by the time of the drop included). */
  tablesDropped: number;
  /** `_staging/` objects deleted. */
  objectsDeleted: number;
  /** What failed, one sentence each (nothing is thrown). */
  failures: string[];
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function checkedAge(name: string, value: number | undefined, fallback: number): number {
  const age = value ?? fallback;
  if (!Number.isFinite(age) || age < 0)
    throw new RangeError(`${name} must be a number of milliseconds ≥ 0, not ${String(value)}.`);
  return age;
}

/** The tables of a failed BatchDeleteTable that were not dropped: those its CatalogError names. */
function notDroppedOf(error: unknown, batch: readonly string[]): number {
  if (!(error instanceof CatalogError)) return batch.length;
  const named = new Set(error.table.split(', '));
  return batch.filter((name) => named.has(name)).length || batch.length;
}

async function dropOldTables(
  deps: OrphanSweepDeps,
  before: number,
  fail: (message: string) => void,
): Promise<number> {
  let tables;
  try {
    tables = await deps.glue.listScratchTables(deps.database);
  } catch (error) {
    fail(`The scratch tables of ${deps.database} could not be listed (none dropped): ${messageOf(error)}`);
    return 0;
  }
  const old = tables
    .filter((table) => table.createTime !== undefined && table.createTime.getTime() < before)
    .map((table) => table.name);
  let dropped = 0;
  for (let start = 0; start < old.length; start += TABLES_PER_DROP) {
    const batch = old.slice(start, start + TABLES_PER_DROP);
    try {
      await deps.glue.deleteTables(deps.database, batch);
      dropped += batch.length;
    } catch (error) {
      dropped += batch.length - notDroppedOf(error, batch);
      fail(`Scratch tables of ${deps.database} were not all dropped: ${messageOf(error)}`);
    }
  }
  return dropped;
}

async function deleteOldObjects(
  deps: OrphanSweepDeps,
  before: number,
  glueBefore: number,
  fail: (message: string) => void,
): Promise<number> {
  const staging = s3Url(deps.lake.bucket, keyIn(deps.lake, STAGING_FOLDER));
  let objects;
  try {
    objects = await deps.objects.listObjects(deps.lake, { under: STAGING_FOLDER });
  } catch (error) {
    fail(`${staging} could not be listed (nothing deleted): ${messageOf(error)}`);
    return 0;
  }
  const old = objects
    .filter((object) => {
      // Keys are relative to the lake; anything outside `_staging/` is never touched.
      if (!object.key.startsWith(STAGING_FOLDER)) return false;
      const limit = object.key.startsWith(GLUE_STAGING_FOLDER) ? glueBefore : before;
      return object.lastModified.getTime() < limit;
    })
    .map((object) => keyIn(deps.lake, object.key));
  let deleted = 0;
  for (let start = 0; start < old.length; start += DELETE_BATCH) {
    const batch = old.slice(start, start + DELETE_BATCH);
    try {
      await deps.objects.deleteObjects(deps.lake.bucket, batch);
      deleted += batch.length;
    } catch (error) {
      if (error instanceof ObjectsNotDeletedError) deleted += batch.length - error.notDeleted.length;
      fail(`Objects of ${staging} were not all deleted: ${messageOf(error)}`);
    }
  }
  return deleted;
}

/**
 * Removes what conversions that died (a CLI runner killed outright, a Lambda that timed out
 * mid-step) left behind: the Athena scratch tables (`<source>_tmp_<yyyymmdd>_<16 hex>_{parsed,rows,rejects}`,
 * matched exactly) created more than `olderThanMs` ago are dropped (BatchDeleteTable: catalog
 * entries only; their data lies under `_staging/` or in a `v=<runId>/` version folder the pipeline
 * owns), and the objects of `<lake>/_staging/` last modified more than `olderThanMs` ago are
 * deleted — those of `_staging/glue/` (a failed Glue run's manifest and counts) only after
 * `glueManifestsOlderThanMs`. Converted data, rejects, plans and manifests lie outside
 * `_staging/` and are never touched. Nothing is thrown: every failure is told to `onWarning` and
 * returned, and the S3 part runs whatever became of the catalog part.
 */
export async function sweepOrphans(
  deps: OrphanSweepDeps,
  options: OrphanSweepOptions = {},
): Promise<OrphanSweepResult> {
  const result: OrphanSweepResult = { tablesDropped: 0, objectsDeleted: 0, failures: [] };
  const fail = (message: string) => {
    result.failures.push(message);
    try {
      deps.onWarning?.(message);
    } catch {
      // A warning that cannot be told is still returned.
    }
  };
  let olderThanMs: number;
  let glueOlderThanMs: number;
  try {
    olderThanMs = checkedAge('olderThanMs', options.olderThanMs, DEFAULT_ORPHAN_AGE_MS);
    glueOlderThanMs = Math.max(
      olderThanMs,
      checkedAge('glueManifestsOlderThanMs', options.glueManifestsOlderThanMs, DEFAULT_GLUE_MANIFEST_AGE_MS),
    );
  } catch (error) {
    fail(`The orphan sweep did nothing: ${messageOf(error)}`);
    return result;
  }
  const now = deps.now();
  result.tablesDropped = await dropOldTables(deps, now - olderThanMs, fail);
  result.objectsDeleted = await deleteOldObjects(deps, now - olderThanMs, now - glueOlderThanMs, fail);
  return result;
}
