import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BookmarkStoreError } from '../errors.js';
import type { Bookmark, BookmarkState, PartitionKey } from './types.js';

/** Joins the parts of a key. Sources, accounts, regions and dates never contain it. */
const SEPARATOR = '|';
/**
 * Sorts right after SEPARATOR, so `${to}}` is above every sort key of day `to`: the inclusive
 * upper bound of a date range.
 */
const AFTER_SEPARATOR = '}';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The table's key of one partition's bookmark. */
export interface ItemKey {
  /** `${lake}|${source}`: one Query lists a source's bookmarks in a lake. */
  pk: string;
  /** `${date}|${account}|${region}`: date first, so a date range is a key range. */
  sk: string;
}

/** Checks a YYYY-MM-DD day, which the sort key orders on. */
export function checkDay(field: string, value: string): void {
  if (!DAY.test(value)) {
    throw new BookmarkStoreError(`The bookmark ${field} must be a YYYY-MM-DD day, not '${value}'.`, {
      field,
    });
  }
}

function checkPart(field: string, value: string, source?: string): void {
  if (value === '' || value.includes(SEPARATOR)) {
    throw new BookmarkStoreError(
      `The bookmark ${field} must be non-empty and free of '${SEPARATOR}', not '${value}'.`,
      {
        field,
        source,
      },
    );
  }
}

/** The hash key of a source in a lake. The lake may hold '|': the source after it cannot. */
export function partitionKeyOf(lake: string, source: string): string {
  if (lake === '') throw new BookmarkStoreError('The bookmark lake must be non-empty.', { field: 'lake' });
  checkPart('source', source);
  return `${lake}${SEPARATOR}${source}`;
}

/** The partition a bookmark (or any record holding the key fields) is of: the key fields alone. */
export function partitionOf(bookmark: PartitionKey): PartitionKey {
  const { lake, source, account, region, date } = bookmark;
  return { lake, source, account, region, date };
}

/** The by-state index's hash key: one Query lists a lake's partitions in one state. */
export function stateKeyOf(lake: string, state: BookmarkState): string {
  return `${lake}${SEPARATOR}${state}`;
}

/** The attributes that say which partition an item is and where it stands (its key fields, state and index key). */
export function partitionStateFields(key: PartitionKey, state: BookmarkState) {
  const { lake, source, account, region, date } = key;
  return { lake, source, account, region, date, state, stateKey: stateKeyOf(lake, state) };
}

/** The table key of a partition, after checking that its parts keep keys unambiguous. */
export function itemKeyOf(key: PartitionKey): ItemKey {
  checkPart('account', key.account, key.source);
  checkPart('region', key.region, key.source);
  checkDay('date', key.date);
  return {
    pk: partitionKeyOf(key.lake, key.source),
    sk: [key.date, key.account, key.region].join(SEPARATOR),
  };
}

/** Inclusive sort-key bounds that select the days from..to (either may be open). */
export function sortKeyRange(from?: string, to?: string): { lower?: string; upper?: string } {
  return { lower: from, upper: to === undefined ? undefined : `${to}${AFTER_SEPARATOR}` };
}

/** A stored item as a bookmark: the table and index keys are dropped, the partition fields are attributes. */
export function toBookmark(item: Record<string, AttributeValue>): Bookmark {
  const { pk: _pk, sk: _sk, stateKey: _stateKey, retryQueue: _retryQueue, ...bookmark } = unmarshall(item);
  return bookmark as Bookmark;
}

/** Human-readable partition, for messages. */
export function describeKey(key: PartitionKey): string {
  return `${key.source} ${key.account}/${key.region} ${key.date} (lake ${key.lake})`;
}
