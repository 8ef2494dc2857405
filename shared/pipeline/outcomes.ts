import type { Bookmark } from '../bookmarks/types.js';
import type { Decision } from '../plan/decide.js';
import type { DiscoveredPartition } from '../plan/discover.js';
import type { PartitionOutcome } from './types.js';

/** An outcome entry of the run summary, with every figure unknown unless given. */
export function outcomeOf(
  partition: DiscoveredPartition,
  fields: Partial<PartitionOutcome> & Pick<PartitionOutcome, 'action' | 'state'>,
): PartitionOutcome {
  return {
    source: partition.source.name,
    account: partition.account,
    region: partition.region,
    date: partition.date,
    rowsIn: null,
    rowsOut: null,
    rowsRejected: null,
    bytesIn: null,
    seconds: null,
    error: null,
    reason: null,
    ...fields,
  };
}

/** The outcome of a partition the run did not convert: up to date, held, or finally failed. */
export function idleOutcome(
  partition: DiscoveredPartition,
  bookmark: Bookmark | undefined,
  decision: Decision,
): PartitionOutcome {
  const figures = {
    rowsIn: bookmark?.rowsIn ?? null,
    rowsOut: bookmark?.rowsOut ?? null,
    rowsRejected: bookmark?.rowsRejected ?? null,
    bytesIn: bookmark?.bytesIn ?? null,
    seconds: bookmark?.seconds ?? null,
  };
  switch (decision.action) {
    case 'held':
      return outcomeOf(partition, {
        action: 'skipped',
        state: 'SKIPPED',
        reason: `held by ${decision.holder ?? 'another runner'}`,
      });
    case 'failed-final':
      return outcomeOf(partition, {
        action: 'failed-final',
        state: 'FAILED',
        error: bookmark?.error ?? null,
        reason: `retry budget spent (${decision.attempts} attempts); new data, a backfill of the day or --retry-failed retries it`,
      });
    default:
      return outcomeOf(partition, { action: 'up-to-date', state: 'SUCCEEDED', ...figures });
  }
}
