import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';

/** The placeholder maps of a DynamoDB request, ready to spread into its input. */
export interface ExpressionInput {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/**
 * Hands out `#name` and `:value` placeholders while an expression is written. Every attribute
 * goes through a name placeholder because several of ours (`state`, `date`, `error`…) are
 * DynamoDB reserved words; DynamoDB also rejects unused placeholders, so only used ones exist.
 */
export class ExpressionBuilder {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, NativeAttributeValue> = {};
  private count = 0;

  /** Placeholder of an attribute; a dotted path names a nested one (`fingerprint.bytes`). */
  name(path: string): string {
    return path
      .split('.')
      .map((part) => {
        this.names[`#${part}`] = part;
        return `#${part}`;
      })
      .join('.');
  }

  /** Placeholder of a value. */
  value(value: NativeAttributeValue): string {
    const placeholder = `:v${this.count++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** `#a = :v0` for each field whose value is defined. */
  assignments(fields: Record<string, NativeAttributeValue>): string[] {
    return Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([field, value]) => `${this.name(field)} = ${this.value(value)}`);
  }

  /** The maps to send, leaving out empty ones (DynamoDB rejects an empty map). */
  input(): ExpressionInput {
    const input: ExpressionInput = {};
    if (Object.keys(this.names).length > 0) input.ExpressionAttributeNames = { ...this.names };
    if (Object.keys(this.values).length > 0) {
      input.ExpressionAttributeValues = marshall(this.values, { removeUndefinedValues: true });
    }
    return input;
  }
}

/** `SET …` and `REMOVE …` clauses joined into one update expression. */
export function updateExpression(set: string[], remove: string[] = []): string {
  const clauses: string[] = [];
  if (set.length > 0) clauses.push(`SET ${set.join(', ')}`);
  if (remove.length > 0) clauses.push(`REMOVE ${remove.join(', ')}`);
  return clauses.join(' ');
}
