import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { localTarget } from '../../shared/pipeline/targets/local-target.js';
import { listLocalObjects } from '../../shared/storage/local-folder.js';
import { runPipeline } from '../../shared/pipeline/run-pipeline.js';
import type { PartitionOutcome, PipelineEvent } from '../../shared/pipeline/types.js';
import { NAMED_QUERIES } from '../../shared/queries/index.js';
import { runLocalQuery } from '../../shared/queries/run-local.js';
import { formatOutcomeLine, formatSummary, formatTable, progressBar } from './render.js';
import type { PipelineRun } from './pipeline-run.js';
import type { Session } from './session.js';

export interface ConvertCommandOptions {
  dates: string[];
  backfill: boolean;
  retryFailed: boolean;
  account?: string;
  region?: string;
  json: boolean;
  /** Show the top talkers of the converted days afterwards (the embedded demo's question). */
  showTopTalkers: boolean;
  /** Draw a progress bar (terminal) or print a line per partition (pipes, logs). */
  progress: 'bar' | 'lines' | 'none';
  /** List and plan only, print each partition's statements and API calls, change nothing. */
  dryRun?: boolean;
}

function progressReporter(mode: ConvertCommandOptions['progress']): (event: PipelineEvent) => void {
  const err = process.stderr;
  return (event) => {
    if (mode === 'none') return;
    if (event.type === 'planned') {
      if (event.unmatched > 0) {
        err.write(
          `${event.unmatched} raw object(s) match no key layout of any source and are left out ` +
            `(e.g. ${event.unmatchedExample})\n`,
        );
      }
      err.write(`${event.toConvert} of ${event.total} partition(s) to convert\n`);
      if (mode === 'bar' && event.toConvert > 0) err.write(`\r${progressBar(0, event.toConvert)}`);
    }
    if (event.type !== 'finished') return;
    if (mode === 'bar') {
      err.write(`\r${progressBar(event.done, event.toConvert)}`);
      if (event.done === event.toConvert) err.write('\n');
      if (event.outcome.action === 'failed') err.write(`\n${formatOutcomeLine(event.outcome)}\n`);
    } else {
      err.write(`${formatOutcomeLine(event.outcome)}\n`);
    }
  };
}

/** Exit code of the contract: 1 when any partition failed (now or finally), else 0. */
export function exitCodeOf(outcomes: readonly PartitionOutcome[]): number {
  return outcomes.some((outcome) => outcome.action === 'failed' || outcome.action === 'failed-final') ? 1 : 0;
}

/** The embedded engine: local folders, DuckDB, an atomic rename. */
async function localRun(session: Session): Promise<PipelineRun> {
  const { config } = session;
  const scratchRoot = join(config.workdir, 'tmp');
  await mkdir(scratchRoot, { recursive: true });
  return {
    listRaw: (dates) => listLocalObjects(config.raw, { dates }),
    target: localTarget({
      engine: session.engine,
      rawRoot: config.raw,
      lake: config.lake,
      scratchRoot,
      concurrency: config.concurrency,
      runnerId: session.runnerId,
    }),
  };
}

/** Each partition the dry run would convert, and its plan; then the others' states. */
function formatDryRun(outcomes: readonly PartitionOutcome[]): string {
  const planned = outcomes.filter((outcome) => outcome.action === 'would-convert');
  const lines = [
    `Dry run: ${planned.length} of ${outcomes.length} partition(s) would convert; nothing was changed.`,
  ];
  for (const outcome of planned) {
    lines.push(
      '',
      `${outcome.source} ${outcome.account} ${outcome.region} ${outcome.date} (${outcome.reason ?? 'new'}):`,
    );
    for (const step of outcome.plan ?? [])
      lines.push(...step.split('\n').map((line, index) => `${index ? '    ' : '  - '}${line}`));
  }
  return lines.join('\n');
}

/** `run` and `backfill`: convert the partitions of the given days that need work, then report. */
export async function convertCommand(session: Session, options: ConvertCommandOptions): Promise<number> {
  const { config } = session;
  const report = progressReporter(options.json ? 'none' : options.progress);
  let unmatched: { count: number; example?: string } = { count: 0 };
  const run = config.aws
    ? await (await import('./remote-run.js')).remoteRun(config, config.aws)
    : await localRun(session);
  const outcomes = await runPipeline({
    sources: config.sources,
    dates: options.dates,
    lake: config.lake,
    listRaw: (dates) => run.listRaw(dates, options),
    target: run.target,
    dryRun: options.dryRun,
    account: options.account,
    region: options.region,
    flatLayouts: config.flatLayouts,
    backfill: options.backfill,
    retryFailed: options.retryFailed,
    retryBudget: config.retryBudget,
    leaseMs: config.leaseSeconds * 1000,
    concurrency: config.concurrency,
    bookmarks: session.bookmarks,
    runnerId: session.runnerId,
    onEvent: (event) => {
      if (event.type === 'planned') unmatched = { count: event.unmatched, example: event.unmatchedExample };
      report(event);
    },
  });
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          partitions: outcomes.map(({ reason: _reason, ...entry }) => entry),
          // Objects of no layout are never dropped silently, in JSON either.
          unmatchedObjects: unmatched.count,
          ...(unmatched.example ? { unmatchedExample: unmatched.example } : {}),
        },
        null,
        2,
      )}\n`,
    );
    return exitCodeOf(outcomes);
  }
  const out = process.stdout;
  if (options.dryRun) {
    out.write(`${formatDryRun(outcomes)}\n`);
    return exitCodeOf(outcomes);
  }
  const converted = outcomes.filter((outcome) => outcome.action === 'converted').length;
  if (outcomes.length === 0)
    out.write(
      `No raw objects of ${config.sources.map((source) => source.name).join(', ')} under ${config.raw} ` +
        `for ${options.dates[0]}..${options.dates.at(-1)}` +
        `${options.account ? `, account ${options.account}` : ''}${options.region ? `, region ${options.region}` : ''}.\n`,
    );
  else {
    out.write(`${formatSummary(outcomes)}\n\n`);
    if (converted === 0 && outcomes.every((outcome) => outcome.action === 'up-to-date')) {
      out.write(
        `Nothing to convert: all ${outcomes.length} partition(s) are up to date (SUCCEEDED, raw data unchanged).\n`,
      );
    } else {
      const failed = outcomes.filter(
        (outcome) => outcome.action === 'failed' || outcome.action === 'failed-final',
      ).length;
      const skipped = outcomes.filter((outcome) => outcome.action === 'skipped').length;
      out.write(
        `Converted ${converted}, failed ${failed}, skipped ${skipped}, up to date ${outcomes.length - converted - failed - skipped}.\n`,
      );
    }
  }
  if (options.showTopTalkers && !config.aws && config.sources.some((source) => source.name === 'vpc_flow')) {
    const query = NAMED_QUERIES.get('top-talkers');
    if (query && outcomes.some((outcome) => outcome.source === 'vpc_flow')) {
      const from = options.dates[0] ?? '';
      const to = options.dates.at(-1) ?? from;
      const result = await runLocalQuery(await session.engine.database(), config.lake, query, {
        from,
        to,
        params: {},
      });
      // Nothing converted for these days (all failed, say): no table without rows.
      if (result.rows.length > 0) {
        out.write(
          `\nTop talkers, vpc_flow ${from}..${to} (the 50 source/destination pairs with the most bytes):\n`,
        );
        out.write(`${formatTable(result.columns, result.rows)}\n`);
      }
    }
  }
  return exitCodeOf(outcomes);
}
