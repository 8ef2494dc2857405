import type { LogSource, SourceName } from './types.js';
import { vpcFlow } from './vpc-flow.js';

export * from './types.js';
export { matchKey } from './match-key.js';
export type { KeyMatch } from './match-key.js';

/** The registry of log sources that convert today. */
export const SOURCES: Partial<Record<SourceName, LogSource>> = {
  vpc_flow: vpcFlow,
};

/** The names of the sources that convert today, in registry order. */
export const AVAILABLE_SOURCES = Object.keys(SOURCES) as SourceName[];
