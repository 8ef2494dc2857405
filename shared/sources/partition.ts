import { PARTITION_COLUMNS } from './types.js';

/** What names a partition: its account, region and day (YYYY-MM-DD). */
export interface PartitionName {
  account: string;
  region: string;
  date: string;
}

/** `vpc_flow 111122223333/us-east-1/2026-11-21`: how messages name a source's partition. */
export function describeSourcePartition(source: string, partition: PartitionName): string {
  return `${source} ${partition.account}/${partition.region}/${partition.date}`;
}

/** The partition columns' values, in `PARTITION_COLUMNS` order (month and day two digits). */
export function partitionValueList(partition: PartitionName): string[] {
  const [year = '', month = '', day = ''] = partition.date.split('-');
  return [partition.account, partition.region, year, month, day];
}

/** `account=…/region=…/year=YYYY/month=MM/day=DD`: the Hive partition path of the contract. */
export function partitionPath(partition: PartitionName): string {
  const values = partitionValueList(partition);
  return PARTITION_COLUMNS.map((column, index) => `${column}=${values[index]}`).join('/');
}
