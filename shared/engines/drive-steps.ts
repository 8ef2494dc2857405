import { trackRunningWork } from '../aws/running-work.js';
import type { RunStatus, StepEngine, StepFigures, StepRun } from './remote-steps.js';
import type { RemoteConvertRequest, RemoteConvertResult } from './remote-types.js';

/** How a process that may wait drives a StepEngine. */
export interface DriveOptions {
  /** The waits before each status poll of one run (a fresh sequence for every run). */
  waits(): Iterable<number>;
  sleep(ms: number): Promise<void>;
  /** Stops a run: an interrupted process (Ctrl-C, SIGTERM) stops what it started. */
  stop(run: StepRun): Promise<unknown>;
}

/**
 * Waits, then calls `poll`, until it gives a value; the waits come from `waits` (its last one is
 * repeated when it runs out). Returns that value; an error of `poll` or `sleep` ends the wait.
 */
export async function pollUntil<T>(
  poll: () => Promise<T | undefined>,
  waits: Iterable<number>,
  sleep: (ms: number) => Promise<void>,
): Promise<T> {
  const iterator = waits[Symbol.iterator]();
  let waitMs = 0;
  for (;;) {
    const next = iterator.next();
    if (!next.done) waitMs = next.value;
    await sleep(waitMs);
    const value = await poll();
    if (value !== undefined) return value;
  }
}

/**
 * Converts a partition in one process, step after step, as the event-driven orchestration does
 * across invocations: start, poll the run until it ends, `next` (which starts the following run
 * or reconciles), and so on; once started, the scratch is cleaned up whatever happened. The
 * figures of the finished steps are kept as the bookmark keeps them, so both paths run the same
 * engine code.
 */
export async function driveSteps(
  engine: StepEngine,
  request: RemoteConvertRequest,
  options: DriveOptions,
): Promise<RemoteConvertResult> {
  const earlier: Record<string, StepFigures> = {};
  // A failed start left nothing to clean up (the event-driven path, too, only fails the attempt).
  let run = await engine.start(request);
  try {
    for (;;) {
      const current = run;
      const untrack = trackRunningWork(`${engine.name}:${current.runId}`, () => options.stop(current));
      let status: RunStatus;
      try {
        status = await pollUntil(
          async () => {
            const now = await engine.status(current, request);
            return now.state === 'RUNNING' ? undefined : now;
          },
          options.waits(),
          options.sleep,
        );
      } finally {
        untrack();
      }
      if (status.state === 'FAILED') throw status.error;
      const outcome = await engine.next(request, current, earlier);
      earlier[current.step] = outcome.figures;
      if ('result' in outcome) return outcome.result;
      run = outcome.next;
    }
  } finally {
    await engine.cleanUp(request);
  }
}
