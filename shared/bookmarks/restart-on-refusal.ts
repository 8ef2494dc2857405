import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** True for a connection refused (no server listening), however the HTTP handler wrapped it. */
export function isConnectionRefused(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, cause, errors } = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (code === 'ECONNREFUSED') return true;
  if (Array.isArray(errors) && errors.some(isConnectionRefused)) return true;
  return cause !== undefined && cause !== err && isConnectionRefused(cause);
}

/**
 * Makes every command of `client` survive the local server going away: the idle server may exit
 * between two calls of a long-lived process. When a command fails with ECONNREFUSED (after the
 * SDK's own retries), `restart` is awaited (it ensures a server and points the client's endpoint
 * at it) and the command is sent once more. Added at the initialize step, the outermost one, so
 * that the retry resolves the endpoint afresh.
 */
export function restartOnRefusal(client: DynamoDBClient, restart: () => Promise<void>): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (!isConnectionRefused(err)) throw err;
        await restart();
        return next(args);
      }
    },
    { step: 'initialize', name: 'athenaLogsRestartOnRefusal' },
  );
}
