import {
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { BookmarkStoreError } from '../errors.js';
import { sameFingerprint } from '../plan/decide.js';
import { DEFAULT_BOOKMARK_TABLE } from './bookmark-table.js';
import { ExpressionBuilder, updateExpression } from './expression.js';
import { storeFailure } from './failure.js';
import {
  checkDay,
  describeKey,
  itemKeyOf,
  partitionStateFields,
  partitionKeyOf,
  sortKeyRange,
  stateKeyOf,
  toBookmark,
} from './keys.js';
import type {
  AcquireResult,
  Bookmark,
  BookmarkState,
  BookmarkStore,
  ConversionFigures,
  PartitionKey,
  RawFingerprint,
} from './types.js';

export { DEFAULT_BOOKMARK_TABLE, ensureBookmarkTable } from './bookmark-table.js';

/** Longest error message kept on a bookmark (an item is at most 400 KB; a message needs far less). */
export const MAX_ERROR_CHARS = 2_000;

/** Read-then-write rounds acquire tries when other runners keep changing the bookmark meanwhile. */
const ACQUIRE_ROUNDS = 5;

/** A finished conversion's figures: a new attempt starts without them. */
export const FIGURE_FIELDS = [
  'rowsIn',
  'rowsOut',
  'rowsRejected',
  'bytesIn',
  'seconds',
  'engineRunId',
  'bytesScanned',
  'engineMs',
  'location',
] as const;

type ItemList = Record<string, AttributeValue>[];

/** What an event-driven conversion keeps while it runs; none of it outlives the conversion. */
export const CONVERSION_FIELDS = [
  'conversionId',
  'step',
  'activeRunId',
  'claimedAt',
  'steps',
  'retryAt',
  'retryQueue',
] as const;

/** An error as stored: at most MAX_ERROR_CHARS, an ellipsis marking a cut. */
export function clipError(error: string): string {
  return error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS - 1)}…` : error;
}

function holdsLiveLease(bookmark: Bookmark, now: number): boolean {
  return (
    bookmark.state === 'RUNNING' && bookmark.leaseExpiresAt !== undefined && bookmark.leaseExpiresAt >= now
  );
}

/** Figures to store: the known fields that are given. */
function figureFields(figures: Partial<ConversionFigures>): Record<string, string | number | undefined> {
  return Object.fromEntries(FIGURE_FIELDS.map((field) => [field, figures[field]]));
}

function isConditionFailure(err: unknown): boolean {
  return (err as Error | undefined)?.name === 'ConditionalCheckFailedException';
}

/** Code-unit order, not locale order: the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byPosition(a: Bookmark, b: Bookmark): number {
  return (
    compare(a.source, b.source) ||
    compare(a.date, b.date) ||
    compare(a.account, b.account) ||
    compare(a.region, b.region)
  );
}

/**
 * The bookmark store on a DynamoDB table (on AWS, or dynalite locally). One item per partition:
 * pk = `${lake}|${source}`, sk = `${date}|${account}|${region}`. Every write is a conditional
 * UpdateItem (no transactions: dynalite has none), so two runners never hold one lease.
 */
export class DynamoBookmarkStore implements BookmarkStore {
  constructor(
    protected readonly client: DynamoDBClient,
    readonly tableName: string = DEFAULT_BOOKMARK_TABLE,
  ) {}

  async get(key: PartitionKey): Promise<Bookmark | undefined> {
    const Key = marshall(itemKeyOf(key));
    const { Item } = await this.call(`read the bookmark of ${describeKey(key)}`, key, () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key, ConsistentRead: true })),
    );
    return Item === undefined ? undefined : toBookmark(Item);
  }

  /** Ordered by source, date, account, region. Without a source, scans the table for the lake. */
  async list(query: { lake: string; source?: string; from?: string; to?: string }): Promise<Bookmark[]> {
    if (query.from !== undefined) checkDay('from', query.from);
    if (query.to !== undefined) checkDay('to', query.to);
    if (query.from !== undefined && query.to !== undefined && query.from > query.to) return [];
    const items = query.source === undefined ? await this.scanLake(query) : await this.querySource(query);
    return items.map(toBookmark).sort(byPosition);
  }

  async acquire(
    key: PartitionKey,
    options: {
      owner: string;
      leaseMs: number;
      fingerprint: RawFingerprint;
      now?: number;
      skipIfSucceeded?: boolean;
      isDeadOwner?: (owner: string) => boolean;
    },
  ): Promise<AcquireResult> {
    const now = options.now ?? Date.now();
    for (let round = 0; round < ACQUIRE_ROUNDS; round++) {
      const current = await this.get(key);
      const holderIsDead = options.isDeadOwner?.(current?.leaseOwner ?? '') === true;
      if (current !== undefined && holdsLiveLease(current, now) && !holderIsDead) {
        return { acquired: false, holder: current.leaseOwner, leaseExpiresAt: current.leaseExpiresAt };
      }
      // Planned before another runner finished it: the work is done, do not repeat it.
      if (
        options.skipIfSucceeded &&
        current?.state === 'SUCCEEDED' &&
        sameFingerprint(current.fingerprint, options.fingerprint)
      ) {
        return { acquired: false, upToDate: true };
      }
      const bookmark = await this.takeLease(key, current, {
        ...options,
        now,
        deadOwner: holderIsDead ? current?.leaseOwner : undefined,
      });
      if (bookmark !== undefined) return { acquired: true, bookmark };
      // Another runner wrote between our read and our write: read again to see where it stands.
    }
    throw new BookmarkStoreError(
      `Could not take the lease on ${describeKey(key)}: other runners changed its bookmark ${ACQUIRE_ROUNDS} times in a row.`,
      { source: key.source },
    );
  }

  async renew(key: PartitionKey, owner: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    const e = new ExpressionBuilder();
    const set = e.assignments({ leaseExpiresAt: now + leaseMs, updatedAt: new Date(now).toISOString() });
    const renewed = await this.update(`renew the lease on ${describeKey(key)}`, key, e, {
      update: updateExpression(set),
      condition: this.heldBy(e, owner),
    });
    return renewed !== undefined;
  }

  async succeed(key: PartitionKey, owner: string, figures: ConversionFigures, now?: number): Promise<void> {
    await this.finish(key, owner, 'SUCCEEDED', figureFields(figures), ['error'], false, now);
  }

  async fail(
    key: PartitionKey,
    owner: string,
    error: string,
    figures: Partial<ConversionFigures> = {},
    now?: number,
  ): Promise<void> {
    await this.finish(
      key,
      owner,
      'FAILED',
      { ...figureFields(figures), error: clipError(error) },
      [],
      false,
      now,
    );
  }

  /** RUNNING → PENDING without counting the attempt: the runner was interrupted, not the data at fault. */
  async release(key: PartitionKey, owner: string, reason: string): Promise<void> {
    await this.finish(key, owner, 'PENDING', { error: reason.slice(0, MAX_ERROR_CHARS) }, [], true);
  }

  /**
   * The conditional write of acquire. Its condition repeats what the read found acquirable (no
   * item; or not RUNNING, or the lease expired) and that the fingerprint is still the one read,
   * so `attempts` is counted against the right fingerprint: + 1 when it is unchanged (atomically,
   * in the expression), 1 when it changed. Undefined when the condition failed.
   */
  private takeLease(
    key: PartitionKey,
    current: Bookmark | undefined,
    options: { owner: string; leaseMs: number; fingerprint: RawFingerprint; now: number; deadOwner?: string },
  ): Promise<Bookmark | undefined> {
    const { owner, leaseMs, fingerprint, now } = options;
    const e = new ExpressionBuilder();
    const at = new Date(now).toISOString();
    const set = e.assignments({
      ...partitionStateFields(key, 'RUNNING'),
      leaseOwner: owner,
      leaseExpiresAt: now + leaseMs,
      fingerprint: { ...fingerprint },
      startedAt: at,
      updatedAt: at,
    });
    const attempts = e.name('attempts');
    const one = e.value(1);
    set.push(
      sameFingerprint(current?.fingerprint, fingerprint)
        ? `${attempts} = if_not_exists(${attempts}, ${e.value(0)}) + ${one}`
        : `${attempts} = ${one}`,
    );
    // The previous conversion's outcome does not describe this one.
    const remove = ['error', 'finishedAt', ...FIGURE_FIELDS, ...CONVERSION_FIELDS].map((field) =>
      e.name(field),
    );

    let condition: string;
    if (current === undefined) {
      condition = `attribute_not_exists(${e.name('pk')})`;
    } else {
      const lease = e.name('leaseExpiresAt');
      // A holder known to be dead (a killed local process) gives its lease up before expiry.
      const deadHolder =
        options.deadOwner === undefined ? '' : ` OR ${e.name('leaseOwner')} = ${e.value(options.deadOwner)}`;
      const free = `(${e.name('state')} <> ${e.value('RUNNING')} OR attribute_not_exists(${lease}) OR ${lease} < ${e.value(now)}${deadHolder})`;
      // updatedAt as read: any write since (another runner's lease or outcome) makes us read again.
      const unchanged = `${e.name('updatedAt')} = ${e.value(current.updatedAt)}`;
      condition = `${free} AND ${unchanged} AND ${this.fingerprintIs(e, current.fingerprint)}`;
    }
    return this.update(`take the lease on ${describeKey(key)}`, key, e, {
      update: updateExpression(set, remove),
      condition,
    });
  }

  /**
   * Condition: the stored fingerprint equals `fingerprint` (absent when undefined). Compared field
   * by field because dynalite does not compare whole maps.
   */
  protected fingerprintIs(e: ExpressionBuilder, fingerprint: RawFingerprint | undefined): string {
    if (fingerprint === undefined) return `attribute_not_exists(${e.name('fingerprint')})`;
    return (['objects', 'bytes', 'newestModified'] as const)
      .map((field) => `${e.name(`fingerprint.${field}`)} = ${e.value(fingerprint[field])}`)
      .join(' AND ');
  }

  /** Condition: `owner` holds the lease of a RUNNING bookmark. */
  protected heldBy(e: ExpressionBuilder, owner: string): string {
    return `${e.name('leaseOwner')} = ${e.value(owner)} AND ${e.name('state')} = ${e.value('RUNNING')}`;
  }

  /** RUNNING → SUCCEEDED | FAILED, dropping the lease; throws when `owner` no longer holds it. */
  protected async finish(
    key: PartitionKey,
    owner: string,
    state: BookmarkState,
    fields: Record<string, string | number | undefined>,
    alsoRemove: string[],
    uncountAttempt = false,
    now = Date.now(),
  ): Promise<void> {
    const e = new ExpressionBuilder();
    const at = new Date(now).toISOString();
    const set = e.assignments({
      ...fields,
      state,
      stateKey: stateKeyOf(key.lake, state),
      finishedAt: at,
      updatedAt: at,
    });
    if (uncountAttempt) set.push(`${e.name('attempts')} = ${e.name('attempts')} - ${e.value(1)}`);
    const remove = ['leaseOwner', 'leaseExpiresAt', 'activeRunId', 'claimedAt', ...alsoRemove].map((field) =>
      e.name(field),
    );
    const done = await this.update(`mark ${describeKey(key)} ${state}`, key, e, {
      update: updateExpression(set, remove),
      condition: this.heldBy(e, owner),
    });
    if (done !== undefined) return;
    const current = await this.get(key);
    const where =
      current === undefined
        ? 'it no longer exists'
        : `it is now ${current.state}${current.leaseOwner ? ` held by ${current.leaseOwner}` : ''}`;
    throw new BookmarkStoreError(
      `The lease of ${owner} on ${describeKey(key)} was lost to another runner before it could be marked ${state} (${where}).`,
      { source: key.source },
    );
  }

  /** A conditional UpdateItem returning the new bookmark, or undefined when the condition failed. */
  protected async update(
    what: string,
    key: PartitionKey,
    e: ExpressionBuilder,
    expression: { update: string; condition: string },
  ): Promise<Bookmark | undefined> {
    const command = new UpdateItemCommand({
      TableName: this.tableName,
      Key: marshall(itemKeyOf(key)),
      UpdateExpression: expression.update,
      ConditionExpression: expression.condition,
      ReturnValues: 'ALL_NEW',
      ...e.input(),
    });
    try {
      const { Attributes } = await this.client.send(command);
      return Attributes === undefined ? undefined : toBookmark(Attributes);
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw storeFailure(`${what} in table ${this.tableName}`, err, { source: key.source });
    }
  }

  private async querySource(query: {
    lake: string;
    source?: string;
    from?: string;
    to?: string;
  }): Promise<ItemList> {
    const e = new ExpressionBuilder();
    const { lower, upper } = sortKeyRange(query.from, query.to);
    let condition = `${e.name('pk')} = ${e.value(partitionKeyOf(query.lake, query.source ?? ''))}`;
    if (lower !== undefined && upper !== undefined)
      condition += ` AND ${e.name('sk')} BETWEEN ${e.value(lower)} AND ${e.value(upper)}`;
    else if (lower !== undefined) condition += ` AND ${e.name('sk')} >= ${e.value(lower)}`;
    else if (upper !== undefined) condition += ` AND ${e.name('sk')} <= ${e.value(upper)}`;
    return this.pages(`list the bookmarks of ${query.source} in lake ${query.lake}`, (start) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: condition,
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...e.input(),
        }),
      ),
    );
  }

  /** Every source of a lake: a Scan filtered on the lake (the table holds few items per lake-day). */
  private async scanLake(query: { lake: string; from?: string; to?: string }): Promise<ItemList> {
    const e = new ExpressionBuilder();
    const filters = [`${e.name('lake')} = ${e.value(query.lake)}`];
    if (query.from !== undefined) filters.push(`${e.name('date')} >= ${e.value(query.from)}`);
    if (query.to !== undefined) filters.push(`${e.name('date')} <= ${e.value(query.to)}`);
    return this.pages(`list the bookmarks in lake ${query.lake}`, (start) =>
      this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: filters.join(' AND '),
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...e.input(),
        }),
      ),
    );
  }

  /** Follows LastEvaluatedKey until the last page. */
  protected async pages(
    what: string,
    page: (start: Record<string, AttributeValue> | undefined) => Promise<{
      Items?: ItemList;
      LastEvaluatedKey?: Record<string, AttributeValue>;
    }>,
  ): Promise<ItemList> {
    const items: ItemList = [];
    let start: Record<string, AttributeValue> | undefined;
    try {
      do {
        const result = await page(start);
        items.push(...(result.Items ?? []));
        start = result.LastEvaluatedKey;
      } while (start !== undefined);
    } catch (err) {
      throw storeFailure(`${what} from table ${this.tableName}`, err);
    }
    return items;
  }

  protected async call<T>(what: string, key: PartitionKey, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      throw storeFailure(`${what} from table ${this.tableName}`, err, { source: key.source });
    }
  }
}
