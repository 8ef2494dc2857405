import { DEFAULT_MAX_IN_FLIGHT, InFlightCap } from '../../aws/in-flight-cap.js';
import type { GlueCatalog } from '../../catalog/glue-catalog.js';
import { ReconciliationError } from '../../errors.js';
import { partitionValues } from '../../sql/athena/partition-values.js';
import { parsedTableSql, stagedRejectsSql, stagedRowsSql } from '../../sql/athena/stage-partition.js';
import { linesTableName } from '../../sql/athena/tables.js';
import { keyIn, s3Url, type S3Location } from '../../storage/s3-location.js';
import type { S3Store } from '../../storage/s3-store.js';
import type { RemoteConvertRequest, RemoteConvertResult, RemoteEngine } from '../remote-types.js';
import { checkReadableObjects, manifestFolder, manifestText, MANIFEST_NAME } from './manifest.js';
import { rowsWritten, runQuery, type QueryOutcome, type QueryRunnerOptions } from './query-runner.js';
import { parsedFolder, scratchTables } from './scratch.js';

export interface AthenaEngineOptions extends QueryRunnerOptions {
  /** The catalog: the lines table's partitions are pointed at their manifests, scratch tables dropped. */
  glue: GlueCatalog;
  /** Writes the manifests, deletes the scratch files. */
  store: S3Store;
  /** The database of `<source>_raw_lines` (default contract name: athena_logs). */
  database: string;
  /** Where the scratch CTAS tables are created and dropped (default: `database`). */
  scratchDatabase?: string;
  /** The lake root: manifests go to `<lake>/_manifests/`, the parsed scratch to `<lake>/_staging/`. */
  lake: S3Location;
  /** Conversions in flight at once (default 20); ignored when `cap` is given. */
  maxInFlight?: number;
  /** A cap shared with other engines or tests. */
  cap?: InFlightCap;
  /** Told about clean-up that failed after the conversion itself ended (default: console.warn). */
  onWarning?: (message: string) => void;
}

/** The Athena engine, with the cap it converts under (tests and metrics read `cap.peak`). */
export interface AthenaEngine extends RemoteEngine {
  readonly name: 'athena';
  readonly cap: InFlightCap;
}

/** `vpc_flow 111122223333/us-east-1/2026-11-21`: how messages name a conversion. */
function describe(request: RemoteConvertRequest): string {
  const { partition } = request;
  return `${request.source.name} ${partition.account}/${partition.region}/${partition.date}`;
}

const url = (location: S3Location): string => s3Url(location.bucket, location.prefix);

/**
 * The Athena engine: converts one partition into its staging folders with three queries, under a
 * cap on the conversions in flight.
 *
 * 1. The symlink manifest naming exactly the request's objects is written to the partition's
 *    manifest folder, and the partition of `<source>_raw_lines` is pointed at that folder through
 *    the Glue API (GetPartition, then CreatePartition or UpdatePartition) rather than an Athena
 *    `ALTER TABLE … ADD IF NOT EXISTS PARTITION`: no DDL query to queue and wait for (seconds
 *    each, counted against the active-DDL quota, with a result file), and the LOCATION is made
 *    right even when something registered the partition elsewhere, where ADD IF NOT EXISTS or
 *    BatchCreatePartition's AlreadyExists would keep the wrong one and convert other objects.
 * 2. The raw data is scanned ONCE: a CTAS parses every line into a scratch Parquet table (typed
 *    columns, `_reject_reason`, and for rejects only their key and text). The rows (CTAS, Snappy
 *    Parquet into `stagingData`) and the rejects (CTAS, gzip JSON into `stagingRejects`) are then
 *    read from that scratch: the rows step scans about the size of the final Parquet, the rejects
 *    step only the reason column and the few rejected lines. Running the parse in each of the
 *    three statements, as a plain UNLOAD of rows, UNLOAD of rejects and count would, bills the
 *    raw bytes three times and parses every line three times. CTAS rather than UNLOAD because
 *    Athena reports the rows a CTAS wrote (GetQueryResults' UpdateCount) and not an UNLOAD's:
 *    rowsIn is what the parse wrote, rowsOut and rowsRejected what the two later writes wrote,
 *    three counts Athena reports on its own, and `rowsIn = rowsOut + rowsRejected` or the
 *    conversion fails with a ReconciliationError. Queries run one after the other, so the cap
 *    on conversions is also the cap on this engine's queries in Athena.
 * 3. The three scratch tables are dropped (one BatchDeleteTable; their files stay) and the
 *    scratch files deleted, whatever happened; staging folders are the pipeline's to commit or
 *    delete. The result names the parse query (the one that read the raw data) and adds up the
 *    bytes scanned and engine time of the three.
 *
 * The workgroup must not override client-side settings with an enforced result location: Athena
 * refuses a CTAS with `external_location` there (the FAILED message says so). Its per-query data
 * usage control does apply, and must fit the largest partition's raw bytes.
 */
