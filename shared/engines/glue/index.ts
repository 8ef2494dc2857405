export { createGlueJobEngine, DEFAULT_POLL_INTERVAL_MS } from './engine.js';
export type { GlueJobEngine, GlueJobEngineOptions } from './engine.js';
export { createGlueStepEngine, GLUE_STEP } from './steps.js';
export type { GlueStepEngine, GlueStepEngineOptions } from './steps.js';
export { jobDefinitions, jobSource, JOB_LIMITS } from './job-definitions.js';
export type { JobDefinitions, JobSource, JobLimits } from './job-definitions.js';
export type { JobManifest } from './manifest.js';
export type { JobCounts } from './counts.js';
