import { UsageError } from '../../errors.js';
import { isRealDate } from '../../sources/match-key.js';
import { partitionValueList } from '../../sources/partition.js';
import { PARTITION_COLUMNS, type PartitionColumn } from '../../sources/types.js';

/** One partition of one source (the shape of the engines' `PartitionRef`). */
export interface AthenaPartition {
  account: string;
  region: string;
  /** YYYY-MM-DD */
  date: string;
}

/** The partition columns' values, in `PARTITION_COLUMNS` order (month and day two digits). */
export function partitionValues(partition: AthenaPartition): [PartitionColumn, string][] {
  if (!isRealDate(partition.date))
    throw new UsageError(`A partition date must be a real YYYY-MM-DD day, not "${partition.date}".`, {
      field: 'date',
    });
  const values = partitionValueList(partition);
  return PARTITION_COLUMNS.map((column, index) => [column, values[index] ?? '']);
}
