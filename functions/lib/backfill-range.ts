import { UsageError } from '../../shared/errors.js';
import { addDays, daysBetween } from '../../shared/plan/dates.js';
import { isRealDate } from '../../shared/sources/match-key.js';
import type { LogSource } from '../../shared/sources/types.js';
import type { BackfillEvent } from './schemas.js';

/** The days a backfill covers, and the sources it converts, after the checks a schema cannot make. */
export function checkBackfill(
  event: BackfillEvent,
  options: { maxDays: number; today: string; sources: readonly LogSource[] },
): { sources: LogSource[]; days: number } {
  for (const field of ['from', 'to', 'continueFrom'] as const) {
    const value = event[field];
    if (value !== undefined && !isRealDate(value))
      throw new UsageError(`The backfill field ${field} must be a real date as YYYY-MM-DD, not "${value}".`, {
        field,
      });
  }
  if (event.from > event.to)
    throw new UsageError(`The backfill range is empty: from (${event.from}) is after to (${event.to}).`, {
      field: 'from',
    });
  if (event.to > options.today)
    throw new UsageError(
      `The backfill field to (${event.to}) is in the future (today is ${options.today}, UTC).`,
      {
        field: 'to',
      },
    );
  const days = daysBetween(event.from, event.to).length;
  if (days > options.maxDays)
    throw new UsageError(
      `The backfill range ${event.from}..${event.to} spans ${days} days, more than the ${options.maxDays} allowed (BACKFILL_MAX_DAYS): split it, or raise the limit.`,
      { field: 'to' },
    );
  if (
    event.continueFrom !== undefined &&
    (event.continueFrom < event.from || event.continueFrom > addDays(event.to, 1))
  )
    throw new UsageError(
      `The backfill field continueFrom (${event.continueFrom}) lies outside ${event.from}..${event.to}.`,
      {
        field: 'continueFrom',
      },
    );
  if (event.source === undefined) return { sources: [...options.sources], days };
  const source = options.sources.find((candidate) => candidate.name === event.source);
  if (source === undefined)
    throw new UsageError(
      `The backfill names source ${event.source}, which this deployment does not convert (SOURCES: ${options.sources.map((s) => s.name).join(', ')}).`,
      { field: 'source' },
    );
  return { sources: [source], days };
}
