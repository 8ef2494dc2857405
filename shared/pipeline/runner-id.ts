import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isPidAlive } from '../process.js';

/** `<host>:<pid>:<random>`: names a runner in leases, and lets a runner on the same host see it died. */
export function newRunnerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * True when `owner` is a runner of this host whose process no longer exists (killed, crashed):
 * its leases can be taken over at once instead of after expiry. Owners of other hosts are never
 * judged dead here.
 */
export function isDeadLocalRunner(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  return !isPidAlive(pid);
}
