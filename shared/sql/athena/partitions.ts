import { hiveIdentifier, hiveLiteral, hiveTableName } from './identifiers.js';
import { partitionValues, type AthenaPartition } from './partition-values.js';

/** Athena refuses a query string longer than this many bytes (UTF-8). */
export const MAX_QUERY_BYTES = 262_144;

/** A partition to register and the folder it reads (a day folder, or a manifest folder). */
export interface PartitionLocation {
  partition: AthenaPartition;
  location: string;
}

/** `PARTITION (`account`='…', …)`: the partition spec of Hive DDL. */
export function partitionSpec(partition: AthenaPartition): string {
  const values = partitionValues(partition).map(
    ([column, value]) => `${hiveIdentifier(column)}=${hiveLiteral(value)}`,
  );
  return `PARTITION (${values.join(', ')})`;
}

/**
 * `ALTER TABLE … ADD IF NOT EXISTS PARTITION (…) LOCATION '…' …`, as few statements as fit under
 * Athena's query-size limit (`maxBytes`, 262,144 by default), partitions in the given order.
 * Adding an existing partition is a no-op, so a batch can be re-run after a failure.
 */
export function addPartitionsSql(
  database: string,
  table: string,
  partitions: readonly PartitionLocation[],
  maxBytes: number = MAX_QUERY_BYTES,
): string[] {
  const head = `ALTER TABLE ${hiveTableName(database, table)} ADD IF NOT EXISTS`;
  const headBytes = Buffer.byteLength(head, 'utf8');
  const statements: string[] = [];
  let clauses: string[] = [];
  let bytes = headBytes;
  for (const { partition, location } of partitions) {
    const clause = `\n${partitionSpec(partition)} LOCATION ${hiveLiteral(location)}`;
    const clauseBytes = Buffer.byteLength(clause, 'utf8');
    if (headBytes + clauseBytes > maxBytes)
      throw new RangeError(`The partition clause for ${location} alone is longer than ${maxBytes} bytes.`);
    if (bytes + clauseBytes > maxBytes) {
      statements.push(head + clauses.join(''));
      clauses = [];
      bytes = headBytes;
    }
    clauses.push(clause);
    bytes += clauseBytes;
  }
  if (clauses.length) statements.push(head + clauses.join(''));
  return statements;
}

/** `MSCK REPAIR TABLE`: registers the Hive-style partition folders (`account=…/…/day=…/`) below a table's LOCATION. */
export function msckRepairSql(database: string, table: string): string {
  return `MSCK REPAIR TABLE ${hiveTableName(database, table)}`;
}
