import type { AthenaType, ScalarType } from '../../sources/types.js';
import { hiveIdentifier, trinoIdentifier } from './identifiers.js';

/** Trino's name of each Athena (Hive DDL) scalar type, for casts in DML. */
const TRINO_SCALAR: Record<ScalarType, string> = {
  string: 'varchar',
  int: 'integer',
  bigint: 'bigint',
  float: 'real',
  double: 'double',
  boolean: 'boolean',
  // Athena reads Parquet timestamps at millisecond precision.
  timestamp: 'timestamp(3)',
  date: 'date',
};

/** The Hive DDL spelling of a column type: `string`, `struct<\`a\`:string>`, `array<…>`. */
export function hiveType(type: AthenaType): string {
  if (typeof type === 'string') return type;
  if ('array' in type) return `array<${hiveType(type.array)}>`;
  return `struct<${type.struct.map((field) => `${hiveIdentifier(field.name)}:${hiveType(field.type)}`).join(',')}>`;
}

/** The Trino spelling of a column type: `varchar`, `ROW("a" varchar)`, `ARRAY(…)`. */
export function trinoType(type: AthenaType): string {
  if (typeof type === 'string') return TRINO_SCALAR[type];
  if ('array' in type) return `ARRAY(${trinoType(type.array)})`;
  return `ROW(${type.struct.map((field) => `${trinoIdentifier(field.name)} ${trinoType(field.type)}`).join(', ')})`;
}
