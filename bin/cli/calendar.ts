import type { Bookmark, BookmarkState } from '../../shared/bookmarks/types.js';
import { addDays } from '../../shared/plan/dates.js';

/** What the calendar reads of a bookmark. */
export type CalendarEntry = Pick<Bookmark, 'source' | 'account' | 'region' | 'date' | 'state'>;

/** The cell of each state, worst first: a day shows the worst state among its partitions. */
const CELLS: readonly { state: BookmarkState; letter: string; colour: string; word: string }[] = [
  { state: 'FAILED', letter: 'F', colour: '\u001b[31m', word: 'failed' },
  { state: 'RUNNING', letter: 'R', colour: '\u001b[33m', word: 'running' },
  { state: 'PENDING', letter: 'P', colour: '\u001b[36m', word: 'pending' },
  { state: 'SUCCEEDED', letter: 'S', colour: '\u001b[32m', word: 'succeeded' },
];
const NONE = { letter: '·', colour: '\u001b[2m', word: 'none' };
const RESET = '\u001b[0m';

/** Colour only for a person at a terminal who has not asked for none (https://no-color.org). */
export function wantsColour(stream: { isTTY?: boolean } = process.stdout): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

function paint(cell: { letter: string; colour: string }, colour: boolean): string {
  return colour ? `${cell.colour}${cell.letter}${RESET}` : cell.letter;
}

/** The months of the days from `first` to `last`, each with its days in order. */
function monthsOf(first: string, last: string): { month: string; days: string[] }[] {
  const months: { month: string; days: string[] }[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) {
    const month = day.slice(0, 7);
    if (months.at(-1)?.month !== month) months.push({ month, days: [] });
    months.at(-1)!.days.push(day);
  }
  return months;
}

/**
 * A calendar of partition states: one row per source (with how many accounts and regions it
 * has), one column per day from the first to the last day with a bookmark, one block per month
 * so a year stays readable in a terminal; each cell is the worst state of that day's partitions
 * of the source (F failed, R running, P pending, S succeeded, · none), which is what an operator
 * looks for first. A legend follows. ANSI colours only when `colour` is true.
 */
export function formatCalendar(entries: readonly CalendarEntry[], options: { colour: boolean }): string {
  if (entries.length === 0) return '';
  const rank = new Map(CELLS.map((cell, index) => [cell.state, index]));
  const worst = new Map<string, number>();
  const places = new Map<string, { accounts: Set<string>; regions: Set<string> }>();
  let first = entries[0]!.date;
  let last = first;
  for (const entry of entries) {
    const key = `${entry.source}|${entry.date}`;
    worst.set(key, Math.min(worst.get(key) ?? CELLS.length, rank.get(entry.state) ?? CELLS.length));
    const place = places.get(entry.source) ?? { accounts: new Set(), regions: new Set() };
    place.accounts.add(entry.account);
    place.regions.add(entry.region);
    places.set(entry.source, place);
    if (entry.date < first) first = entry.date;
    if (entry.date > last) last = entry.date;
  }
  const sources = [...places.keys()].sort();
  const labels = sources.map((source) => {
    const { accounts, regions } = places.get(source)!;
    const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
    return `${source} (${plural(accounts.size, 'account')}, ${plural(regions.size, 'region')})`;
  });
  const width = Math.max(...labels.map((label) => label.length)) + 2;
  const lines: string[] = [];
  for (const { month, days } of monthsOf(first, last)) {
    if (lines.length > 0) lines.push('');
    // Day of the month written downwards, tens over units, one character per column.
    lines.push(month.padEnd(width) + days.map((day) => day[8]).join(''));
    lines.push(''.padEnd(width) + days.map((day) => day[9]).join(''));
    sources.forEach((source, index) => {
      const cells = days.map((day) => {
        const found = worst.get(`${source}|${day}`);
        return paint(found === undefined ? NONE : CELLS[found]!, options.colour);
      });
      lines.push(labels[index]!.padEnd(width) + cells.join(''));
    });
  }
  const legend = ['SUCCEEDED', 'FAILED', 'RUNNING', 'PENDING'].map((state) =>
    CELLS.find((cell) => cell.state === state)!,
  );
  lines.push(
    '',
    `${[...legend, NONE].map((cell) => `${paint(cell, options.colour)} ${cell.word}`).join('  ')}` +
      ' (a day shows the worst state of its partitions)',
  );
  return lines.join('\n');
}
