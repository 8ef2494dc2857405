import { createHash } from 'node:crypto';
import { partitionValues } from '../../sql/athena/partition-values.js';
import { parsedTableSql, stagedRejectsSql, stagedRowsSql } from '../../sql/athena/stage-partition.js';
import { linesTableName } from '../../sql/athena/tables.js';
import { type S3Location, locationUrl } from '../../storage/s3-location.js';
import type { RemoteConvertRequest } from '../remote-types.js';
import { manifestFolder, manifestText } from './manifest.js';
import { parsedFolder, scratchTables, type ScratchTables } from './scratch.js';
import { describeSourcePartition } from '../../sources/partition.js';

/** The three queries of a conversion, in the order they run. */
export const ATHENA_STEPS = ['parse', 'rows', 'rejects'] as const;
export type AthenaStep = (typeof ATHENA_STEPS)[number];

/** What each step is for, as messages say it. */
export const STEP_LABELS: Record<AthenaStep, string> = {
  parse: 'parsing the lines',
  rows: 'staging the rows',
  rejects: 'staging the rejects',
};

export function isAthenaStep(step: string): step is AthenaStep {
  return (ATHENA_STEPS as readonly string[]).includes(step);
}

/** Where a conversion's tables and files go. */
export interface PlanSettings {
  /** The database of `<source>_raw_lines`. */
  database: string;
  /** Where the scratch CTAS tables are created and dropped. */
  scratchDatabase: string;
  /** The lake root: manifests under `_manifests/`, the parsed scratch under `_staging/`. */
  lake: S3Location;
}

/** Everything a conversion sends, derived from the request alone: any invocation rebuilds it. */
export interface ConversionPlan {
  manifest: S3Location;
  manifestBody: string;
  linesTable: string;
  values: string[];
  tables: ScratchTables;
  parsedLocation: S3Location;
  sql: Record<AthenaStep, string>;
}

/** `vpc_flow 111122223333/us-east-1/2026-11-21`: how messages name a conversion. */
export function describeRequest(request: RemoteConvertRequest): string {
  return describeSourcePartition(request.source.name, request.partition);
}

/** The manifest, the lines partition, the scratch names and the three statements of a request. */
export function planOf(settings: PlanSettings, request: RemoteConvertRequest): ConversionPlan {
  const { source, partition } = request;
  const tables = scratchTables(source, partition, request.runId);
  const parsedLocation = parsedFolder(settings.lake, source, partition, request.runId);
  const parsed = { database: settings.scratchDatabase, table: tables.parsed };
  return {
    manifest: manifestFolder(settings.lake, source, partition),
    manifestBody: manifestText(request.raw, request.objects),
    linesTable: linesTableName(source),
    values: partitionValues(partition).map(([, value]) => value),
    tables,
    parsedLocation,
    sql: {
      parse: parsedTableSql(source, partition, {
        database: settings.database,
        raw: locationUrl(request.raw),
        target: { ...parsed, location: locationUrl(parsedLocation) },
      }),
      rows: stagedRowsSql(source, parsed, {
        database: settings.scratchDatabase,
        table: tables.rows,
        location: locationUrl(request.stagingData),
      }),
      rejects: stagedRejectsSql(parsed, {
        database: settings.scratchDatabase,
        table: tables.rejects,
        location: locationUrl(request.stagingRejects),
      }),
    },
  };
}

/**
 * The ClientRequestToken of one step of one conversion: the sha256 (64 hex characters; Athena
 * takes 32 to 128) of the conversion's run id, source, account, region, date and step. The same
 * step of the same run always sends the same token, so Athena answers a start sent again (a
 * Lambda retried after a lost answer) with the query it already started; a new attempt has a new
 * run id, hence new tokens and new queries.
 */
export function clientRequestToken(request: RemoteConvertRequest, step: AthenaStep): string {
  const { account, region, date } = request.partition;
  return createHash('sha256')
    .update(JSON.stringify([request.runId, request.source.name, account, region, date, step]))
    .digest('hex');
}
