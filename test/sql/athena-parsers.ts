import { HiveSQL, TrinoSQL } from 'dt-sql-parser';
import { expect } from 'vitest';

/**
 * The grammars the Athena statements are checked against: Hive for DDL (Athena's DDL parser is
 * Hive's), Trino for DML (Athena engine v3). dt-sql-parser loads under vitest only.
 */
export const hive = new HiveSQL();
export const trino = new TrinoSQL();

/** Asserts that `sql` is exactly one statement with no syntax error in the grammar. */
export function expectOneValidStatement(parser: HiveSQL | TrinoSQL, sql: string): void {
  expect(parser.validate(sql).map((error) => error.message)).toEqual([]);
  expect(parser.splitSQLByStatement(sql)?.length).toBe(1);
}

/** The data and partition column names a CREATE TABLE text declares, read off the text itself. */
export function declaredColumns(ddl: string): { data: string[]; partitions: string[] } {
  const block = (text: string) => [...text.matchAll(/^ {2}`([^`]+)` /gm)].map((match) => match[1] ?? '');
  const [head = '', tail = ''] = ddl.split('\nPARTITIONED BY (\n');
  return { data: block(head), partitions: block(tail.split('\n)')[0] ?? '') };
}

/** Reads a Hive DDL string literal back to its value (the escapes `hiveLiteral` writes). */
export function unescapeHiveLiteral(literal: string): string {
  expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
  const body = literal.slice(1, -1);
  const letters: Record<string, string> = { n: '\n', r: '\r', t: '\t', "'": "'", '\\': '\\' };
  return body.replace(/\\(u[0-9a-f]{4}|.)/g, (_escape, code: string) =>
    code.length === 5
      ? String.fromCharCode(Number.parseInt(code.slice(1), 16))
      : (letters[code] ?? `\\${code}`),
  );
}

/** Takes UNLOAD apart: dt-sql-parser's Trino grammar does not know it, so its parts are checked one by one. */
export function unloadParts(sql: string): { select: string; to: string; properties: string } {
  const match = /^UNLOAD \((SELECT .*)\) TO ('(?:[^']|'')*') (WITH \(.*\))$/s.exec(sql);
  expect(match, 'UNLOAD (…) TO … WITH (…)').not.toBeNull();
  return { select: match?.[1] ?? '', to: match?.[2] ?? '', properties: match?.[3] ?? '' };
}
