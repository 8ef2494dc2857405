import type { PartitionRef } from '../../engines/types.js';

/** The partition values of the contract, as the catalog stores them (in partition-column order). */
export function partitionValues(partition: PartitionRef): string[] {
  const [year = '', month = '', day = ''] = partition.date.split('-');
  return [partition.account, partition.region, year, month, day];
}
