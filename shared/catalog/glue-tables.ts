import {
  BatchDeleteTableCommand,
  GetTableCommand,
  type GlueClient,
  type StorageDescriptor,
  type Table,
} from '@aws-sdk/client-glue';
import type { ThrottleRetryOptions } from '../aws/throttle.js';
import { CatalogError } from '../errors.js';
import { sendGlue } from './glue-send.js';
import { describeGlueRequest } from './glue-errors.js';

/**
 * GetTable once per table: a night registers and swaps thousands of partitions of a dozen tables,
 * and each needs only the table's storage descriptor and partition keys, which do not change
 * during a run. A failed lookup is forgotten, so the next caller asks again.
 */
export class TableCache {
  private readonly tables = new Map<string, Promise<Table>>();

  constructor(
    private readonly client: GlueClient,
    private readonly retry?: Partial<ThrottleRetryOptions>,
  ) {}

  /** The table's catalog entry; fails with a CatalogError naming it (EntityNotFound: how to create it). */
  get(database: string, table: string): Promise<Table> {
    const key = `${database}.${table}`;
    let found = this.tables.get(key);
    if (!found) {
      found = this.lookUp(database, table);
      this.tables.set(key, found);
      found.catch(() => this.tables.delete(key));
    }
    return found;
  }

  private async lookUp(database: string, table: string): Promise<Table> {
    const request = { operation: 'GetTable', database, table };
    const answer = await sendGlue(this.retry, request, () =>
      this.client.send(new GetTableCommand({ DatabaseName: database, Name: table })),
    );
    if (!answer.Table?.StorageDescriptor)
      throw new CatalogError(`${describeGlueRequest(request)} answered without a storage descriptor.`, {
        ...request,
      });
    return answer.Table;
  }
}

/**
 * A partition's storage descriptor: the table's (columns, SerDe, input and output formats) with
 * the partition's own LOCATION. Taken from the table rather than from a previous version of the
 * partition, because a new version is written against the table's current columns.
 */
export function partitionStorage(table: Table, location: string): StorageDescriptor {
  return { ...table.StorageDescriptor, Location: location };
}

/** Fails unless `values` has one value per partition key of the table, in its order. */
export function checkPartitionValues(table: Table, database: string, values: readonly string[]): void {
  const keys = (table.PartitionKeys ?? []).map((key) => key.Name ?? '');
  if (keys.length !== values.length)
    throw new CatalogError(
      `Table ${database}.${table.Name ?? '?'} is partitioned by ${keys.length} keys (${keys.join(', ')}), ` +
        `but ${values.length} values were given (${values.join(', ')}).`,
      { operation: 'GetTable', database, table: table.Name ?? '' },
    );
}

/**
 * Deletes tables (BatchDeleteTable, one call for up to 100 names; the data in S3 stays): tables
 * that are already gone count as deleted, any other refusal is thrown with the table named.
 */
export async function deleteTables(
  client: GlueClient,
  database: string,
  names: readonly string[],
  retry?: Partial<ThrottleRetryOptions>,
): Promise<void> {
  for (let start = 0; start < names.length; start += 100) {
    const batch = names.slice(start, start + 100);
    const request = { operation: 'BatchDeleteTable', database, table: batch.join(', ') };
    const answer = await sendGlue(retry, request, () =>
      client.send(new BatchDeleteTableCommand({ DatabaseName: database, TablesToDelete: batch })),
    );
    const refused = (answer.Errors ?? []).filter(
      (error) => error.ErrorDetail?.ErrorCode !== 'EntityNotFoundException',
    );
    if (refused.length)
      throw new CatalogError(
        `BatchDeleteTable in ${database} refused ${refused
          .map(
            (error) =>
              `${error.TableName ?? '?'} (${error.ErrorDetail?.ErrorCode ?? 'no code'}: ${error.ErrorDetail?.ErrorMessage ?? ''})`,
          )
          .join('; ')}.`,
        {
          operation: 'BatchDeleteTable',
          database,
          table: refused.map((error) => error.TableName ?? '?').join(', '),
        },
      );
  }
}
