import { UsageError } from '../errors.js';
import { isRealDate } from '../sources/match-key.js';

const DAY_MS = 86_400_000;

/** Fails with the flag's name unless `value` is a real YYYY-MM-DD day. */
export function parseDay(value: string, flag: string): string {
  if (!isRealDate(value))
    throw new UsageError(`${flag} must be a real date as YYYY-MM-DD, not "${value}".`, { field: flag });
  return value;
}

/** The UTC day before `now`: the nightly job converts yesterday. */
export function yesterdayUtc(now: Date = new Date()): string {
  return new Date(now.getTime() - DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, inclusive; fails when from is after to. */
/** Fails unless `from` is on or before `to` (either may be left out). */
export function checkDayOrder(from: string | undefined, to: string | undefined): void {
  if (from !== undefined && to !== undefined && from > to) {
    throw new UsageError(`--from (${from}) is after --to (${to}).`);
  }
}

export function daysBetween(from: string, to: string): string[] {
  checkDayOrder(from, to);
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}
