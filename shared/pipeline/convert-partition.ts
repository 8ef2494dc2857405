import type { PartitionKey } from '../bookmarks/types.js';
import type { Decision } from '../plan/decide.js';
import type { DiscoveredPartition } from '../plan/discover.js';
import { faultPoint } from './fault-points.js';
import { dropLease, holdLease } from './held-leases.js';
import { outcomeOf } from './outcomes.js';
import { isDeadLocalRunner } from './runner-id.js';
import type { StagedVersion } from './targets/types.js';
import type { PartitionOutcome, PipelineOptions } from './types.js';

function keyOf(options: PipelineOptions, partition: DiscoveredPartition): PartitionKey {
  return {
    lake: options.lake,
    source: partition.source.name,
    account: partition.account,
    region: partition.region,
    date: partition.date,
  };
}

/**
 * One partition, start to finish: take the lease, convert into staging, commit (a rename locally,
 * the catalog LOCATION on AWS) while the lease is still ours, and record the outcome in the bookmark. Never throws: a failure is
 * the partition's outcome, so the other partitions go on.
 */
export async function convertPartition(
  options: PipelineOptions,
  runId: string,
  partition: DiscoveredPartition,
  decision: Decision,
): Promise<PartitionOutcome> {
  const key = keyOf(options, partition);
  const reason = decision.action === 'convert' ? decision.reason : null;
  const lease = await options.bookmarks.acquire(key, {
    owner: options.runnerId,
    leaseMs: options.leaseMs,
    fingerprint: partition.fingerprint,
    // Planned before another runner finished it: the work is done, never repeat it.
    skipIfSucceeded: true,
    isDeadOwner: isDeadLocalRunner,
  });
  if (!lease.acquired && lease.upToDate) {
    return outcomeOf(partition, {
      action: 'up-to-date',
      state: 'SUCCEEDED',
      reason: 'converted meanwhile by another runner',
    });
  }
  if (!lease.acquired) {
    return outcomeOf(partition, {
      action: 'skipped',
      state: 'SKIPPED',
      reason: `held by ${lease.holder ?? 'another runner'}`,
    });
  }
  const started = Date.now();
  const leaseId = `${key.source}|${key.date}|${key.account}|${key.region}`;
  holdLease(leaseId, { store: options.bookmarks, key, owner: options.runnerId });
  let leaseLost = false;
  const renewal = setInterval(
    () => {
      options.bookmarks.renew(key, options.runnerId, options.leaseMs).then(
        (held) => (leaseLost ||= !held),
        () => undefined,
      );
    },
    Math.max(1000, Math.floor(options.leaseMs / 3)),
  );
  let staged: StagedVersion | undefined;
  try {
    staged = await options.target.stage(partition, runId);
    await faultPoint('after-staging');
    // Commit only while the lease is still ours: a runner that lost it must not overwrite the new
    // holder's work. A lease younger than half its length cannot have expired: no need to ask.
    const leaseIsYoung = Date.now() - started < options.leaseMs / 2;
    if (
      leaseLost ||
      (!leaseIsYoung && !(await options.bookmarks.renew(key, options.runnerId, options.leaseMs)))
    ) {
      return outcomeOf(partition, {
        action: 'skipped',
        state: 'SKIPPED',
        reason: 'lease lost to another runner before commit',
      });
    }
    await faultPoint('before-commit');
    await staged.commit();
    const figures = { ...staged.figures, seconds: (Date.now() - started) / 1000 };
    await faultPoint('after-commit');
    await options.bookmarks.succeed(key, options.runnerId, figures);
    return outcomeOf(partition, {
      action: 'converted',
      state: 'SUCCEEDED',
      reason,
      rowsIn: figures.rowsIn,
      rowsOut: figures.rowsOut,
      rowsRejected: figures.rowsRejected,
      bytesIn: figures.bytesIn,
      seconds: figures.seconds,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const seconds = (Date.now() - started) / 1000;
    await options.bookmarks.fail(key, options.runnerId, message, { seconds }).catch(() => undefined);
    return outcomeOf(partition, { action: 'failed', state: 'FAILED', error: message, reason, seconds });
  } finally {
    dropLease(leaseId);
    clearInterval(renewal);
    await staged?.cleanUp();
  }
}
