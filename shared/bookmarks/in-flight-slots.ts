import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { storeFailure } from './failure.js';

/** Sorts apart from every bookmark key (those start with the lake's `s3://` or `/`). */
const SLOTS_SORT_KEY = 'in-flight-slots';

/**
 * The cap on conversions in flight, shared by every Lambda invocation: one item per lake whose
 * string set `holders` names the partitions holding a slot. Taking a slot is one conditional
 * `ADD` (the set is smaller than the cap, or already holds the id), giving it back one `DELETE`,
 * so concurrent starters never exceed the cap, and repeating either is harmless.
 */
export class InFlightSlots {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly lake: string,
    readonly cap: number,
  ) {
    if (!Number.isInteger(cap) || cap < 1)
      throw new RangeError(`The cap on conversions in flight must be a positive whole number, not ${cap}.`);
  }

  private get key() {
    return marshall({ pk: `slots|${this.lake}`, sk: SLOTS_SORT_KEY });
  }

  /** Takes a slot for `id`; false when all `cap` slots are held by others. */
  async take(id: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression: 'ADD #holders :ids',
          ConditionExpression:
            'attribute_not_exists(#holders) OR size(#holders) < :cap OR contains(#holders, :id)',
          ExpressionAttributeNames: { '#holders': 'holders' },
          ExpressionAttributeValues: {
            ':ids': { SS: [id] },
            ':cap': { N: String(this.cap) },
            ':id': { S: id },
          },
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw storeFailure(`take a conversion slot in table ${this.tableName}`, err);
    }
  }

  /** Gives the slots of `ids` back (ids that hold none are ignored). */
  async give(...ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression: 'DELETE #holders :ids',
          ExpressionAttributeNames: { '#holders': 'holders' },
          ExpressionAttributeValues: { ':ids': { SS: ids } },
        }),
      );
    } catch (err) {
      throw storeFailure(`give back conversion slots in table ${this.tableName}`, err);
    }
  }

  /** The ids holding a slot now. */
  async holders(): Promise<string[]> {
    try {
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }),
      );
      return [...(Item?.holders?.SS ?? [])].sort();
    } catch (err) {
      throw storeFailure(`read the conversion slots in table ${this.tableName}`, err);
    }
  }
}
