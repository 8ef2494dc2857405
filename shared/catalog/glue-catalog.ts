import type { GlueClient } from '@aws-sdk/client-glue';
import type { ThrottleRetryOptions } from '../aws/throttle.js';
import {
  createPartitions,
  swapPartitionLocation,
  type CreatedPartitions,
  type GlueContext,
  type NewPartition,
} from './glue-partitions.js';
import { deleteTables, TableCache } from './glue-tables.js';

/** The Glue Data Catalog as athena-logs uses it: partitions registered and swapped, scratch tables dropped. */
export interface GlueCatalog {
  /** BatchCreatePartition in calls of at most 100 (see createPartitions). */
  createPartitions(
    database: string,
    table: string,
    partitions: readonly NewPartition[],
  ): Promise<CreatedPartitions>;
  /** Points a partition at a location, returning the previous one (see swapPartitionLocation). */
  swapPartitionLocation(
    database: string,
    table: string,
    values: readonly string[],
    location: string,
  ): Promise<string | undefined>;
  /** Drops tables from the catalog (their data stays); tables already gone are no failure. */
  deleteTables(database: string, tables: readonly string[]): Promise<void>;
}

export interface GlueCatalogOptions {
  /** How throttled Glue calls are retried (defaults: DEFAULT_THROTTLE_RETRY). */
  retry?: Partial<ThrottleRetryOptions>;
}

/** Binds the catalog functions to a Glue client, with one GetTable cache for the client's life. */
export function createGlueCatalog(client: GlueClient, options: GlueCatalogOptions = {}): GlueCatalog {
  const context: GlueContext = {
    client,
    tables: new TableCache(client, options.retry),
    retry: options.retry,
  };
  return {
    createPartitions: (database, table, partitions) => createPartitions(context, database, table, partitions),
    swapPartitionLocation: (database, table, values, location) =>
      swapPartitionLocation(context, database, table, values, location),
    deleteTables: (database, tables) => deleteTables(client, database, tables, options.retry),
  };
}

/**
 * The catalog bound to one database: what the AWS target's commit needs (it satisfies the
 * pipeline's `PartitionCatalog` without this layer knowing the pipeline).
 */
export interface DatabaseCatalog {
  createPartitions(table: string, partitions: readonly NewPartition[]): Promise<CreatedPartitions>;
  swapPartitionLocation(
    table: string,
    values: readonly string[],
    location: string,
  ): Promise<string | undefined>;
}

/** The converted tables of one database, for the commit: `partitionCatalog(catalog, 'athena_logs')`. */
export function partitionCatalog(catalog: GlueCatalog, database: string): DatabaseCatalog {
  return {
    createPartitions: (table, partitions) => catalog.createPartitions(database, table, partitions),
    swapPartitionLocation: (table, values, location) =>
      catalog.swapPartitionLocation(database, table, values, location),
  };
}
