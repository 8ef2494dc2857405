import { ALB_QUERIES } from './alb.js';
import { CLOUDFRONT_QUERIES } from './cloudfront.js';
import { CLOUDTRAIL_QUERIES } from './cloudtrail.js';
import { ELB_QUERIES } from './elb.js';
import { S3_ACCESS_QUERIES } from './s3-access.js';
import type { NamedQuery } from './types.js';
import { VPC_FLOW_QUERIES } from './vpc-flow.js';

export * from './types.js';
export { renderQuery, partitionFilter, queryParameters } from './render.js';

/** Every named query of every source, in the sources' order. */
export const ALL_QUERIES: readonly NamedQuery[] = [
  ...VPC_FLOW_QUERIES,
  ...S3_ACCESS_QUERIES,
  ...CLOUDTRAIL_QUERIES,
  ...ALB_QUERIES,
  ...ELB_QUERIES,
  ...CLOUDFRONT_QUERIES,
];

/** Every named query, by name (names are unique across sources). */
export const NAMED_QUERIES: ReadonlyMap<string, NamedQuery> = new Map(
  ALL_QUERIES.map((query) => [query.name, query]),
);
