/**
 * A simulated clock for benchmarks of code that waits: `sleep(ms)` returns a promise that settles
 * when the clock is advanced past its deadline, not after real time. The code under test runs
 * unchanged (it is handed `sleep` where it takes one), so hours of a night pass in a second.
 */
export class SimClock {
  /** Simulated milliseconds since the start. */
  now = 0;
  private sequence = 0;
  /** Pending wake-ups, earliest first; ties keep the order they were asked in (deterministic runs). */
  private readonly timers: { at: number; sequence: number; wake: () => void }[] = [];

  /** Waits `ms` of simulated time. */
  readonly sleep = (ms: number): Promise<void> =>
    new Promise((wake) => {
      const timer = { at: this.now + Math.max(0, ms), sequence: (this.sequence += 1), wake };
      // Few timers are pending at once (about one per piece of work in flight): a sorted insert is enough.
      let index = this.timers.length;
      while (index > 0) {
        const before = this.timers[index - 1]!;
        if (before.at < timer.at || (before.at === timer.at && before.sequence < timer.sequence)) break;
        index -= 1;
      }
      this.timers.splice(index, 0, timer);
    });

  /**
   * Advances the clock timer by timer until nothing waits any more. Before each step every
   * promise continuation runs (a macrotask turn drains the microtask queue), so whatever the
   * woken code does next — settle, start more work, sleep again — happens at that instant.
   */
  async run(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = this.timers.shift();
      if (!next) return;
      this.now = next.at;
      next.wake();
    }
  }
}
