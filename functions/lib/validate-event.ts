import type { MiddlewareObj } from '@middy/core';
import { Ajv, type ErrorObject, type JSONSchemaType } from 'ajv';
import { UsageError } from '../../shared/errors.js';

// verbose: each problem carries the value at fault, which the message quotes.
const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });

/** `from: must match pattern "^…$"`: where in the event, and what is wrong, per problem. */
function describeProblem(problem: ErrorObject): string {
  const where =
    problem.instancePath === '' ? 'the event' : problem.instancePath.slice(1).replaceAll('/', '.');
  if (problem.keyword === 'additionalProperties')
    return `${where} has an unknown field "${String(problem.params.additionalProperty)}"`;
  if (problem.keyword === 'required')
    return `${where} lacks the field "${String(problem.params.missingProperty)}"`;
  const got = JSON.stringify(problem.data);
  if (problem.keyword === 'enum')
    return `${where} must be one of ${(problem.params.allowedValues as unknown[]).join(', ')}, not ${got}`;
  return `${where} ${problem.message ?? 'is invalid'}, not ${got}`;
}

/**
 * Checks the event against a JSON schema before the handler runs; an event that does not fit is
 * refused with a UsageError naming every field at fault (the invocation fails without side effects).
 */
export function validateEvent<T>(schema: JSONSchemaType<T>, what: string): MiddlewareObj<T> {
  const validate = ajv.compile(schema);
  return {
    before(request) {
      if (validate(request.event)) return;
      const problems = (validate.errors ?? []).map(describeProblem);
      throw new UsageError(`The ${what} event is invalid: ${problems.join('; ')}.`, { field: 'event' });
    },
  };
}
