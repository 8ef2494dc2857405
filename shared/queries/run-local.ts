import type { DuckDBInstance } from '@duckdb/node-api';
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { quoteIdentifier, quoteLiteralList } from '../sql/identifiers.js';
import { withConnection } from '../engines/duckdb/instance.js';
import { renderQuery } from './render.js';
import { SOURCES, PARTITION_COLUMNS } from '../sources/index.js';
import { duckdbType } from '../sql/duckdb-types.js';
import type { NamedQuery, QueryParameters } from './types.js';

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
}

const PARTITION_SEGMENT = /^(account|region|year|month|day)=(.+)$/;

/**
 * The Parquet files of a table's partitions that the query's days, account and region can touch
 * (the same filter runs again in SQL; this only spares reading the others).
 */
async function partitionFiles(tableRoot: string, parameters: QueryParameters): Promise<string[]> {
  const entries = await readdir(tableRoot, { recursive: true }).catch(() => [] as string[]);
  const files: string[] = [];
  for (const entry of entries) {
    const segments = entry.split(sep);
    if (segments.length !== 6 || !entry.endsWith('.parquet')) continue;
    const values = Object.fromEntries(
      segments.slice(0, 5).map((segment) => PARTITION_SEGMENT.exec(segment)?.slice(1, 3) ?? ['', '']),
    );
    const date = `${values.year}-${values.month}-${values.day}`;
    if (date < parameters.from || date > parameters.to) continue;
    if (parameters.account && values.account !== parameters.account) continue;
    if (parameters.region && values.region !== parameters.region) continue;
    files.push(join(tableRoot, entry));
  }
  return files.sort();
}

/**
 * Runs a named query with DuckDB over the local lake: the converted table is a view over the
 * source's Parquet files with its partition columns read from the Hive paths (as strings).
 */
export async function runLocalQuery(
  instance: DuckDBInstance,
  lake: string,
  query: NamedQuery,
  parameters: QueryParameters,
): Promise<QueryResult> {
  const files = await partitionFiles(join(lake, query.source), parameters);
  if (files.length === 0) return { columns: [], rows: [] };
  return withConnection(instance, async (connection) => {
    const types =
      "{'account': 'VARCHAR', 'region': 'VARCHAR', 'year': 'VARCHAR', 'month': 'VARCHAR', 'day': 'VARCHAR'}";
    // An explicit list, not a glob: a lake path may hold glob characters such as "[prod]".
    const scan = `read_parquet(${quoteLiteralList(files)}, hive_partitioning = true, union_by_name = true, hive_types = ${types})`;
    // Partitions hold only the columns their objects had: the view adds the others as NULL.
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${scan}`);
    const existing = new Set(described.getRowObjectsJS().map((row) => String(row.column_name)));
    const source = SOURCES[query.source];
    const columns = (source?.columns ?? []).map((column) =>
      existing.has(column.name)
        ? quoteIdentifier(column.name)
        : `CAST(NULL AS ${duckdbType(column.type)}) AS ${quoteIdentifier(column.name)}`,
    );
    const projection = [...columns, ...PARTITION_COLUMNS.map(quoteIdentifier)].join(', ');
    await connection.run(
      `CREATE OR REPLACE TEMP VIEW ${quoteIdentifier(query.source)} AS SELECT ${projection} FROM ${scan}`,
    );
    const reader = await connection.runAndReadAll(renderQuery(query, 'duckdb', parameters));
    return { columns: reader.columnNames(), rows: reader.getRowsJS() as unknown[][] };
  });
}
