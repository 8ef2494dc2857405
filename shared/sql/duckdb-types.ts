import type { AthenaType } from '../sources/types.js';

/** DuckDB's type for each Athena type, chosen so Parquet physical types match what Athena reads. */
export const DUCKDB_TYPE: Record<AthenaType, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};
