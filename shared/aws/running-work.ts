/** Work this process started on AWS (Athena queries, Glue job runs) and how to stop it. */
const running = new Map<string, () => Promise<unknown>>();

/**
 * Records a query or job run until it ends, with the call that stops it: an interrupted run
 * (Ctrl-C, SIGTERM) stops what it started instead of leaving it to write into a version
 * nobody will commit. Returns the function that forgets it.
 */
export function trackRunningWork(id: string, stop: () => Promise<unknown>): () => void {
  running.set(id, stop);
  return () => running.delete(id);
}

/** Stops everything still running (best effort: a stop that fails is ignored); returns how many. */
export async function stopRunningWork(): Promise<number> {
  const stops = [...running.values()];
  running.clear();
  await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
  return stops.length;
}
