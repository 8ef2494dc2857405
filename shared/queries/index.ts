import type { NamedQuery } from './types.js';
import { VPC_FLOW_QUERIES } from './vpc-flow.js';

export * from './types.js';
export { renderQuery, partitionFilter, queryParameters } from './render.js';

/** Every named query, by name. */
export const NAMED_QUERIES: ReadonlyMap<string, NamedQuery> = new Map(
  VPC_FLOW_QUERIES.map((query) => [query.name, query]),
);
