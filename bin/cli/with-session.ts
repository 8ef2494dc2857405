import { stat } from 'node:fs/promises';
import { resolveConfig, type GlobalFlags, type ResolvedConfig } from '../../shared/config.js';
import { UsageError } from '../../shared/errors.js';
import { seedDemoData } from '../../shared/demo/seed-demo.js';
import { stopRunningWork } from '../../shared/aws/running-work.js';
import { releaseHeldLeases } from '../../shared/pipeline/held-leases.js';
import { yesterdayUtc } from '../../shared/plan/dates.js';
import { openSession, startBookmarkServerEarly, type Session } from './session.js';

/**
 * Ctrl-C or a TERM signal hands the partitions being converted back (PENDING, the attempt not
 * counted), releasing their leases: the next run converts them at once.
 */
function handOverLeasesOnInterrupt(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    setTimeout(() => process.exit(code), 3000).unref();
    // Queries and job runs this process started on AWS are stopped too: nobody would commit them.
    void Promise.all([releaseHeldLeases(`interrupted by ${signal}`), stopRunningWork()]).finally(() =>
      process.exit(code),
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/** Opens a session for a command, runs it, closes the session, and returns the exit code. */
export async function withSession(
  flags: GlobalFlags & { json?: boolean },
  work: (session: Session, config: ResolvedConfig) => Promise<number>,
  options: { engine: boolean; converts: boolean } = { engine: true, converts: true },
): Promise<number> {
  const config = await resolveConfig(flags);
  await startBookmarkServerEarly(config);
  const local = config.engine === 'duckdb';
  if (local && options.converts && !config.rawIsDefault && !(await isFolder(config.raw))) {
    throw new UsageError(
      `The raw folder ${config.raw} does not exist (--raw, or "raw" in the configuration).`,
      {
        field: 'raw',
      },
    );
  }
  // Only commands that convert fill an empty default raw folder with demo data.
  if (local && options.converts && config.rawIsDefault) {
    const sources = config.sources.map((source) => source.name);
    const seeded = await seedDemoData(config.raw, yesterdayUtc(), sources);
    if (seeded > 0 && !flags.json)
      process.stderr.write(
        `Generated ${seeded} demo log objects (${sources.join(', ')}) under ${config.raw}\n`,
      );
  }
  // The AWS engines convert on AWS: no DuckDB in this process.
  const session = await openSession(config, { engine: options.engine && local });
  handOverLeasesOnInterrupt();
  try {
    return await work(session, config);
  } finally {
    await session.close();
  }
}
