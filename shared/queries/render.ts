import { UsageError } from '../errors.js';
import { quoteLiteral } from '../sql/identifiers.js';
import type { NamedQuery, QueryParameters } from './types.js';

/** Partition predicate on the contract's partition columns; every value becomes a quoted literal. */
export function partitionFilter(parameters: QueryParameters): string {
  const dateKey = "concat(year, '-', month, '-', day)";
  const clauses = [`${dateKey} BETWEEN ${quoteLiteral(parameters.from)} AND ${quoteLiteral(parameters.to)}`];
  if (parameters.account) clauses.push(`account = ${quoteLiteral(parameters.account)}`);
  if (parameters.region) clauses.push(`region = ${quoteLiteral(parameters.region)}`);
  return clauses.join(' AND ');
}

/**
 * The value of every parameter of a named query, checked: unknown names, missing values and
 * values that fail their pattern or check are a UsageError naming the parameter.
 */
export function queryParameters(query: NamedQuery, given: Record<string, string>): Record<string, string> {
  const declared = query.parameters ?? {};
  for (const name of Object.keys(given)) {
    if (!(name in declared))
      throw new UsageError(`Query ${query.name} takes no parameter "${name}".`, { field: name });
  }
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const value = given[name] ?? spec.default;
    if (value === undefined) {
      throw new UsageError(`Query ${query.name} needs --param ${name}=… (${spec.description}).`, {
        field: name,
      });
    }
    if (!spec.pattern.test(value) || (spec.isValid !== undefined && !spec.isValid(value))) {
      throw new UsageError(`--param ${name}="${value}" is not valid: ${spec.description}.`, { field: name });
    }
    values[name] = value;
  }
  return values;
}

/** Fills a named query's text for one dialect; every value becomes a quoted literal. */
export function renderQuery(
  query: NamedQuery,
  dialect: 'athena' | 'duckdb',
  parameters: QueryParameters,
): string {
  let text = query[dialect].replace('{{partition_filter}}', partitionFilter(parameters));
  for (const [name, value] of Object.entries(queryParameters(query, parameters.params))) {
    text = text.split(`{{${name}}}`).join(quoteLiteral(value));
  }
  return text;
}
