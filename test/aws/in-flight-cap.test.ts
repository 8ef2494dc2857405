import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_IN_FLIGHT, InFlightCap } from '../../shared/aws/in-flight-cap.js';

/** A piece of work that ends only when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('InFlightCap', () => {
  it('runs at most 20 of 50 pieces of work at once by default, in arrival order', async () => {
    const cap = new InFlightCap();
    expect(cap.limit).toBe(DEFAULT_MAX_IN_FLIGHT);
    const gates = Array.from({ length: 50 }, gate);
    let running = 0;
    let highest = 0;
    const started: number[] = [];
    const all = gates.map((item, index) =>
      cap.run(async () => {
        running += 1;
        highest = Math.max(highest, running);
        started.push(index);
        await item.promise;
        running -= 1;
        return index;
      }),
    );
    await settle();
    expect(started).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(cap.inFlight).toBe(20);
    // Open the gates last to first: the 30 waiting are let through as places free (an open gate lets
    // its work end as soon as it starts), and the cap is checked after every step.
    for (const index of [...gates.keys()].reverse()) {
      gates[index]?.open();
      await settle();
      expect(running).toBeLessThanOrEqual(20);
      expect(cap.inFlight).toBeLessThanOrEqual(20);
    }
    expect(await Promise.all(all)).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(highest).toBe(20);
    expect(cap.peak).toBe(20);
    expect(cap.inFlight).toBe(0);
    expect(started.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect([...started].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index));
  });

  it('frees the place of work that fails', async () => {
    const cap = new InFlightCap(1);
    await expect(cap.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(cap.inFlight).toBe(0);
    expect(await cap.run(async () => 'next')).toBe('next');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s', (limit) => {
    expect(() => new InFlightCap(limit)).toThrow(RangeError);
  });
});
