import type { LogSource } from '../../sources/types.js';
import { createTableSql } from './create-table.js';
import { convertedLocation, convertedTableName, type AthenaTarget } from './tables.js';

/**
 * The converted table `<source>`: every column of the source (delivered and derived) with its
 * Athena type, Snappy Parquet under `<lake>/<source>/`, partitioned by account, region, year,
 * month and day. Each partition's LOCATION is set when its conversion commits.
 */
export function convertedTableSql(source: LogSource, options: AthenaTarget): string {
  return createTableSql({
    database: options.database,
    table: convertedTableName(source),
    comment: `${source.title}, converted by athena-logs (${source.reference})`,
    columns: source.columns.map(({ name, type, description }) => ({ name, type, comment: description })),
    storedAs: 'STORED AS PARQUET',
    location: convertedLocation(source, options),
    properties: [['parquet.compression', 'SNAPPY']],
  });
}
