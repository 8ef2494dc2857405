import { CatalogError } from '../errors.js';
import { isThrottlingError } from '../aws/throttle.js';

/** One Glue request, as messages name it: the action, and the table (`database.table`). */
export interface GlueRequest {
  operation: string;
  database: string;
  table: string;
  /** What else the message should say (e.g. the partition values). */
  detail?: string;
}

/** The error code of an SDK error (its name), when it has one. */
export function glueErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' && name !== 'Error' ? name : undefined;
}

/** `GetTable athena_logs.vpc_flow (…)`: the head of every catalog message. */
export function describeGlueRequest(request: GlueRequest): string {
  return `${request.operation} ${request.database}.${request.table}${request.detail ? ` (${request.detail})` : ''}`;
}

/** What to do about the usual Glue answers, in a sentence. */
function advice(code: string | undefined, request: GlueRequest, error: unknown): string {
  if (isThrottlingError(error))
    return 'Glue was still throttling after every retry: lower the number of conversions in flight, or ask for a higher Glue API quota.';
  switch (code) {
    case 'EntityNotFoundException':
      return `the table or database does not exist: create it with the statements of \`athena-logs ddl\` (database ${request.database}).`;
    case 'AccessDeniedException':
      return `the caller may not do this: it needs glue:${request.operation} on the catalog, database ${request.database} and table ${request.table}.`;
    case 'AlreadyExistsException':
      return 'it already exists.';
    default:
      return "see the cause for Glue's answer.";
  }
}

/** A CatalogError naming the request, Glue's code and message, and what to do. */
export function catalogFailure(request: GlueRequest, error: unknown): CatalogError {
  const code = glueErrorCode(error);
  const said = error instanceof Error && error.message ? ` Glue said: ${error.message}` : '';
  return new CatalogError(
    `${describeGlueRequest(request)} failed${code ? ` with ${code}` : ''}: ${advice(code, request, error)}${said}`,
    { operation: request.operation, database: request.database, table: request.table, code, cause: error },
  );
}
