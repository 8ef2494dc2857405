import type { BookmarkStore, PartitionKey } from '../bookmarks/types.js';

/** Leases this process holds right now, so an interrupted run can hand them back at once. */
const heldLeases = new Map<string, { store: BookmarkStore; key: PartitionKey; owner: string }>();

/**
 * Hands back every partition this process is converting: PENDING with the reason, the lease
 * released and the attempt not counted, so the next run converts it at once.
 */
export async function releaseHeldLeases(reason: string): Promise<number> {
  const held = [...heldLeases.values()];
  heldLeases.clear();
  await Promise.all(
    held.map(({ store, key, owner }) => store.release(key, owner, reason).catch(() => undefined)),
  );
  return held.length;
}

/** Records a lease this process took, until `dropLease`. */
export function holdLease(
  id: string,
  lease: { store: BookmarkStore; key: PartitionKey; owner: string },
): void {
  heldLeases.set(id, lease);
}

/** Forgets a lease whose partition finished (succeeded, failed or was given up). */
export function dropLease(id: string): void {
  heldLeases.delete(id);
}
