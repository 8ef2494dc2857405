import { UsageError } from '../../shared/errors.js';
import { checkDayOrder, parseDay, yesterdayUtc } from '../../shared/plan/dates.js';
import { NAMED_QUERIES, queryParameters } from '../../shared/queries/index.js';
import { runLocalQuery } from '../../shared/queries/run-local.js';
import type { GlobalFlags } from '../../shared/config.js';
import { formatTable } from './render.js';
import { withSession } from './with-session.js';

export interface QueryFlags extends GlobalFlags {
  json?: boolean;
  date?: string;
  from?: string;
  to?: string;
  account?: string;
  region?: string;
  param?: string[];
}

/** The days a query covers: `--date D`, or `--from D [--to D]` (one day when --to is left out). */
function daysOf(flags: QueryFlags): { from: string; to: string } {
  if (flags.date && (flags.from || flags.to))
    throw new UsageError('Give either --date or --from/--to, not both.');
  if (flags.to && !flags.from) throw new UsageError('--to needs --from.');
  if (flags.from) {
    const from = parseDay(flags.from, '--from');
    const to = flags.to ? parseDay(flags.to, '--to') : from;
    checkDayOrder(from, to);
    return { from, to };
  }
  const day = flags.date ? parseDay(flags.date, '--date') : yesterdayUtc();
  return { from: day, to: day };
}

function paramsOf(pairs: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--param takes name=value, not "${pair}".`, { field: 'param' });
    const name = pair.slice(0, at);
    if (name in params) throw new UsageError(`--param ${name} is given twice.`, { field: name });
    params[name] = pair.slice(at + 1);
  }
  return params;
}

/** `query <name>`: a named query of QUERIES.md over the local lake. */
export async function queryCommand(name: string, flags: QueryFlags): Promise<number> {
  const query = NAMED_QUERIES.get(name);
  if (!query) {
    throw new UsageError(
      `Unknown query "${name}": known queries are ${[...NAMED_QUERIES.keys()].join(', ')}.`,
    );
  }
  if (query.requiresAccount && !flags.account) throw new UsageError(`Query ${name} needs --account.`);
  const days = daysOf(flags);
  const params = paramsOf(flags.param ?? []);
  // Checked before anything runs, so a bad value is refused even where the lake is empty.
  queryParameters(query, params);
  return withSession(
    flags,
    async (session, config) => {
      const result = await runLocalQuery(await session.engine.database(), config.lake, query, {
        ...days,
        account: flags.account,
        region: flags.region,
        params,
      });
      if (flags.json) {
        const rows = result.rows.map((row) =>
          Object.fromEntries(result.columns.map((column, index) => [column, row[index]])),
        );
        const json = JSON.stringify(
          { query: name, rows },
          (_key, value) => (typeof value === 'bigint' ? Number(value) : value),
          2,
        );
        process.stdout.write(`${json}\n`);
      } else if (result.rows.length === 0) {
        process.stdout.write(
          `No rows: the lake ${config.lake} has no ${query.source} data for ${days.from}..${days.to} matching the filters.\n`,
        );
      } else process.stdout.write(`${formatTable(result.columns, result.rows)}\n`);
      return 0;
    },
    { engine: true, converts: false },
  );
}
