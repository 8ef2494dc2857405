/**
 * Planning benchmark: a year of VPC flow logs of many accounts and regions, planned and batched by
 * the product's own code, nothing sent. Builds the listing (a few objects per partition, keys as
 * AWS delivers them), runs `discoverPartitions`, `decide` against no bookmarks, builds the raw
 * partitions to register (`rawPartitionOf`) and registers them through the real
 * `createPartitions` against a Glue client that only counts its BatchCreatePartition calls, builds
 * the Athena DDL alternative (`addPartitionsSql`, statements under 262,144 bytes) and the
 * conversion batches (`convertBatches`). Prints the time and memory of each step and the counts.
 *
 *   npm run build && node dist/bench/plan.js [--accounts 100 --regions 20 --days 365 --objects 3 --first-day 2025-01-01]
 */
import { BatchCreatePartitionCommand, GetTableCommand, type GlueClient } from '@aws-sdk/client-glue';
import { createPartitions, MAX_PARTITIONS_PER_BATCH } from '../shared/catalog/glue-partitions.js';
import { TableCache } from '../shared/catalog/glue-tables.js';
import { rawPartitionOf } from '../shared/pipeline/targets/raw-registration.js';
import { daysBetween, addDays } from '../shared/plan/dates.js';
import { decide } from '../shared/plan/decide.js';
import { discoverPartitions } from '../shared/plan/discover.js';
import { SOURCES } from '../shared/sources/index.js';
import { convertBatches } from '../shared/sql/athena/convert-query.js';
import { addPartitionsSql, MAX_QUERY_BYTES } from '../shared/sql/athena/partitions.js';
import { parseS3Location } from '../shared/storage/s3-location.js';
import { benchArgs } from './args.js';
import { vpcFlowListing } from './vpc-flow-listing.js';
import { printFigures } from './print-figures.js';

const args = benchArgs({ accounts: 100, regions: 20, days: 365, objects: 3, 'first-day': '2025-01-01' });
const DATABASE = 'athena_logs';
const raw = parseS3Location('s3://raw-logs-bucket/');
const lake = parseS3Location('s3://lake-bucket/lake/');
const MiB = 1024 * 1024;

const steps: Record<string, string> = {};
/** Runs a step and notes its time and the process's memory right after it. */
async function step<T>(name: string, work: () => T | Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  const value = await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const { rss, heapUsed } = process.memoryUsage();
  steps[name] =
    `${seconds.toFixed(2)} s (rss ${Math.round(rss / MiB)} MiB, heap ${Math.round(heapUsed / MiB)} MiB)`;
  return value;
}

/** A Glue client that knows one table and counts the BatchCreatePartition calls and their partitions. */
function countingGlue() {
  const counts = { calls: 0, partitions: 0, largest: 0 };
  const send = async (command: unknown): Promise<unknown> => {
    if (command instanceof GetTableCommand)
      return {
        Table: {
          Name: command.input.Name,
          PartitionKeys: ['account', 'region', 'year', 'month', 'day'].map((Name) => ({
            Name,
            Type: 'string',
          })),
          StorageDescriptor: { Location: 's3://raw-logs-bucket/AWSLogs/', Columns: [] },
        },
      };
    if (command instanceof BatchCreatePartitionCommand) {
      const size = command.input.PartitionInputList?.length ?? 0;
      counts.calls += 1;
      counts.partitions += size;
      counts.largest = Math.max(counts.largest, size);
      return { Errors: [] };
    }
    throw new Error(`The counting Glue client does not answer ${(command as object).constructor.name}.`);
  };
  const client = { send } as unknown as GlueClient;
  return { client, counts };
}

const source = SOURCES.vpc_flow;
const shape = {
  accounts: args.accounts,
  regions: args.regions,
  days: args.days,
  firstDay: args['first-day'],
  objectsPerPartition: args.objects,
};
const objects = await step('list (build objects)', () => vpcFlowListing(shape));
const dates = new Set(daysBetween(shape.firstDay, addDays(shape.firstDay, shape.days - 1)));
let unmatched = 0;
const partitions = await step('discoverPartitions', () =>
  discoverPartitions([source], objects, { dates, onUnmatched: () => (unmatched += 1) }),
);
const toConvert = await step('decide (no bookmarks)', () =>
  partitions.filter(
    (partition) =>
      decide(undefined, partition.fingerprint, {
        retryBudget: 3,
        backfill: true,
        retryFailed: false,
        now: Date.now(),
      }).action === 'convert',
  ),
);
const rawPartitions = await step('rawPartitionOf', () =>
  toConvert.flatMap((partition) => rawPartitionOf(partition, raw, lake) ?? []),
);
const glue = countingGlue();
const created = await step('createPartitions (Glue, counted)', () =>
  createPartitions(
    { client: glue.client, tables: new TableCache(glue.client) },
    DATABASE,
    `${source.name}_raw`,
    rawPartitions.map(({ values, location }) => ({ values, location })),
  ),
);
const statements = await step('addPartitionsSql (Athena DDL)', () =>
  addPartitionsSql(
    DATABASE,
    `${source.name}_raw`,
    rawPartitions.map(({ values, location }) => {
      const [account = '', region = '', year = '', month = '', day = ''] = values;
      return { partition: { account, region, date: `${year}-${month}-${day}` }, location };
    }),
  ),
);
const batches = await step('convertBatches', () => convertBatches(toConvert));

const peakRss = process.resourceUsage().maxRSS * 1024;
const figures = {
  accounts: shape.accounts,
  regions: shape.regions,
  days: shape.days,
  objects: objects.length,
  unmatchedObjects: unmatched,
  partitions: partitions.length,
  expectedPartitions: shape.accounts * shape.regions * shape.days,
  toConvert: toConvert.length,
  rawPartitions: rawPartitions.length,
  batchCreatePartitionCalls: glue.counts.calls,
  batchCreatePartitionLargest: glue.counts.largest,
  partitionsCreated: created.created,
  maxPartitionsPerCall: MAX_PARTITIONS_PER_BATCH,
  athenaDdlStatements: statements.length,
  athenaDdlLargestBytes: Math.max(0, ...statements.map((sql) => Buffer.byteLength(sql, 'utf8'))),
  athenaDdlLimitBytes: MAX_QUERY_BYTES,
  convertBatches: batches.length,
  convertBatchLargest: Math.max(0, ...batches.map((batch) => batch.length)),
  peakRssMiB: Math.round(peakRss / MiB),
};
printFigures({ ...steps, ...figures }, { ...figures, steps });
