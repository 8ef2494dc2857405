import type { SourceName } from '../sources/types.js';

/** Values a named query is run with; the partition filters are always present. */
export interface QueryParameters {
  from: string;
  to: string;
  account?: string;
  region?: string;
  params: Record<string, string>;
}

/**
 * A question of QUERIES.md as data: the SQL runs unchanged on the converted table (named after
 * the source), with `{{partition_filter}}` replaced by the partition predicate. Texts differ by
 * dialect only where Athena and DuckDB disagree.
 */
export interface NamedQuery {
  name: string;
  source: SourceName;
  description: string;
  athena: string;
  duckdb: string;
  /** Parameters the text uses as `{{name}}` (validated, then quoted as literals). */
  parameters?: Record<
    string,
    { description: string; pattern: RegExp; default?: string; isValid?: (value: string) => boolean }
  >;
  /** The question is about one account: the partition filter must name it. */
  requiresAccount?: boolean;
}
