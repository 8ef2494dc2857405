import { UsageError } from '../../errors.js';
import { athenaIdentifier, quoteIdentifier, quoteLiteral } from '../identifiers.js';

/**
 * Names AWS dictates rather than us, such as the keys of the Hive-compatible flow-log prefix
 * (`aws-account-id`, `aws-region`): lowercase words joined by hyphens, always backtick-quoted.
 */
const AWS_DICTATED_IDENTIFIER = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;

/** Our own names (Athena's rules) or AWS-dictated hyphenated ones; anything else is refused. */
function checkedName(name: string): string {
  if (AWS_DICTATED_IDENTIFIER.test(name)) return name;
  return athenaIdentifier(name);
}

/**
 * An identifier in Hive DDL: always backtick-quoted, so reserved words (`end`, `date`, `time`,
 * `timestamp`, `readonly` …) never need a list. Only valid names get here, so no backtick is
 * ever inside.
 */
export function hiveIdentifier(name: string): string {
  return `\`${checkedName(name)}\``;
}

/** An identifier in Trino DML (Athena queries, UNLOAD): always double-quoted. */
export function trinoIdentifier(name: string): string {
  return quoteIdentifier(checkedName(name));
}

/** `database`.`table` for Hive DDL. */
export function hiveTableName(database: string, table: string): string {
  return `${hiveIdentifier(database)}.${hiveIdentifier(table)}`;
}

/** "database"."table" for Trino DML. */
export function trinoTableName(database: string, table: string): string {
  return `${trinoIdentifier(database)}.${trinoIdentifier(table)}`;
}

/** Control characters Hive's string unescaping understands by a letter. */
const HIVE_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A string literal of Hive DDL (Athena's DDL parser): backslash escapes, not doubled quotes —
 * Hive reads `'a''b'` as two adjacent literals. Backslashes are doubled (a regex's `\[` is
 * written `\\[`, as in the Athena guide), quotes escaped, and control characters spelled
 * `\n`, `\t` or `\uXXXX` so a statement never breaks across a raw newline. NUL is refused.
 */
export function hiveLiteral(value: string): string {
  if (value.includes('\u0000')) throw new UsageError('A SQL literal cannot contain a NUL character.');
  let text = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') text += '\\\\';
    else if (char === "'") text += "\\'";
    else if (HIVE_ESCAPES[char] !== undefined) text += HIVE_ESCAPES[char];
    else if (code < 0x20 || code === 0x7f) text += `\\u${code.toString(16).padStart(4, '0')}`;
    else text += char;
  }
  return `'${text}'`;
}

/** A string literal of Trino DML: quotes doubled, no backslash escapes; NUL refused. */
export function trinoLiteral(value: string): string {
  return quoteLiteral(value);
}

/** `ARRAY['a', 'b']` of Trino string literals. */
export function trinoLiteralArray(values: readonly string[]): string {
  return `ARRAY[${values.map(trinoLiteral).join(', ')}]`;
}
