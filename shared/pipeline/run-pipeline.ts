import { mapWithConcurrency } from '../concurrency.js';
import { convertPartition } from './convert-partition.js';
import { faultPoint } from './fault-points.js';
import { idleOutcome, outcomeOf } from './outcomes.js';
import { planPartitions } from './plan-partitions.js';
import { isDeadLocalRunner } from './runner-id.js';
import type { PartitionOutcome, PipelineOptions } from './types.js';

/**
 * The pipeline: discover the days' raw partitions, decide from the bookmarks which need work, then
 * for each one take the lease, convert into staging, commit (the target's swap), and record the
 * outcome. Partitions fail independently: one bad object never stops the others.
 */
export async function runPipeline(options: PipelineOptions): Promise<PartitionOutcome[]> {
  const now = options.now ?? Date.now;
  const runId = `${new Date(now()).toISOString().replace(/[-:.]/g, '')}-${options.runnerId.replace(/[^a-zA-Z0-9]/g, '')}`;
  const { planned, unmatched } = await planPartitions({
    ...options,
    now: now(),
    isDeadOwner: isDeadLocalRunner,
  });
  const toConvert = planned.filter((entry) => entry.decision.action === 'convert');
  await faultPoint('after-planning');
  options.onEvent?.({
    type: 'planned',
    toConvert: toConvert.length,
    total: planned.length,
    unmatched: unmatched.length,
    unmatchedExample: unmatched[0]?.key,
  });
  if (options.dryRun) {
    const plans = await mapWithConcurrency(toConvert, options.concurrency, async ({ partition, decision }) =>
      outcomeOf(partition, {
        action: 'would-convert',
        state: 'PENDING',
        reason: decision.action === 'convert' ? decision.reason : null,
        plan: (await options.target.describe?.(partition, runId)) ?? [],
      }),
    );
    const planByPartition = new Map(toConvert.map((entry, index) => [entry.partition, plans[index]]));
    return planned.map(
      ({ partition, bookmark, decision }) =>
        planByPartition.get(partition) ?? idleOutcome(partition, bookmark, decision),
    );
  }
  await options.target.beginRun?.(runId, toConvert.length);
  if (toConvert.length > 0) await options.target.register?.(toConvert.map((entry) => entry.partition));
  let done = 0;
  const converted = await mapWithConcurrency(
    toConvert,
    options.concurrency,
    async ({ partition, decision }) => {
      options.onEvent?.({
        type: 'started',
        source: partition.source.name,
        account: partition.account,
        region: partition.region,
        date: partition.date,
      });
      const outcome = await convertPartition(options, runId, partition, decision);
      done += 1;
      options.onEvent?.({ type: 'finished', outcome, done, toConvert: toConvert.length });
      return outcome;
    },
  );
  await options.target.endRun?.(runId);
  const convertedByPartition = new Map(toConvert.map((entry, index) => [entry.partition, converted[index]]));
  return planned.map(
    ({ partition, bookmark, decision }) =>
      convertedByPartition.get(partition) ?? idleOutcome(partition, bookmark, decision),
  );
}
