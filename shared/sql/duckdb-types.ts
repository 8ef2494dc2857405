import type { AthenaType, ScalarType } from '../sources/types.js';
import { quoteIdentifier } from './identifiers.js';

/** DuckDB's type for each Athena scalar type, chosen so Parquet physical types match what Athena reads. */
const DUCKDB_SCALAR: Record<ScalarType, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
};

/** DuckDB's spelling of an Athena column type (structs and arrays included). */
export function duckdbType(type: AthenaType): string {
  if (typeof type === 'string') return DUCKDB_SCALAR[type];
  if ('array' in type) return `${duckdbType(type.array)}[]`;
  return `STRUCT(${type.struct.map((field) => `${quoteIdentifier(field.name)} ${duckdbType(field.type)}`).join(', ')})`;
}
