import {
  GetItemCommand,
  QueryCommand,
  type AttributeValue,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { sameFingerprint } from '../plan/decide.js';
import { ACTIVE_RUN_INDEX, RETRY_INDEX, STATE_INDEX } from './bookmark-table.js';
import { clipError, CONVERSION_FIELDS, DynamoBookmarkStore, FIGURE_FIELDS } from './dynamodb-store.js';
import { ExpressionBuilder, updateExpression } from './expression.js';
import { storeFailure } from './failure.js';
import {
  describeKey,
  partitionKeyOf,
  partitionOf,
  partitionStateFields,
  stateKeyOf,
  toBookmark,
} from './keys.js';
import type { Bookmark, BookmarkState, PartitionKey, RawFingerprint, StagedFigures } from './types.js';

/** Figures of one finished engine step, as kept in `steps`. */
export type StepRecord = NonNullable<Bookmark['steps']>[string];

/** The running step of a conversion: its name and the query or job run id. */
export interface ActiveRun {
  step: string;
  runId: string;
}

/** Read-then-write rounds `queue` tries while other invocations keep changing the bookmark. */
const QUEUE_ROUNDS = 5;

/**
 * The bookmark store of event-driven conversions (the Lambda functions): the same table and
 * lease rules as the CLI's store, plus a queue of PENDING partitions (the by-state index, oldest
 * first), the run in flight of each RUNNING one (the by-active-run index, so that a state-change
 * event finds its partition), and step-by-step progress written with conditions, so that
 * duplicated or late events and concurrent invocations never advance a conversion twice.
 */
export class ConversionStore extends DynamoBookmarkStore {
  /**
   * Queues a partition: PENDING with its fingerprint and plan, unless a conversion of it is
   * RUNNING under a live lease (then false). A RUNNING one whose lease expired — its runner died
   * (a CLI run killed outright) and nobody looked after it since — is taken over. Attempts start
   * again when the fingerprint changed, or when `resetAttempts` (a backfill naming the day);
   * otherwise the ones spent on these objects count.
   */
  async queue(
    key: PartitionKey,
    options: { fingerprint: RawFingerprint; plan: string; resetAttempts: boolean; now?: number },
  ): Promise<boolean> {
    const now = options.now ?? Date.now();
    for (let round = 0; round < QUEUE_ROUNDS; round++) {
      const current = await this.get(key);
      if (current?.state === 'RUNNING' && (current.leaseExpiresAt ?? 0) >= now) return false;
      const keepAttempts =
        !options.resetAttempts && sameFingerprint(current?.fingerprint, options.fingerprint);
      const e = new ExpressionBuilder();
      const set = e.assignments({
        ...partitionStateFields(key, 'PENDING'),
        fingerprint: { ...options.fingerprint },
        plan: options.plan,
        attempts: keepAttempts ? (current?.attempts ?? 0) : 0,
        updatedAt: new Date(now).toISOString(),
      });
      const remove = ['leaseOwner', 'leaseExpiresAt', 'error', ...CONVERSION_FIELDS].map((field) =>
        e.name(field),
      );
      const condition =
        current === undefined
          ? `attribute_not_exists(${e.name('pk')})`
          : `${e.name('updatedAt')} = ${e.value(current.updatedAt)}`;
      const queued = await this.update(`queue ${describeKey(key)}`, key, e, {
        update: updateExpression(set, remove),
        condition,
      });
      if (queued !== undefined) return true;
    }
    return false;
  }

  /**
   * Bookmarks of a lake in one state, oldest `updatedAt` first (the queue order), a page at a
   * time: `before` keeps only those last written before that instant (ISO), e.g. stuck RUNNING ones.
   */
  async *inState(
    lake: string,
    state: BookmarkState,
    options: { before?: string } = {},
  ): AsyncGenerator<Bookmark> {
    const e = new ExpressionBuilder();
    let condition = `${e.name('stateKey')} = ${e.value(stateKeyOf(lake, state))}`;
    if (options.before !== undefined) condition += ` AND ${e.name('updatedAt')} < ${e.value(options.before)}`;
    const pages = this.queryPages(`list the ${state} bookmarks of lake ${lake}`, {
      IndexName: STATE_INDEX,
      KeyConditionExpression: condition,
      Limit: 100,
      ...e.input(),
    });
    for await (const page of pages) for (const item of page.Items ?? []) yield toBookmark(item);
  }

  /**
   * A lake's PENDING partitions whose retry backoff has elapsed by `now`, soonest due first (the
   * by-retry index). They were queued before anything still waiting, so the starter takes them
   * first: a retry started as soon as it is due does not pile up at the end of the night.
   */
  async *dueRetries(lake: string, now: number): AsyncGenerator<Bookmark> {
    const e = new ExpressionBuilder();
    const condition = `${e.name('retryQueue')} = ${e.value(lake)} AND ${e.name('retryAt')} <= ${e.value(now)}`;
    const filter = `${e.name('state')} = ${e.value('PENDING')}`;
    const pages = this.queryPages(`list the due retries of lake ${lake}`, {
      IndexName: RETRY_INDEX,
      KeyConditionExpression: condition,
      FilterExpression: filter,
      Limit: 100,
      ...e.input(),
    });
    for await (const page of pages) for (const item of page.Items ?? []) yield toBookmark(item);
  }

  /**
   * Takes the lease of a partition the queue listed, PENDING → RUNNING under `owner` (attempts + 1),
   * only while its bookmark is still the very item listed (same `updatedAt` and fingerprint) and
   * its backoff has elapsed. The by-state index is eventually consistent: a listing may show a
   * partition that was started, converted or failed for good since, or that a failed attempt has
   * just sent back to wait out its backoff; none of those is started. Undefined when it is not
   * startable (then another invocation, a CLI runner or a fresher listing has it in hand).
   */
  async startQueued(
    queued: Bookmark,
    options: { owner: string; leaseMs: number; now?: number },
  ): Promise<Bookmark | undefined> {
    const now = options.now ?? Date.now();
    const key = partitionOf(queued);
    const e = new ExpressionBuilder();
    const at = new Date(now).toISOString();
    const set = e.assignments({
      ...partitionStateFields(key, 'RUNNING'),
      leaseOwner: options.owner,
      leaseExpiresAt: now + options.leaseMs,
      startedAt: at,
      updatedAt: at,
    });
    const attempts = e.name('attempts');
    set.push(`${attempts} = if_not_exists(${attempts}, ${e.value(0)}) + ${e.value(1)}`);
    const remove = ['error', 'finishedAt', ...FIGURE_FIELDS, ...CONVERSION_FIELDS].map((field) =>
      e.name(field),
    );
    const retryAt = e.name('retryAt');
    const condition = [
      `${e.name('state')} = ${e.value('PENDING')}`,
      `${e.name('updatedAt')} = ${e.value(queued.updatedAt)}`,
      this.fingerprintIs(e, queued.fingerprint),
      `(attribute_not_exists(${retryAt}) OR ${retryAt} <= ${e.value(now)})`,
    ].join(' AND ');
    return this.update(`start the queued ${describeKey(key)}`, key, e, {
      update: updateExpression(set, remove),
      condition,
    });
  }

  /** Counts a lake's bookmarks in one state (the sweeper's gauges): counted by DynamoDB, no items read back. */
  async countInState(lake: string, state: BookmarkState): Promise<number> {
    const e = new ExpressionBuilder();
    const condition = `${e.name('stateKey')} = ${e.value(stateKeyOf(lake, state))}`;
    const pages = this.queryPages(`count the ${state} bookmarks of lake ${lake}`, {
      IndexName: STATE_INDEX,
      KeyConditionExpression: condition,
      Select: 'COUNT',
      ...e.input(),
    });
    let count = 0;
    for await (const page of pages) count += page.Count ?? 0;
    return count;
  }

  /** The newest day of a source that converted successfully (the freshness metric), if any. */
  async newestSucceeded(lake: string, source: string): Promise<Bookmark | undefined> {
    const e = new ExpressionBuilder();
    const condition = `${e.name('pk')} = ${e.value(partitionKeyOf(lake, source))}`;
    const filter = `${e.name('state')} = ${e.value('SUCCEEDED')}`;
    const pages = this.queryPages(`find the newest converted day of ${source} in lake ${lake}`, {
      KeyConditionExpression: condition,
      FilterExpression: filter,
      // Newest day first: the sort key starts with the date.
      ScanIndexForward: false,
      ConsistentRead: true,
      ...e.input(),
    });
    for await (const page of pages) {
      const [newest] = page.Items ?? [];
      if (newest !== undefined) return toBookmark(newest);
    }
    return undefined;
  }

  /** The bookmark whose run in flight is `runId` (an Athena query or Glue job run), if any. */
  async byActiveRun(runId: string): Promise<Bookmark | undefined> {
    const e = new ExpressionBuilder();
    const page = await this.send(`find the bookmark of run ${runId}`, () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: ACTIVE_RUN_INDEX,
          KeyConditionExpression: `${e.name('activeRunId')} = ${e.value(runId)}`,
          ...e.input(),
        }),
      ),
    );
    // The index is eventually consistent: read the item itself, and check it still names the run.
    for (const keys of page.Items ?? []) {
      const { Item } = await this.send(`read the bookmark of run ${runId}`, () =>
        this.client.send(
          new GetItemCommand({
            TableName: this.tableName,
            Key: { pk: keys.pk!, sk: keys.sk! },
            ConsistentRead: true,
          }),
        ),
      );
      const bookmark = Item === undefined ? undefined : toBookmark(Item);
      if (bookmark?.activeRunId === runId && bookmark.state === 'RUNNING') return bookmark;
    }
    return undefined;
  }

  /** Records the first run of a conversion this owner holds the lease of. */
  async started(
    key: PartitionKey,
    owner: string,
    conversion: { conversionId: string; run: ActiveRun; leaseMs: number; now?: number },
  ): Promise<boolean> {
    const now = conversion.now ?? Date.now();
    const e = new ExpressionBuilder();
    const set = e.assignments({
      conversionId: conversion.conversionId,
      step: conversion.run.step,
      activeRunId: conversion.run.runId,
      steps: {},
      leaseExpiresAt: now + conversion.leaseMs,
      updatedAt: new Date(now).toISOString(),
    });
    const done = await this.update(`record the start of ${describeKey(key)}`, key, e, {
      update: updateExpression(set),
      condition: this.heldBy(e, owner),
    });
    return done !== undefined;
  }

  /**
   * Takes the end of run `runId` in hand: only one invocation gets it (duplicated events, the
   * sweeper), unless the one that did has made no progress for `staleAfterMs` (it died). Returns
   * the bookmark with `claimedAt` set, or undefined when the run is not (or no longer) in flight.
   */
  async claim(
    key: PartitionKey,
    runId: string,
    options: { now?: number; staleAfterMs: number },
  ): Promise<Bookmark | undefined> {
    const now = options.now ?? Date.now();
    const e = new ExpressionBuilder();
    const claimedAt = e.name('claimedAt');
    const condition =
      `${e.name('state')} = ${e.value('RUNNING')} AND ${e.name('activeRunId')} = ${e.value(runId)} AND ` +
      `(attribute_not_exists(${claimedAt}) OR ${claimedAt} < ${e.value(now - options.staleAfterMs)})`;
    return this.update(`take the end of run ${runId} of ${describeKey(key)} in hand`, key, e, {
      update: updateExpression(e.assignments({ claimedAt: now, updatedAt: new Date(now).toISOString() })),
      condition,
    });
  }

  /**
   * The claimed run finished and the next one started: records the finished step's figures and
   * the new run, renewing the lease. False when the claim was lost meanwhile.
   */
  async advanced(
    key: PartitionKey,
    claimed: Bookmark,
    progress: { finished: ActiveRun; figures: StepRecord; next: ActiveRun; leaseMs: number; now?: number },
  ): Promise<boolean> {
    const now = progress.now ?? Date.now();
    const e = new ExpressionBuilder();
    const set = e.assignments({
      steps: { ...(claimed.steps ?? {}), [progress.finished.step]: progress.figures },
      step: progress.next.step,
      activeRunId: progress.next.runId,
      leaseExpiresAt: now + progress.leaseMs,
      updatedAt: new Date(now).toISOString(),
    });
    const condition =
      `${e.name('activeRunId')} = ${e.value(progress.finished.runId)} AND ` +
      `${e.name('claimedAt')} = ${e.value(claimed.claimedAt ?? -1)}`;
    const done = await this.update(`record the next step of ${describeKey(key)}`, key, e, {
      update: updateExpression(set, [e.name('claimedAt')]),
      condition,
    });
    return done !== undefined;
  }

  /**
   * The claimed run was the conversion's last: records its figures — `engineRunId` the run,
   * `location` the version about to be served — before the catalog swap. An invocation that takes
   * the run in hand again after this one died (between the swap and SUCCEEDED) learns from them
   * that the version may be live already, and finishes the commit with them instead of asking the
   * engine again (a Glue run's counts are gone by then) or discarding what was staged. False when
   * the claim was lost meanwhile.
   */
  async committing(
    key: PartitionKey,
    claimed: Bookmark,
    figures: StagedFigures,
    now?: number,
  ): Promise<boolean> {
    const at = now ?? Date.now();
    const e = new ExpressionBuilder();
    const set = e.assignments({ ...figures, updatedAt: new Date(at).toISOString() });
    const condition =
      `${e.name('state')} = ${e.value('RUNNING')} AND ` +
      `${e.name('activeRunId')} = ${e.value(claimed.activeRunId ?? '')} AND ` +
      `${e.name('claimedAt')} = ${e.value(claimed.claimedAt ?? -1)}`;
    const done = await this.update(`record the commit of ${describeKey(key)}`, key, e, {
      update: updateExpression(set),
      condition,
    });
    return done !== undefined;
  }

  /**
   * RUNNING → PENDING after a failed attempt, to be started again from `retryAt` on (the attempt
   * stays counted); only while `owner` holds the lease.
   */
  async retryLater(
    key: PartitionKey,
    owner: string,
    error: string,
    retryAt: number,
    now?: number,
  ): Promise<void> {
    await this.finish(
      key,
      owner,
      'PENDING',
      // retryQueue puts it in the by-retry index until it is started or queued anew.
      { error: clipError(error), retryAt, retryQueue: key.lake },
      ['conversionId', 'step', 'steps'],
      false,
      now,
    );
  }

  /** A query of the table or one of its indexes, page after page (`TableName` and paging added). */
  private async *queryPages(
    what: string,
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  ): AsyncGenerator<QueryCommandOutput> {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.send(what, () =>
        this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start })),
      );
      yield page;
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }

  private async send<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw storeFailure(`${what} in table ${this.tableName}`, err);
    }
  }
}
