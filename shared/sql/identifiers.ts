import { UsageError } from '../errors.js';

/** Athena's rule for identifiers we choose: lowercase letters, digits and underscore. */
const ATHENA_IDENTIFIER = /^[a-z_][a-z0-9_]{0,254}$/;

/** Fails unless `name` follows Athena's identifier rules; returns it unchanged. */
export function athenaIdentifier(name: string): string {
  if (!ATHENA_IDENTIFIER.test(name)) {
    throw new UsageError(
      `"${name}" is not a valid identifier: use lowercase letters, digits and underscore.`,
      { field: name },
    );
  }
  return name;
}

/** A double-quoted identifier (DuckDB, Trino): embedded quotes doubled, NUL refused. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\u0000')) throw new UsageError('An identifier cannot contain a NUL character.');
  return `"${name.replace(/"/g, '""')}"`;
}

/** A single-quoted SQL string literal: embedded quotes doubled, NUL refused. */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new UsageError('A SQL literal cannot contain a NUL character.');
  return `'${value.replace(/'/g, "''")}'`;
}

/** A list of string literals for DuckDB, e.g. a list of files: `['a', 'b']`. */
export function quoteLiteralList(values: readonly string[]): string {
  return `[${values.map(quoteLiteral).join(', ')}]`;
}
