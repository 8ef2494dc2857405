import type { DuckDBInstance } from '@duckdb/node-api';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { quoteIdentifier, quoteLiteral } from '../sql/identifiers.js';
import { withConnection } from '../engines/duckdb/instance.js';
import { renderQuery } from './render.js';
import { SOURCES, PARTITION_COLUMNS } from '../sources/index.js';
import { DUCKDB_TYPE } from '../sql/duckdb-types.js';
import type { NamedQuery, QueryParameters } from './types.js';

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
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
  const tableRoot = join(lake, query.source);
  const exists = await access(tableRoot).then(
    () => true,
    () => false,
  );
  if (!exists) return { columns: [], rows: [] };
  return withConnection(instance, async (connection) => {
    const files = quoteLiteral(join(tableRoot, '*', '*', '*', '*', '*', '*.parquet'));
    const types =
      "{'account': 'VARCHAR', 'region': 'VARCHAR', 'year': 'VARCHAR', 'month': 'VARCHAR', 'day': 'VARCHAR'}";
    const scan = `read_parquet(${files}, hive_partitioning = true, union_by_name = true, hive_types = ${types})`;
    // Partitions hold only the columns their objects had: the view adds the others as NULL.
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${scan}`);
    const existing = new Set(described.getRowObjectsJS().map((row) => String(row.column_name)));
    const source = SOURCES[query.source];
    const columns = (source?.columns ?? []).map((column) =>
      existing.has(column.name)
        ? quoteIdentifier(column.name)
        : `CAST(NULL AS ${DUCKDB_TYPE[column.type]}) AS ${quoteIdentifier(column.name)}`,
    );
    const projection = [...columns, ...PARTITION_COLUMNS.map(quoteIdentifier)].join(', ');
    await connection.run(
      `CREATE OR REPLACE TEMP VIEW ${quoteIdentifier(query.source)} AS SELECT ${projection} FROM ${scan}`,
    );
    const reader = await connection.runAndReadAll(renderQuery(query, 'duckdb', parameters));
    return { columns: reader.columnNames(), rows: reader.getRowsJS() as unknown[][] };
  });
}
