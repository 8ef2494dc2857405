import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * A discrete-event clock for code that does real I/O between its waits (the event-driven
 * orchestration talks to a real dynalite over HTTP). Simulated time advances only when nothing
 * is left to do at the current instant: no real I/O in flight (every such call goes through `io`)
 * and no continuation pending (an event-loop turn passed with nothing new started). So DynamoDB
 * calls take no simulated time, and whatever one instant sets off — several invocations, a
 * `Promise.all` inside one — is handled to completion before the next instant, except what waits
 * on the clock (`sleep`). bench/sim-clock.ts advances after one macrotask turn, which is enough
 * for in-memory fakes but not for sockets: hence this clock.
 */
export class EventClock {
  /** Simulated milliseconds since the start. */
  now = 0;
  /** Errors thrown by tasks (a Lambda invocation that failed), in the order they happened. */
  readonly failures: { at: number; task: string; error: unknown }[] = [];
  private sequence = 0;
  /** Pending wake-ups, earliest first; ties keep the order they were asked in (deterministic runs). */
  private readonly timers: { at: number; sequence: number; fire: () => void }[] = [];
  /** Real I/O calls in flight, and how many ever started (to see that a turn started none). */
  private inFlight = 0;
  private started = 0;
  private drained: (() => void)[] = [];

  /** Calls `fire` (from the run loop) once the clock reaches now + `ms`. */
  at(ms: number, fire: () => void): void {
    const timer = { at: this.now + Math.max(0, ms), sequence: (this.sequence += 1), fire };
    // Binary search for the first timer after this one.
    let low = 0;
    let high = this.timers.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = this.timers[middle]!;
      if (other.at < timer.at || (other.at === timer.at && other.sequence < timer.sequence)) low = middle + 1;
      else high = middle;
    }
    this.timers.splice(low, 0, timer);
  }

  /** Waits `ms` of simulated time. */
  readonly sleep = (ms: number): Promise<void> => new Promise((resolve) => this.at(ms, resolve));

  /** Runs a real I/O call (a DynamoDB request): the clock does not move while it is in flight. */
  async io<T>(call: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    this.started += 1;
    try {
      return await call();
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of this.drained.splice(0)) wake();
    }
  }

  /** Runs `task` as one unit of work (a Lambda invocation); its failure is recorded, not thrown. */
  spawn(name: string, task: () => Promise<unknown>): void {
    Promise.resolve()
      .then(task)
      .catch((error: unknown) => {
        this.failures.push({ at: this.now, task: name, error });
      });
  }

  /** Resolves once no I/O is in flight and two event-loop turns in a row started none. */
  private async settle(): Promise<void> {
    let quietTurns = 0;
    while (quietTurns < 2) {
      const before = this.started;
      await nextTurn();
      if (this.inFlight > 0) {
        await new Promise<void>((resolve) => this.drained.push(resolve));
        quietTurns = 0;
      } else quietTurns = this.started === before ? quietTurns + 1 : 0;
    }
  }

  /** Advances the clock wake-up by wake-up, each instant settled first, until nothing waits any more. */
  async run(): Promise<void> {
    for (;;) {
      await this.settle();
      const next = this.timers.shift();
      if (!next) return;
      this.now = next.at;
      next.fire();
    }
  }
}
