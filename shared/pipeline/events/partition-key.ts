import { randomUUID } from 'node:crypto';
import type { Bookmark, PartitionKey } from '../../bookmarks/types.js';
import type { RemoteConvertRequest } from '../../engines/remote-types.js';
import type { DiscoveredPartition } from '../../plan/discover.js';
import { stagingPrefixes } from '../targets/remote-target.js';
import type { EventDrivenDeps } from './types.js';
import { describeSourcePartition } from '../../sources/partition.js';

/**
 * The id a conversion holds its in-flight slot under: the partition and the conversion, so that
 * two invocations racing to start one partition take two slots, and the loser gives back its own.
 */
export function slotIdOf(key: PartitionKey, conversionId: string): string {
  return `${key.source}|${key.date}|${key.account}|${key.region}|${conversionId}`;
}

/** The partition and conversion a slot id names (undefined for an id of another shape). */
export function slotOwner(lake: string, id: string): { key: PartitionKey; conversionId: string } | undefined {
  const [source, date, account, region, conversionId, ...rest] = id.split('|');
  if (!source || !date || !account || !region || !conversionId || rest.length > 0) return undefined;
  return { key: { lake, source, date, account, region }, conversionId };
}

/** A conversion id: when it started (compact ISO, sorts) and a random part (unique). */
export function newConversionId(now: number): string {
  return `${new Date(now).toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
}

/** When a conversion id was made (epoch ms), read back from its compact ISO prefix. */
export function conversionStartedAt(conversionId: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/.exec(conversionId);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, ms] = match.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!);
}

/** `alb 123456789012/eu-west-1/2026-11-21`, for messages. */
export function describePartition(key: Pick<PartitionKey, 'source' | 'account' | 'region' | 'date'>): string {
  return describeSourcePartition(key.source, key);
}

/** The engine request of a conversion: its partition's objects and its `v=<conversionId>/` prefixes. */
export function requestOf(
  deps: Pick<EventDrivenDeps, 'raw' | 'lake'>,
  partition: DiscoveredPartition,
  conversionId: string,
): RemoteConvertRequest {
  return {
    source: partition.source,
    partition,
    objects: partition.objects,
    raw: deps.raw,
    ...stagingPrefixes(deps.lake, partition, conversionId),
    runId: conversionId,
  };
}

/** The lease owner of an event-driven conversion: any invocation acts for it through the bookmark. */
export function ownerOf(conversionId: string): string {
  return `conversion:${conversionId}`;
}

/** Whether a bookmark belongs to an event-driven conversion (not a CLI runner). */
export function isEventDriven(bookmark: Bookmark): boolean {
  return bookmark.leaseOwner?.startsWith('conversion:') === true;
}
