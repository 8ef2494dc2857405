import { backoffDelay, isThrottlingError, type ThrottleRetryOptions } from '../../aws/throttle.js';

/** The error code of an AWS SDK error (its name), or undefined for anything else. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string'
    ? error.name
    : undefined;
}

/** Throttling, or one of the extra codes a Glue action can wait out. */
export function refusedForNow(extraCodes: ReadonlySet<string>): (error: unknown) => boolean {
  return (error) => isThrottlingError(error) || extraCodes.has(errorCode(error) ?? '');
}

/**
 * Runs `work`, and again after a jittered, growing wait (shared/aws/throttle.ts's full jitter)
 * while `retryable` says its error is one to wait out; when `maxAttempts` calls have failed so,
 * the last error goes to `giveUp`, whose error is thrown. Unlike withThrottleRetry, Glue's
 * StartJobRun also waits out ConcurrentRunsExceededException, and the caller names the job run.
 */
export async function withBackoff<T>(
  work: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  options: ThrottleRetryOptions,
  giveUp: (error: unknown, attempts: number) => Error,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!retryable(error)) throw error;
      if (attempt >= options.maxAttempts) throw giveUp(error, attempt);
      const delayMs = backoffDelay(attempt, options);
      options.onRetry?.({ attempt, delayMs, error });
      await options.sleep(delayMs);
    }
  }
}
