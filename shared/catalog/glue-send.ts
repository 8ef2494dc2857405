import { withThrottleRetry, type ThrottleRetryOptions } from '../aws/throttle.js';
import { catalogFailure, type GlueRequest } from './glue-errors.js';

/**
 * Sends one Glue request, retried while Glue throttles; any failure becomes a CatalogError that
 * names the action and the table.
 */
export async function sendGlue<T>(
  retry: Partial<ThrottleRetryOptions> | undefined,
  request: GlueRequest,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await withThrottleRetry(call, retry);
  } catch (error) {
    throw catalogFailure(request, error);
  }
}
