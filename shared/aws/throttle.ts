/**
 * Error names and codes AWS services answer with when a caller sends requests too fast (Athena's
 * StartQueryExecution past the account's active-query quota, Glue's per-account API rates,
 * EC2-style `RequestLimitExceeded`). Only these are worth waiting for: every other error says
 * something about the request itself, and sending it again would only fail again.
 */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
]);

/** What SDK errors carry that can name a throttle (the v3 SDK, and codes some services put in the body). */
interface ThrottleShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  ErrorCode?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

/**
 * True when an error says "slow down": its name, `Code`/`code`, or the `ErrorCode` Athena and Glue
 * put in some answers is a throttling code, the SDK marked it as a throttle, or the HTTP status is 429.
 */
export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as ThrottleShape;
  const codes = [shape.name, shape.Code, shape.code, shape.ErrorCode];
  if (codes.some((code) => typeof code === 'string' && THROTTLING_CODES.has(code))) return true;
  return shape.$retryable?.throttling === true || shape.$metadata?.httpStatusCode === 429;
}

/** How throttled calls are retried. */
export interface ThrottleRetryOptions {
  /** Calls in all, the first included (default 8). */
  maxAttempts: number;
  /** The backoff ceiling of the first retry, in ms (default 250); it doubles with every retry. */
  baseMs: number;
  /** No backoff ceiling grows beyond this, in ms (default 20,000). */
  capMs: number;
  /** Waits `ms` (injected so that tests do not wait). */
  sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1) (injected so that tests can pin the jitter). */
  random: () => number;
  /** Told of each retry before its wait: which attempt failed, and how long the wait is. */
  onRetry?: (retry: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** What a caller may add to the throttle retry: more errors to wait out, and its own final error. */
export interface RetryPolicy {
  /** Errors worth another try (default: throttling only). */
  retryable?: (error: unknown) => boolean;
  /** The error thrown when `maxAttempts` calls failed with retryable errors (default: the last one). */
  giveUp?: (error: unknown, attempts: number) => Error;
}

/** Sleeps with a real timer. */
export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const DEFAULT_THROTTLE_RETRY: ThrottleRetryOptions = {
  maxAttempts: 8,
  baseMs: 250,
  capMs: 20_000,
  sleep: realSleep,
  random: Math.random,
};

/**
 * The wait before retry number `retry` (1 for the first): "full jitter", a uniform draw between 0
 * and the exponential ceiling `min(capMs, baseMs × 2^(retry − 1))`. Spreading the waits over the
 * whole range is what keeps many conversions throttled at the same moment from coming back
 * together and being throttled again.
 */
export function backoffDelay(
  retry: number,
  options: Pick<ThrottleRetryOptions, 'baseMs' | 'capMs' | 'random'>,
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** (retry - 1));
  return Math.floor(options.random() * ceiling);
}

/**
 * Runs `call`, and again after a jittered exponential backoff each time it fails with a throttling
 * error (or one `policy.retryable` accepts), up to `maxAttempts` calls in all; any other error is
 * thrown as it came, the last retryable one through `policy.giveUp` when given, so the caller can
 * name what it was doing. The SDK clients retry a throttle a few times on
 * their own within a second or two; this outer loop rides out the longer bursts that a night of
 * conversions meets (minutes of Athena's active-query quota being full).
 */
export async function withThrottleRetry<T>(
  call: () => Promise<T>,
  options: Partial<ThrottleRetryOptions> = {},
  policy: RetryPolicy = {},
): Promise<T> {
  const retryable = policy.retryable ?? isThrottlingError;
  const settings = { ...DEFAULT_THROTTLE_RETRY, ...options };
  if (!Number.isInteger(settings.maxAttempts) || settings.maxAttempts < 1)
    throw new RangeError(`maxAttempts must be a positive whole number, not ${settings.maxAttempts}.`);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!retryable(error)) throw error;
      if (attempt >= settings.maxAttempts) throw policy.giveUp?.(error, attempt) ?? error;
      const delayMs = backoffDelay(attempt, settings);
      settings.onRetry?.({ attempt, delayMs, error });
      await settings.sleep(delayMs);
    }
  }
}
