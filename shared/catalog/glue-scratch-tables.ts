import { GetTablesCommand, type GlueClient, type GetTablesCommandInput } from '@aws-sdk/client-glue';
import type { ThrottleRetryOptions } from '../aws/throttle.js';
import { CatalogError } from '../errors.js';
import { AVAILABLE_SOURCES, type SourceName } from '../sources/index.js';
import type { GlueCatalog } from './glue-catalog.js';
import { describeGlueRequest } from './glue-errors.js';
import { sendGlue } from './glue-send.js';

/** The three CTAS tables of an Athena conversion end with one of these (see `scratchTables`). */
export const SCRATCH_TABLE_SUFFIXES = ['parsed', 'rows', 'rejects'] as const;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The exact name of an Athena conversion's scratch table: a source of the registry, `_tmp_`, the
 * partition's day as 8 digits, 16 lowercase hex digits (the run's digest), one of the three
 * suffixes — `vpc_flow_tmp_20261121_0123456789abcdef_parsed`. Nothing else matches: a user's
 * `sales_tmp_x`, or `vpc_flow_tmp_20261121_0123456789ABCDEF_rows`, is never taken for one.
 */
export const SCRATCH_TABLE_PATTERN = new RegExp(
  `^(${AVAILABLE_SOURCES.map(escapeRegExp).join('|')})_tmp_([0-9]{8})_([0-9a-f]{16})_(${SCRATCH_TABLE_SUFFIXES.join('|')})$`,
);

/**
 * The GetTables `Expression` that narrows the listing on Glue's side to a superset of the scratch
 * tables; the names are then matched exactly here. Written so that it means the same whether Glue
 * reads it as a regular expression or, Hive-style, turns each `*` into `.*` (`..*_tmp_..*`).
 */
export const SCRATCH_TABLES_EXPRESSION = '.*_tmp_.*';

/** GetTables answers at most 100 tables per page. */
const TABLES_PER_PAGE = 100;

/** One scratch table found in the catalog. */
export interface ScratchTable {
  name: string;
  source: SourceName;
  /** Glue's CreateTime (undefined when Glue gave none: its age is then unknown). */
  createTime: Date | undefined;
}

/** The source of a scratch table's name, or undefined when the name is not exactly a scratch table's. */
export function scratchTableSource(name: string): SourceName | undefined {
  const match = SCRATCH_TABLE_PATTERN.exec(name);
  return match ? (match[1] as SourceName) : undefined;
}

/** True when `name` is exactly the name of an Athena conversion's scratch table. */
export function isScratchTableName(name: string): boolean {
  return scratchTableSource(name) !== undefined;
}

/**
 * The scratch tables of a database (GetTables with `Expression`, every page through NextToken,
 * each call retried while Glue throttles), with their CreateTime. Only names that match
 * SCRATCH_TABLE_PATTERN exactly are kept, and views never (a CTAS makes an external table). A page
 * that repeats a NextToken fails instead of looping. Failures are CatalogErrors naming GetTables
 * and the database.
 */
export async function listScratchTables(
  client: GlueClient,
  database: string,
  retry?: Partial<ThrottleRetryOptions>,
): Promise<ScratchTable[]> {
  const request = {
    operation: 'GetTables',
    database,
    table: SCRATCH_TABLES_EXPRESSION,
    detail: 'the scratch tables of Athena conversions',
  };
  const found: ScratchTable[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const input: GetTablesCommandInput = {
      DatabaseName: database,
      Expression: SCRATCH_TABLES_EXPRESSION,
      MaxResults: TABLES_PER_PAGE,
      ...(token === undefined ? {} : { NextToken: token }),
    };
    const page = await sendGlue(retry, request, () => client.send(new GetTablesCommand(input)));
    for (const table of page.TableList ?? []) {
      const source = scratchTableSource(table.Name ?? '');
      if (source === undefined || table.TableType === 'VIRTUAL_VIEW') continue;
      found.push({ name: table.Name ?? '', source, createTime: table.CreateTime });
    }
    token = page.NextToken || undefined;
    if (token !== undefined) {
      if (seen.has(token))
        throw new CatalogError(
          `${describeGlueRequest(request)}: Glue gave a NextToken it had already given, so the listing would never end; it is not used half-read.`,
          { operation: request.operation, database, table: request.table },
        );
      seen.add(token);
    }
  } while (token !== undefined);
  return found;
}

/** What the orphan sweep needs of the catalog: the scratch tables listed, tables dropped. */
export interface ScratchTableCatalog extends Pick<GlueCatalog, 'deleteTables'> {
  listScratchTables(database: string): Promise<ScratchTable[]>;
}

/**
 * Binds listScratchTables to a Glue client; drops go through the catalog's `deleteTables`
 * (BatchDeleteTable): `scratchTableCatalog(glue, createGlueCatalog(glue))`.
 */
export function scratchTableCatalog(
  client: GlueClient,
  catalog: Pick<GlueCatalog, 'deleteTables'>,
  retry?: Partial<ThrottleRetryOptions>,
): ScratchTableCatalog {
  return {
    listScratchTables: (database) => listScratchTables(client, database, retry),
    deleteTables: (database, tables) => catalog.deleteTables(database, tables),
  };
}
