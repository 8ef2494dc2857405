import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { availableParallelism } from 'node:os';

export interface DuckDBSettings {
  /** Spill folder for sorts larger than memory. */
  tempDirectory: string;
  /** DuckDB's buffer-manager limit, e.g. '256MB': keeps the whole process within its RSS budget. */
  memoryLimit: string;
  threads?: number;
}

/**
 * Opens an in-memory DuckDB. Imported lazily so that code paths without the embedded engine
 * (the Lambda bundle) never load the native module. UTC everywhere: no local time leaks in.
 */
export async function openDuckDB(settings: DuckDBSettings): Promise<DuckDBInstance> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  return DuckDBInstance.create(':memory:', {
    threads: String(settings.threads ?? availableParallelism()),
    memory_limit: settings.memoryLimit,
    temp_directory: settings.tempDirectory,
    preserve_insertion_order: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
}

/** Runs `work` on a fresh connection and always closes it. */
export async function withConnection<T>(
  instance: DuckDBInstance,
  work: (connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    return await work(connection);
  } finally {
    connection.closeSync();
  }
}
