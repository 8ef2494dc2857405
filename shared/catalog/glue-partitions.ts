import {
  BatchCreatePartitionCommand,
  CreatePartitionCommand,
  GetPartitionCommand,
  UpdatePartitionCommand,
  type GlueClient,
  type Partition,
  type PartitionInput,
  type Table,
} from '@aws-sdk/client-glue';
import {
  backoffDelay,
  DEFAULT_THROTTLE_RETRY,
  isThrottlingError,
  THROTTLING_CODES,
  withThrottleRetry,
  type ThrottleRetryOptions,
} from '../aws/throttle.js';
import { PartitionsRefusedError, type RefusedPartition } from '../errors.js';
import { catalogFailure, glueErrorCode } from './glue-errors.js';
import { sendGlue } from './glue-send.js';
import { checkPartitionValues, partitionStorage, type TableCache } from './glue-tables.js';

/** Glue's limit on the partitions of one BatchCreatePartition call. */
export const MAX_PARTITIONS_PER_BATCH = 100;

/** What the catalog functions need: the client, the table cache, and the throttling policy. */
export interface GlueContext {
  client: GlueClient;
  tables: TableCache;
  retry?: Partial<ThrottleRetryOptions>;
}

/** A partition to register: its values in the table's partition-key order, and the folder it reads. */
export interface NewPartition {
  values: readonly string[];
  location: string;
}

/** What a registration did. */
export interface CreatedPartitions {
  created: number;
  /** Partitions that were there already (left as they are: AlreadyExists is no failure). */
  alreadyExisted: number;
  /** BatchCreatePartition calls sent, resubmissions of throttled entries included. */
  calls: number;
}

/** `account=111122223333, region=eu-west-1, …`: partition values named by the table's keys. */
export function describeValues(table: Table, values: readonly string[]): string {
  const keys = (table.PartitionKeys ?? []).map((key) => key.Name ?? '?');
  return values.map((value, index) => `${keys[index] ?? `key ${index + 1}`}=${value}`).join(', ');
}

function partitionInput(table: Table, partition: NewPartition): PartitionInput {
  return { Values: [...partition.values], StorageDescriptor: partitionStorage(table, partition.location) };
}

/**
 * Registers partitions with Glue BatchCreatePartition, at most 100 per call, each with the table's
 * storage descriptor and its own LOCATION. The answer's per-partition `Errors` are read, not
 * thrown away: AlreadyExistsException is counted (registration is re-run after failures, and the
 * existing partition is left untouched); entries Glue throttled are sent again after a backoff;
 * every other refusal is collected over all batches and thrown at the end as one
 * PartitionsRefusedError listing each partition's values and Glue's reason.
 */
export async function createPartitions(
  context: GlueContext,
  database: string,
  table: string,
  partitions: readonly NewPartition[],
): Promise<CreatedPartitions> {
  const entry = await context.tables.get(database, table);
  for (const partition of partitions) checkPartitionValues(entry, database, partition.values);
  const settings = { ...DEFAULT_THROTTLE_RETRY, ...context.retry };
  const result: CreatedPartitions = { created: 0, alreadyExisted: 0, calls: 0 };
  const refused: RefusedPartition[] = [];
  for (let start = 0; start < partitions.length; start += MAX_PARTITIONS_PER_BATCH) {
    let pending = partitions.slice(start, start + MAX_PARTITIONS_PER_BATCH);
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const inputs = pending.map((partition) => partitionInput(entry, partition));
      result.calls += 1;
      const answer = await sendGlue(
        context.retry,
        { operation: 'BatchCreatePartition', database, table, detail: `${inputs.length} partitions` },
        () =>
          context.client.send(
            new BatchCreatePartitionCommand({
              DatabaseName: database,
              TableName: table,
              PartitionInputList: inputs,
            }),
          ),
      );
      const errors = answer.Errors ?? [];
      const failedKeys = new Set(errors.map((error) => (error.PartitionValues ?? []).join('\u0000')));
      result.created += pending.filter(
        (partition) => !failedKeys.has(partition.values.join('\u0000')),
      ).length;
      const throttled: NewPartition[] = [];
      for (const error of errors) {
        const code = error.ErrorDetail?.ErrorCode ?? 'UnknownError';
        const values = error.PartitionValues ?? [];
        const partition = pending.find(
          (candidate) => candidate.values.join('\u0000') === values.join('\u0000'),
        );
        if (code === 'AlreadyExistsException') result.alreadyExisted += 1;
        else if (THROTTLING_CODES.has(code) && partition && attempt < settings.maxAttempts)
          throttled.push(partition);
        else refused.push({ values, code, message: error.ErrorDetail?.ErrorMessage ?? '' });
      }
      pending = throttled;
      if (pending.length) await settings.sleep(backoffDelay(attempt, settings));
    }
  }
  if (refused.length)
    throw new PartitionsRefusedError(
      `BatchCreatePartition ${database}.${table} refused ${refused.length} of ${partitions.length} partitions: ` +
        `${refused.map((partition) => `(${describeValues(entry, partition.values)}) ${partition.code}: ${partition.message.replace(/\.$/, '')}`).join('; ')}.`,
      { operation: 'BatchCreatePartition', database, table, code: refused[0]?.code, refused },
    );
  return result;
}

