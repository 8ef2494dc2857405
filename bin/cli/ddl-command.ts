import { UsageError } from '../../shared/errors.js';
import { AVAILABLE_SOURCES, SOURCES, type LogSource, type SourceName } from '../../shared/sources/index.js';
import { convertedTableSql } from '../../shared/sql/athena/converted-table.js';
import { projectionTableSql } from '../../shared/sql/athena/projection.js';
import { linesTableSql, rawTableSql } from '../../shared/sql/athena/raw-table.js';
import {
  createDatabaseSql,
  DEFAULT_DATABASE,
  PLACEHOLDER_LAKE,
  PLACEHOLDER_RAW,
  type AthenaTarget,
} from '../../shared/sql/athena/tables.js';
import { athenaIdentifier } from '../../shared/sql/identifiers.js';
import { parseS3Location, locationUrl } from '../../shared/storage/s3-location.js';
import { sqlCommentLines } from '../../shared/sql/sql-comment.js';

export interface DdlFlags {
  source?: string;
  projection?: boolean;
  database?: string;
  raw?: string;
  lake?: string;
}

function sourcesOf(name: string | undefined): LogSource[] {
  if (name === undefined) return AVAILABLE_SOURCES.map((source) => SOURCES[source]);
  if (!(name in SOURCES))
    throw new UsageError(`Unknown source "${name}": available sources are ${AVAILABLE_SOURCES.join(', ')}.`, {
      field: '--source',
    });
  return [SOURCES[name as SourceName]];
}

/** An S3 folder URL from a flag, or the marked placeholder when the flag is absent. */
function locationOf(value: string | undefined, flag: string, placeholder: string): string {
  if (value === undefined) return placeholder;
  const location = parseS3Location(value, flag);
  return locationUrl(location);
}

/** `-- text` lines, wrapped near 100 characters. */
function comment(text: string): string {
  return sqlCommentLines(text).join('\n');
}

const statement = (sql: string): string => `${sql};\n`;

function sourceDdl(source: LogSource, target: AthenaTarget, projection: boolean): string[] {
  const parts = [comment(`${source.name}: ${source.title} (${source.reference})`)];
  if (projection) {
    const projected = projectionTableSql(source, target);
    parts.push(
      projected.kind === 'projection'
        ? `${comment(`Raw table, partitions projected from the ${projected.layout} key layout (account and region are injected: name them in every query).`)}\n${statement(projected.sql)}`
        : `${comment(projected.explanation)}\n${statement(projected.sql)}`,
    );
  } else {
    parts.push(
      `${comment('Raw table, as AWS delivers the logs (partitions registered with their LOCATION).')}\n${statement(rawTableSql(source, target))}`,
    );
  }
  parts.push(
    `${comment('Lines table: what the conversion parses in SQL (each partition: a symlink manifest of its objects).')}\n${statement(linesTableSql(source, target))}`,
    `${comment('Converted table: Snappy Parquet.')}\n${statement(convertedTableSql(source, target))}`,
  );
  return parts;
}

/**
 * The text `athena-logs ddl` prints: the database, then for each source (or `--source`) its raw
 * table (`--projection`: the partition-projection variant, or the manifest-based table with the
 * reason), lines table and converted table. Locations come from `--raw`/`--lake` (S3 URLs) or
 * are marked placeholders.
 */
export function ddlText(flags: DdlFlags): string {
  const database = athenaIdentifier(flags.database ?? DEFAULT_DATABASE);
  const sources = sourcesOf(flags.source);
  const target: AthenaTarget = {
    database,
    raw: locationOf(flags.raw, '--raw', PLACEHOLDER_RAW),
    lake: locationOf(flags.lake, '--lake', PLACEHOLDER_LAKE),
  };
  const header = [comment(`athena-logs: Athena DDL for the database ${database}.`)];
  const placeholders = [
    ...(flags.raw === undefined ? [PLACEHOLDER_RAW] : []),
    ...(flags.lake === undefined ? [PLACEHOLDER_LAKE] : []),
  ];
  if (placeholders.length)
    header.push(
      comment(
        `PLACEHOLDER LOCATIONS: replace ${placeholders.join(' and ')} with your buckets ` +
          `before running these statements, or pass --raw s3://… --lake s3://…`,
      ),
    );
  const blocks = [header.join('\n'), statement(createDatabaseSql(database))];
  for (const source of sources) blocks.push(...sourceDdl(source, target, flags.projection === true));
  return `${blocks.join('\n')}`;
}

/** `ddl [--source S] [--projection] [--database D]`: prints the statements; exit 0 (2 on bad usage, thrown). */
export async function ddlCommand(flags: DdlFlags): Promise<number> {
  process.stdout.write(ddlText(flags));
  return 0;
}
