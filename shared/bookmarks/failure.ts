import { BookmarkStoreError, type ErrorContext } from '../errors.js';

/**
 * Wraps a DynamoDB (or network) failure in a BookmarkStoreError whose message is one sentence:
 * `Could not <what>: <why>.`, keeping the original as its cause.
 */
export function storeFailure(
  what: string,
  err: unknown,
  context: Omit<ErrorContext, 'cause'> = {},
): BookmarkStoreError {
  const raw = err instanceof Error ? err.message || err.name : String(err);
  // SDK network errors carry only a code (e.g. ECONNREFUSED) in some Node versions.
  const code = (err as { code?: unknown } | undefined)?.code;
  const why = (raw === '' && typeof code === 'string' ? code : raw).trim().replace(/[.\s]+$/, '');
  return new BookmarkStoreError(`Could not ${what}: ${why}.`, { ...context, cause: err });
}
