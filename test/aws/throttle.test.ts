import { TooManyRequestsException } from '@aws-sdk/client-athena';
import { describe, expect, it } from 'vitest';
import { backoffDelay, isThrottlingError, withThrottleRetry } from '../../shared/aws/throttle.js';

/** An SDK-shaped error: a name (as the v3 SDK sets it) and optional extra fields. */
function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, ...extra });
}

/** A clock that records every wait and never waits. */
function fakeClock(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms) => void sleeps.push(ms) };
}

describe('isThrottlingError', () => {
  it.each([
    [
      'Athena TooManyRequestsException',
      new TooManyRequestsException({
        $metadata: {},
        message: 'slow',
        Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED',
      }),
    ],
    ['ThrottlingException (Glue)', awsError('ThrottlingException')],
    ['Throttling (query protocol)', awsError('Throttling')],
    ['RequestLimitExceeded', awsError('RequestLimitExceeded')],
    [
      'a generic error whose ErrorCode says TooManyRequestsException',
      awsError('Error', { ErrorCode: 'TooManyRequestsException' }),
    ],
    ['a generic error whose Code says Throttling', awsError('Error', { Code: 'Throttling' })],
    ['the SDK marking it a throttle', awsError('SomethingElse', { $retryable: { throttling: true } })],
    ['HTTP 429', awsError('UnknownError', { $metadata: { httpStatusCode: 429 } })],
  ])('%s is a throttle', (_name, error) => {
    expect(isThrottlingError(error)).toBe(true);
  });

  it.each([
    ['InvalidRequestException', awsError('InvalidRequestException')],
    ['AccessDeniedException', awsError('AccessDeniedException', { $metadata: { httpStatusCode: 400 } })],
    ['EntityNotFoundException', awsError('EntityNotFoundException')],
    ['a string', 'TooManyRequestsException'],
    ['undefined', undefined],
  ])('%s is not', (_name, error) => {
    expect(isThrottlingError(error)).toBe(false);
  });
});

describe('withThrottleRetry', () => {
  it('retries throttles with full-jitter exponential backoff, then returns the answer', async () => {
    const clock = fakeClock();
    let calls = 0;
    const answer = await withThrottleRetry(
      async () => {
        calls += 1;
        if (calls <= 4) throw awsError('ThrottlingException');
        return 'ok';
      },
      { maxAttempts: 8, baseMs: 100, capMs: 500, sleep: clock.sleep, random: () => 0.5 },
    );
    expect(answer).toBe('ok');
    expect(calls).toBe(5);
    // Half of the ceilings 100, 200, 400, then 500 (capped).
    expect(clock.sleeps).toEqual([50, 100, 200, 250]);
  });

  it('keeps every wait between 0 and its ceiling, whatever the draw', async () => {
    for (const draw of [0, 0.3, 0.999999]) {
      const clock = fakeClock();
      await expect(
        withThrottleRetry(
          async () => {
            throw awsError('TooManyRequestsException');
          },
          { maxAttempts: 10, baseMs: 250, capMs: 20_000, sleep: clock.sleep, random: () => draw },
        ),
      ).rejects.toThrow('TooManyRequestsException happened');
      const ceilings = [250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000];
      expect(clock.sleeps).toHaveLength(ceilings.length);
      clock.sleeps.forEach((ms, index) => {
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThan(ceilings[index] ?? 0);
      });
    }
  });

  it('gives up after maxAttempts and throws the last throttle as it came', async () => {
    const clock = fakeClock();
    let calls = 0;
    const throttle = awsError('ThrottlingException');
    const retries: number[] = [];
    const error = await withThrottleRetry(
      async () => {
        calls += 1;
        throw throttle;
      },
      {
        maxAttempts: 3,
        sleep: clock.sleep,
        random: () => 0,
        onRetry: ({ attempt }) => retries.push(attempt),
      },
    ).catch((caught: unknown) => caught);
    expect(error).toBe(throttle);
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
    expect(clock.sleeps).toEqual([0, 0]);
  });

  it('throws any other error at once, without waiting', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(
      withThrottleRetry(
        async () => {
          calls += 1;
          throw awsError('InvalidRequestException');
        },
        { sleep: clock.sleep },
      ),
    ).rejects.toThrow('InvalidRequestException happened');
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('refuses a maxAttempts that is not a positive whole number', async () => {
    await expect(withThrottleRetry(async () => 1, { maxAttempts: 0 })).rejects.toThrow(RangeError);
  });

  it('backoffDelay caps the ceiling', () => {
    expect(backoffDelay(20, { baseMs: 250, capMs: 1_000, random: () => 0.5 })).toBe(500);
  });
});
