import { join } from 'node:path';
import type { ResolvedConfig } from '../../shared/config.js';
import { newRunnerId } from '../../shared/pipeline/runner-id.js';
import type { BookmarkStore } from '../../shared/bookmarks/types.js';
import type { DuckDBEngine } from '../../shared/engines/duckdb/engine.js';

/** What a command works with: the engine and the bookmark store, closed together. */
export interface Session {
  config: ResolvedConfig;
  engine: DuckDBEngine;
  bookmarks: BookmarkStore;
  runnerId: string;
  close(): Promise<void>;
}

/** Starts the workdir's bookmark server without waiting: it boots while this process loads. */
export async function startBookmarkServerEarly(config: ResolvedConfig): Promise<void> {
  if (config.bookmarks === 'aws') return;
  const { ensureLocalBookmarkServer } = await import('../../shared/bookmarks/local-server.js');
  // A failure here is reported by openSession, which asks again.
  ensureLocalBookmarkServer(join(config.workdir, 'bookmarks')).catch(() => undefined);
}

export async function openSession(config: ResolvedConfig, options: { engine: boolean }): Promise<Session> {
  // The AWS SDK and DuckDB are loaded only now, after the bookmark server was asked to start.
  const [{ openLocalBookmarks }, { DuckDBEngine }] = await Promise.all([
    import('../../shared/bookmarks/local.js'),
    import('../../shared/engines/duckdb/engine.js'),
  ]);
  const engine = new DuckDBEngine({
    tempDirectory: join(config.workdir, 'tmp', 'duckdb'),
    memoryLimit: config.duckdbMemoryLimit,
    parquetVersion: config.parquetVersion,
    rowGroupSize: config.rowGroupSize,
    stagingConcurrency: 1,
  });
  // DuckDB loads while the bookmark server starts (a separate process on a fresh workdir);
  // commands that only read bookmarks never load it.
  const [bookmarks] = await Promise.all([
    config.bookmarks === 'aws'
      ? import('../../shared/bookmarks/aws.js').then(({ openAwsBookmarks }) =>
          openAwsBookmarks(config.bookmarkTable, config.aws?.awsRegion),
        )
      : openLocalBookmarks(config.workdir, { tableName: config.bookmarkTable }),
    options.engine ? engine.database() : undefined,
  ]);
  return {
    config,
    engine,
    bookmarks: bookmarks.store,
    runnerId: newRunnerId(),
    async close() {
      await engine.close();
      bookmarks.close();
    },
  };
}
