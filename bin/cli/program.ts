import { Command, Option } from 'commander';
import type { GlobalFlags } from '../../shared/config.js';
import { UsageError } from '../../shared/errors.js';
import { addDays, checkDayOrder, daysBetween, parseDay, yesterdayUtc } from '../../shared/plan/dates.js';
import { NAMED_QUERIES } from '../../shared/queries/index.js';
import { convertCommand } from './convert-command.js';
import { ddlCommand, type DdlFlags } from './ddl-command.js';
import { queryCommand } from './query-command.js';
import { statusCommand } from './status-command.js';
import { withSession } from './with-session.js';

export interface CommandFlags extends GlobalFlags {
  json?: boolean;
  date?: string;
  lookback?: string;
  from?: string;
  to?: string;
  account?: string;
  region?: string;
  retryFailed?: boolean;
  dryRun?: boolean;
  param?: string[];
}

function wholeNumber(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value))
    throw new UsageError(`${flag} must be a whole number, not "${value}".`, { field: flag });
  return Number(value);
}

/** Opens a session for a command, runs it, closes the session, and returns the exit code. */
function progressMode(): 'bar' | 'lines' {
  return process.stderr.isTTY ? 'bar' : 'lines';
}

/** `--from`/`--to` where each bound is optional, checked for order. */
function optionalRange(flags: CommandFlags): { from?: string; to?: string } {
  const from = flags.from ? parseDay(flags.from, '--from') : undefined;
  const to = flags.to ? parseDay(flags.to, '--to') : undefined;
  checkDayOrder(from, to);
  return { from, to };
}

/** The `athena-logs` commands; each action reports its exit code through `setExitCode`. */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('athena-logs')
    .description('Turns AWS service logs into partitioned Snappy Parquet tables, idempotently.')
    .option(
      '--raw <dir>',
      'raw logs: a folder laid out like the S3 bucket (default: <workdir>/raw, demo data when empty)',
    )
    .option('--lake <dir>', 'converted tables (default: <workdir>/lake)')
    .option(
      '--workdir <dir>',
      'working folder for bookmarks and scratch files, and the default raw and lake folders (default: .athena-logs)',
    )
    .addOption(new Option('--engine <engine>', 'conversion engine').choices(['duckdb', 'athena', 'glue']))
    .option('--config <file>', 'JSON configuration file (flags win over it)')
    .option('--json', 'machine-readable summary on stdout')
    .showHelpAfterError()
    .exitOverride();
  const action =
    (work: (flags: CommandFlags) => Promise<number>) => async (_options: unknown, command: Command) =>
      setExitCode(await work(command.optsWithGlobals<CommandFlags>()));

  program
    .command('run')
    .description('the nightly job: convert yesterday (UTC) and re-check earlier days for late data')
    .option('--date <day>', 'the day to convert, YYYY-MM-DD (default: yesterday UTC)')
    .option('--lookback <n>', 'also re-check the N days before it', '0')
    .option('--source <name>', 'only this source')
    .option('--retry-failed', 'retry partitions whose retry budget is spent')
    .option('--dry-run', 'list and plan only: print what converting would do, change nothing')
    .action(
      action((flags) =>
        withSession(flags, (session) => {
          const date = flags.date ? parseDay(flags.date, '--date') : yesterdayUtc();
          const lookback = wholeNumber(flags.lookback, '--lookback', 0);
          return convertCommand(session, {
            dates: daysBetween(addDays(date, -lookback), date),
            backfill: false,
            retryFailed: flags.retryFailed === true,
            json: flags.json === true,
            showTopTalkers: flags.dryRun !== true,
            progress: progressMode(),
            dryRun: flags.dryRun === true,
          });
        }),
      ),
    );

  program
    .command('backfill')
    .description('convert every partition of a date range that needs work')
    .requiredOption('--from <day>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <day>', 'last day, YYYY-MM-DD')
    .option('--source <name>', 'only this source')
    .option('--account <id>', 'only this account')
    .option('--region <name>', 'only this region')
    .option('--retry-failed', 'retry partitions whose retry budget is spent')
    .option('--dry-run', 'list and plan only: print what converting would do, change nothing')
    .action(
      action((flags) =>
        withSession(flags, (session) =>
          convertCommand(session, {
            dates: daysBetween(parseDay(flags.from ?? '', '--from'), parseDay(flags.to ?? '', '--to')),
            backfill: true,
            retryFailed: flags.retryFailed === true,
            account: flags.account,
            region: flags.region,
            json: flags.json === true,
            showTopTalkers: false,
            progress: progressMode(),
            dryRun: flags.dryRun === true,
          }),
        ),
      ),
    );

  program
    .command('status')
    .description('bookmark state of every partition')
    .option('--source <name>', 'only this source')
    .option('--from <day>', 'first day, YYYY-MM-DD')
    .option('--to <day>', 'last day, YYYY-MM-DD')
    .action(
      action((flags) =>
        withSession(
          flags,
          (session) => statusCommand(session, { ...optionalRange(flags), json: flags.json === true }),
          { engine: false, converts: false },
        ),
      ),
    );

  program
    .command('query <name>')
    .description(`run a named query over the lake (${[...NAMED_QUERIES.keys()].join(', ')})`)
    .option('--date <day>', 'one day (default: yesterday UTC)')
    .option('--from <day>', 'first day')
    .option('--to <day>', 'last day')
    .option('--account <id>', 'only this account')
    .option('--region <name>', 'only this region')
    .option('--param <k=v>', 'a query parameter (repeatable)', (value: string, previous: string[] = []) => [
      ...previous,
      value,
    ])
    .action(async (name: string, _options: unknown, command: Command) =>
      setExitCode(await queryCommand(name, command.optsWithGlobals<CommandFlags>())),
    );

  program
    .command('ddl')
    .description('print the Athena DDL of each source: raw, lines and converted tables (S3 --raw/--lake)')
    .option('--source <name>', 'only this source')
    .option('--projection', 'the raw table with partition projection (or, for flat layouts, manifest-based)')
    .option('--database <name>', 'Athena database (default: athena_logs)')
    .action(async (_options: unknown, command: Command) =>
      setExitCode(await ddlCommand(command.optsWithGlobals<DdlFlags>())),
    );
  return program;
}