/** The partition's catalog entry, or undefined when the table has no such partition. */
async function getPartition(
  context: GlueContext,
  database: string,
  table: Table,
  values: readonly string[],
): Promise<Partition | undefined> {
  const name = table.Name ?? '';
  try {
    const answer = await withThrottleRetry(
      () =>
        context.client.send(
          new GetPartitionCommand({ DatabaseName: database, TableName: name, PartitionValues: [...values] }),
        ),
      context.retry,
    );
    return answer.Partition;
  } catch (error) {
    if (glueErrorCode(error) === 'EntityNotFoundException' && !isThrottlingError(error)) return undefined;
    throw catalogFailure(
      { operation: 'GetPartition', database, table: name, detail: describeValues(table, values) },
      error,
    );
  }
}

/**
 * Points a partition at `location` and returns the LOCATION it had before (undefined when the
 * partition is new): GetPartition, then UpdatePartition (only when the location differs) or
 * CreatePartition when absent. What the pipeline's commit calls — readers switch from the old
 * version to the new one in one catalog write — and what the Athena engine uses to aim the lines
 * table's partition at its manifest folder. The table's storage descriptor (GetTable, cached) is
 * used for the partition. A partition created by someone else between the lookup and the create
 * is looked up again and updated.
 */
export async function swapPartitionLocation(
  context: GlueContext,
  database: string,
  table: string,
  values: readonly string[],
  location: string,
): Promise<string | undefined> {
  const entry = await context.tables.get(database, table);
  checkPartitionValues(entry, database, values);
  const detail = `${describeValues(entry, values)} → ${location}`;
  for (let lookup = 1; ; lookup += 1) {
    const existing = await getPartition(context, database, entry, values);
    if (existing) {
      const previous = existing.StorageDescriptor?.Location;
      if (previous === location) return previous;
      await sendGlue(context.retry, { operation: 'UpdatePartition', database, table, detail }, () =>
        context.client.send(
          new UpdatePartitionCommand({
            DatabaseName: database,
            TableName: table,
            PartitionValueList: [...values],
            PartitionInput: {
              ...partitionInput(entry, { values, location }),
              ...(existing.Parameters ? { Parameters: existing.Parameters } : {}),
            },
          }),
        ),
      );
      return previous;
    }
    try {
      await withThrottleRetry(
        () =>
          context.client.send(
            new CreatePartitionCommand({
              DatabaseName: database,
              TableName: table,
              PartitionInput: partitionInput(entry, { values, location }),
            }),
          ),
        context.retry,
      );
      return undefined;
    } catch (error) {
      if (glueErrorCode(error) !== 'AlreadyExistsException' || lookup >= 2)
        throw catalogFailure({ operation: 'CreatePartition', database, table, detail }, error);
    }
  }
}
