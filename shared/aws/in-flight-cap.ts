/** Conversions in flight at once on AWS unless configured otherwise (Athena's default active-DML quota is of this order). */
export const DEFAULT_MAX_IN_FLIGHT = 20;

/**
 * Holds the number of pieces of work running at once to a cap: the 21st conversion waits until
 * one of the 20 running settles, waiters being served in arrival order. It also tells how many
 * run now and the most that ever ran together, for tests and metrics.
 */
export class InFlightCap {
  readonly limit: number;
  private running = 0;
  private highest = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number = DEFAULT_MAX_IN_FLIGHT) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`The cap on work in flight must be a positive whole number, not ${limit}.`);
    this.limit = limit;
  }

  /** Pieces of work running now. */
  get inFlight(): number {
    return this.running;
  }

  /** The most pieces of work that ever ran at once. */
  get peak(): number {
    return this.highest;
  }

  /** Runs `work` once fewer than `limit` pieces run, and always frees its place, whether it succeeds or fails. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    this.highest = Math.max(this.highest, this.running);
    try {
      return await work();
    } finally {
      // The place passes straight to the next waiter, so `running` never dips and rises again.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
