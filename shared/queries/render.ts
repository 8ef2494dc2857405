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

/** Fills a named query's text for one dialect, validating each parameter against its pattern. */
export function renderQuery(
  query: NamedQuery,
  dialect: 'athena' | 'duckdb',
  parameters: QueryParameters,
): string {
  const declared = query.parameters ?? {};
  for (const name of Object.keys(parameters.params)) {
    if (!(name in declared))
      throw new UsageError(`Query ${query.name} takes no parameter "${name}".`, { field: name });
  }
  let text = query[dialect].replace('{{partition_filter}}', partitionFilter(parameters));
  for (const [name, spec] of Object.entries(declared)) {
    const value = parameters.params[name] ?? spec.default;
    if (value === undefined)
      throw new UsageError(`Query ${query.name} needs --param ${name}=… (${spec.description}).`, {
        field: name,
      });
    if (!spec.pattern.test(value))
      throw new UsageError(`--param ${name}="${value}" is not valid: ${spec.description}.`, { field: name });
    text = text.split(`{{${name}}}`).join(quoteLiteral(value));
  }
  return text;
}