export function createAthenaEngine(options: AthenaEngineOptions): AthenaEngine {
  const cap = options.cap ?? new InFlightCap(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  const scratchDatabase = options.scratchDatabase ?? options.database;
  const warn = options.onWarning ?? ((message: string) => console.warn(message));

  async function cleanUp(tables: string[], parsed: S3Location, what: string): Promise<void> {
    await options.glue.deleteTables(scratchDatabase, tables).catch((error: unknown) => {
      warn(`The scratch tables of ${what} (${tables.join(', ')}) were not all dropped: ${String(error)}`);
    });
    try {
      const objects = await options.store.listObjects(parsed);
      await options.store.deleteObjects(
        parsed.bucket,
        objects.map((object) => keyIn(parsed, object.key)),
      );
    } catch (error) {
      warn(`The scratch files of ${what} under ${url(parsed)} were not all deleted: ${String(error)}`);
    }
  }

  /** Everything a conversion sends, built once: what `convert` runs and `describe` prints. */
  function planOf(request: RemoteConvertRequest) {
    const { source, partition } = request;
    const tables = scratchTables(source, partition, request.runId);
    const parsedLocation = parsedFolder(options.lake, source, partition, request.runId);
    const parsed = { database: scratchDatabase, table: tables.parsed };
    return {
      manifest: manifestFolder(options.lake, source, partition),
      manifestBody: manifestText(request.raw, request.objects),
      linesTable: linesTableName(source),
      values: partitionValues(partition).map(([, value]) => value),
      tables,
      parsedLocation,
      sql: {
        parse: parsedTableSql(source, partition, {
          database: options.database,
          raw: url(request.raw),
          target: { ...parsed, location: url(parsedLocation) },
        }),
        rows: stagedRowsSql(source, parsed, {
          database: scratchDatabase,
          table: tables.rows,
          location: url(request.stagingData),
        }),
        rejects: stagedRejectsSql(parsed, {
          database: scratchDatabase,
          table: tables.rejects,
          location: url(request.stagingRejects),
        }),
      },
    };
  }

  /** The calls and statements of a conversion, in order, sending nothing (--dry-run). */
  function describeConversion(request: RemoteConvertRequest): string[] {
    checkReadableObjects(request.source, request.objects);
    const plan = planOf(request);
    const query = (sql: string) =>
      `Athena StartQueryExecution (workgroup ${options.workGroup}), then GetQueryExecution until it ends and GetQueryResults for its row count:\n${sql}`;
    return [
      `S3 PutObject ${url(plan.manifest)}${MANIFEST_NAME}: a symlink manifest of ${request.objects.length} object(s)`,
      `Glue GetPartition, then CreatePartition or UpdatePartition: ${options.database}.${plan.linesTable} (${plan.values.join(', ')}) LOCATION ${url(plan.manifest)}`,
      query(plan.sql.parse),
      query(plan.sql.rows),
      query(plan.sql.rejects),
      `Glue BatchDeleteTable ${scratchDatabase}: ${[plan.tables.parsed, plan.tables.rows, plan.tables.rejects].join(', ')}`,
      `S3 ListObjectsV2 + DeleteObjects under ${url(plan.parsedLocation)} (the parsed scratch)`,
    ];
  }

  async function convert(request: RemoteConvertRequest): Promise<RemoteConvertResult> {
    const { source } = request;
    const what = describe(request);
    checkReadableObjects(source, request.objects);
    const plan = planOf(request);
    await options.store.putObject(
      plan.manifest.bucket,
      keyIn(plan.manifest, MANIFEST_NAME),
      plan.manifestBody,
      {
        contentType: 'text/plain',
      },
    );
    await options.glue.swapPartitionLocation(
      options.database,
      plan.linesTable,
      plan.values,
      url(plan.manifest),
    );
    const { tables, parsedLocation } = plan;
    try {
      const steps: QueryOutcome[] = [];
      const run = async (sql: string, step: string): Promise<number> => {
        const outcome = await runQuery(options, sql, `${step} of ${what}`);
        steps.push(outcome);
        return rowsWritten(options, outcome.queryExecutionId, `${step} of ${what}`);
      };
      const rowsIn = await run(plan.sql.parse, 'parsing the lines');
      const rowsOut = await run(plan.sql.rows, 'staging the rows');
      const rowsRejected = await run(plan.sql.rejects, 'staging the rejects');
      const [parse, rows, rejects] = steps as [QueryOutcome, QueryOutcome, QueryOutcome];
      if (rowsIn !== rowsOut + rowsRejected)
        throw new ReconciliationError(
          `The Athena conversion of ${what} does not reconcile: query ${parse.queryExecutionId} parsed ${rowsIn} lines, ` +
            `query ${rows.queryExecutionId} wrote ${rowsOut} rows and query ${rejects.queryExecutionId} ${rowsRejected} rejects.`,
          { source: source.name },
        );
      return {
        rowsIn,
        rowsOut,
        rowsRejected,
        bytesIn: request.objects.reduce((sum, object) => sum + object.size, 0),
        engine: {
          kind: 'athena',
          id: parse.queryExecutionId,
          bytesScanned: steps.reduce((sum, step) => sum + step.bytesScanned, 0),
          engineMs: steps.reduce((sum, step) => sum + step.engineMs, 0),
          state: 'SUCCEEDED',
        },
      };
    } finally {
      await cleanUp([tables.parsed, tables.rows, tables.rejects], parsedLocation, what);
    }
  }

  return {
    name: 'athena',
    cap,
    convert: (request) => cap.run(() => convert(request)),
    describe: (request) => describeConversion(request),
  };
}
