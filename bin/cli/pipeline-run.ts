import type { RawObject } from '../../shared/engines/types.js';
import type { ConversionTarget } from '../../shared/pipeline/targets/types.js';

/** What a command needs to run the pipeline on one kind of store: how to list, where to convert. */
export interface PipelineRun {
  listRaw(dates: ReadonlySet<string>, filter: { account?: string; region?: string }): Promise<RawObject[]>;
  target: ConversionTarget;
}
