import { alb } from './alb.js';
import { cloudfront } from './cloudfront.js';
import { cloudtrail } from './cloudtrail.js';
import { elb } from './elb.js';
import { s3Access } from './s3-access.js';
import type { LogSource, SourceName } from './types.js';
import { vpcFlow } from './vpc-flow.js';

export * from './types.js';
export { matchKey } from './match-key.js';
export type { KeyMatch } from './match-key.js';

/** The registry of log sources, in the contract's order. */
export const SOURCES: Record<SourceName, LogSource> = {
  vpc_flow: vpcFlow,
  s3_access: s3Access,
  cloudtrail,
  alb,
  elb,
  cloudfront,
};

/** The names of the sources, in registry order. */
export const AVAILABLE_SOURCES = Object.keys(SOURCES) as SourceName[];
