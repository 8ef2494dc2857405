import type { Bookmark } from '../../shared/bookmarks/types.js';
import { formatCalendar, wantsColour } from './calendar.js';
import { formatTable } from './render.js';
import type { Session } from './session.js';

/**
 * `status`: the bookmarks of the lake: a calendar of states per source × day (the overview), then
 * one line per partition (the detail); `--json` gives the partitions only.
 */
export async function statusCommand(
  session: Session,
  options: { from?: string; to?: string; json: boolean },
): Promise<number> {
  const { config } = session;
  const bookmarks: Bookmark[] = [];
  for (const source of config.sources) {
    bookmarks.push(
      ...(await session.bookmarks.list({
        lake: config.lake,
        source: source.name,
        from: options.from,
        to: options.to,
      })),
    );
  }
  bookmarks.sort((a, b) =>
    `${a.date}|${a.source}|${a.account}|${a.region}`.localeCompare(
      `${b.date}|${b.source}|${b.account}|${b.region}`,
    ),
  );
  if (options.json) {
    const partitions = bookmarks.map((bookmark) => ({
      source: bookmark.source,
      account: bookmark.account,
      region: bookmark.region,
      date: bookmark.date,
      state: bookmark.state,
      attempts: bookmark.attempts,
      rowsIn: bookmark.rowsIn ?? null,
      rowsOut: bookmark.rowsOut ?? null,
      rowsRejected: bookmark.rowsRejected ?? null,
      bytesIn: bookmark.bytesIn ?? null,
      seconds: bookmark.seconds ?? null,
      error: bookmark.error ?? null,
    }));
    process.stdout.write(`${JSON.stringify({ partitions }, null, 2)}\n`);
    return 0;
  }
  if (bookmarks.length === 0) {
    process.stdout.write(`No bookmarks for lake ${config.lake} yet.\n`);
    return 0;
  }
  const rows = bookmarks.map((bookmark) => [
    bookmark.source,
    bookmark.account,
    bookmark.region,
    bookmark.date,
    bookmark.state,
    bookmark.attempts,
    bookmark.rowsOut ?? null,
    bookmark.rowsRejected ?? null,
    bookmark.error ?? '',
  ]);
  process.stdout.write(`${formatCalendar(bookmarks, { colour: wantsColour() })}\n\n`);
  process.stdout.write(
    `${formatTable(['source', 'account', 'region', 'date', 'state', 'attempts', 'rows out', 'rejected', 'error'], rows)}\n`,
  );
  return 0;
}
