import { UsageError } from '../../errors.js';
import { KEY_PIECES } from '../../sources/key-layouts.js';
import type { KeyLayout, LogSource, PartitionColumn } from '../../sources/types.js';
import { createTableSql } from './create-table.js';
import { rawColumns, rawStorage, rawTableSql } from './raw-table.js';
import { folderUrl, manifestsLocation, rawTableName, type AthenaTarget } from './tables.js';

export interface ProjectionOptions extends AthenaTarget {
  /** Accounts to project (an `enum`); without them the account is `injected`: queries must name it. */
  accounts?: readonly string[];
  /** Regions to project (an `enum`); without them the region is `injected`. */
  regions?: readonly string[];
  /** The organization level of an organization trail's keys (`o-…`), when the logs have one. */
  organizationId?: string;
  /** The key layout to project (default: the first layout of the source that can be projected). */
  layout?: string;
  /** Years the projection covers (default 2013–2099: before CloudTrail's launch, and far ahead). */
  years?: { first: number; last: number };
}

/** A partition-projection table, or — for layouts Athena cannot project — why not, and the manifest-based table. */
export type ProjectionDdl =
  | { kind: 'projection'; layout: string; sql: string }
  | { kind: 'manifest'; explanation: string; sql: string };

const PIECE_COLUMNS: readonly (readonly [string, PartitionColumn])[] = [
  [KEY_PIECES.account, 'account'],
  [KEY_PIECES.region, 'region'],
  [KEY_PIECES.year, 'year'],
  [KEY_PIECES.month, 'month'],
  [KEY_PIECES.day, 'day'],
];

/** The folder names of a pattern's text: split at each `/` outside a character class. */
function folderNames(text: string): string[] {
  const names = [''];
  let inClass = false;
  for (let at = 0; at < text.length; at += 1) {
    const char = text.charAt(at);
    if (char === '\\') {
      names[names.length - 1] += text.slice(at, at + 2);
      at += 1;
      continue;
    }
    if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
    if (char === '/' && !inClass) names.push('');
    else names[names.length - 1] += char;
  }
  return names;
}

/** Text glued to the next name after the free prefix (S3 access logs: `logs/mybucket-`). */
const GLUED_PREFIX = '[^/]*';

/** What is left of a pattern once its pieces are replaced must be literal text: no regex syntax. */
const REGEX_SYNTAX = /[\\^$.|?*+()[\]{}]/;

/** A pattern as written: `RegExp.source` spells `/` as `\/`, which the pieces do not. */
function patternText(pattern: RegExp): string {
  return pattern.source.replace(/\\(.)/g, (escape: string, char: string) => (char === '/' ? '/' : escape));
}

type Template = { ok: true; template: string; fixedRegion?: string } | { ok: false; reason: string };

/**
 * The folder of one day of a key layout, relative to the raw root, with `${account}`,
 * `${region}`, `${year}`, `${month}` and `${day}` in place of its groups — read off the layout's
 * own pattern, so the template never disagrees with the key matching. Fails (with the reason)
 * when the key names no account, has the date only in the file name, or has a folder that
 * varies before the day (S3 access logs' source bucket level).
 */
export function layoutTemplate(layout: KeyLayout, organizationId?: string): Template {
  let text = patternText(layout.pattern).replace(/^\^/, '');
  // Free folders and a prefix that may end inside the next name: what the raw root names.
  if (text.startsWith(KEY_PIECES.anyPrefix)) text = text.slice(KEY_PIECES.anyPrefix.length);
  if (text.startsWith(GLUED_PREFIX)) text = text.slice(GLUED_PREFIX.length);
  text = text.replace(KEY_PIECES.orgLevel, organizationId === undefined ? '' : `${organizationId}/`);
  const problems: string[] = [];
  if (layout.groups.account === undefined)
    problems.push('its keys name no account (it comes from configuration)');
  if (layout.groups.region === undefined && layout.fixedRegion === undefined)
    problems.push('its keys name no region (it comes from configuration)');
  const dayAt = text.indexOf(KEY_PIECES.day);
  if (dayAt === -1) problems.push('its keys hold no day');
  else if (!text.startsWith('/', dayAt + KEY_PIECES.day.length))
    problems.push('the date is only in the file name, not in a folder');
  if (problems.length) return { ok: false, reason: problems.join(', and ') };
  let folder = `${text.slice(0, dayAt + KEY_PIECES.day.length)}/`;
  const found = PIECE_COLUMNS.filter(([piece]) => folder.includes(piece));
  const groupOrder = found.map(([, column]) => layout.groups[column] ?? 0);
  if (groupOrder.some((group, index) => index > 0 && group <= (groupOrder[index - 1] ?? 0)))
    return { ok: false, reason: 'its groups are not in key order' };
  for (const [piece, column] of found) folder = folder.replace(piece, `\${${column}}`);
  const hasRegion = found.some(([, column]) => column === 'region');
  if (!found.some(([, column]) => column === 'account') || (!hasRegion && layout.fixedRegion === undefined))
    return { ok: false, reason: 'its account or region is not a folder before the day' };
  const literal = (segment: string) => segment.replace(/\$\{[a-z]+\}/g, '').replace(/\\\./g, '.');
  const varying = folderNames(folder).find((segment) => REGEX_SYNTAX.test(literal(segment)));
  if (varying !== undefined)
    return { ok: false, reason: `a folder before the day varies ("${varying}" in the key pattern)` };
  return {
    ok: true,
    template: folder.replace(/\\\./g, '.'),
    ...(hasRegion ? {} : { fixedRegion: layout.fixedRegion }),
  };
}

const ACCOUNT = /^[0-9]{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-[0-9]+$/;
const ORGANIZATION = /^o-[a-z0-9]{10,32}$/;

function checkedList(values: readonly string[], pattern: RegExp, what: string): string {
  const bad = values.find((value) => !pattern.test(value));
  if (bad !== undefined || values.length === 0)
    throw new UsageError(
      `${what} must be a non-empty list of valid values${bad === undefined ? '' : `, not "${bad}"`}.`,
      {
        field: what,
      },
    );
  return values.join(',');
}

function enumOrInjected(column: PartitionColumn, values: string | undefined): [string, string][] {
  return values === undefined
    ? [[`projection.${column}.type`, 'injected']]
    : [
        [`projection.${column}.type`, 'enum'],
        [`projection.${column}.values`, values],
      ];
}

function projectionProperties(
  options: ProjectionOptions,
  template: string,
  fixedRegion?: string,
): [string, string][] {
  const years = options.years ?? { first: 2013, last: 2099 };
  if (
    !Number.isInteger(years.first) ||
    !Number.isInteger(years.last) ||
    years.first > years.last ||
    years.first < 1000
  )
    throw new UsageError(
      `The projected years must be whole numbers, first ≤ last, not ${years.first}–${years.last}.`,
    );
  const accounts = options.accounts && checkedList(options.accounts, ACCOUNT, 'The projected accounts');
  const regions =
    fixedRegion ?? (options.regions && checkedList(options.regions, REGION, 'The projected regions'));
  return [
    ['projection.enabled', 'true'],
    ...enumOrInjected('account', accounts),
    ...enumOrInjected('region', regions),
    ['projection.year.type', 'integer'],
    ['projection.year.range', `${years.first},${years.last}`],
    ['projection.month.type', 'integer'],
    ['projection.month.range', '1,12'],
    ['projection.month.digits', '2'],
    ['projection.day.type', 'integer'],
    ['projection.day.range', '1,31'],
    ['projection.day.digits', '2'],
    ['storage.location.template', template],
  ];
}

/**
 * The partition-projection variant of `<source>_raw`: the same columns and SerDe, with Athena
 * computing each partition's folder from `storage.location.template` (built from the source's
 * key layout) instead of the catalog holding it. Account and region are `enum` (given values) or
 * `injected`; year, month and day are integer ranges (two digits for month and day). A source
 * whose layouts have no day folder (flat: S3 access logs' simple prefix, CloudFront) cannot be
 * projected: the result says why and holds the manifest-based table instead.
 */
export function projectionTableSql(source: LogSource, options: ProjectionOptions): ProjectionDdl {
  if (options.organizationId !== undefined && !ORGANIZATION.test(options.organizationId))
    throw new UsageError(
      `"${options.organizationId}" is not an organization id (o- and 10–32 letters or digits).`,
    );
  const layouts =
    options.layout === undefined ? source.layouts : source.layouts.filter((l) => l.name === options.layout);
  if (layouts.length === 0)
    throw new UsageError(
      `${source.name} has no key layout "${options.layout}": its layouts are ${source.layouts.map((l) => l.name).join(', ')}.`,
    );
  const reasons: string[] = [];
  for (const layout of layouts) {
    const template = layoutTemplate(layout, options.organizationId);
    if (!template.ok) {
      reasons.push(`layout "${layout.name}": ${template.reason}`);
      continue;
    }
    const raw = folderUrl(options.raw, 'The raw location');
    const storage = rawStorage(source, 'folders');
    const sql = createTableSql({
      database: options.database,
      table: rawTableName(source),
      comment: `${source.title} as delivered, partitions projected from the ${layout.name} key layout (${source.reference})`,
      columns: rawColumns(source),
      rowFormat: storage.rowFormat,
      storedAs: storage.storedAs,
      location: raw,
      properties: [
        ...storage.properties,
        ...projectionProperties(options, `${raw}${template.template}`, template.fixedRegion),
      ],
    });
    return { kind: 'projection', layout: layout.name, sql };
  }
  const explanation =
    `${source.name} cannot use partition projection: ${reasons.join('; ')}. Athena projects ` +
    `partitions onto folders named by their values, so here is the manifest-based table instead: ` +
    `each partition's folder under ${manifestsLocation(source, options)} holds a symlink manifest ` +
    `naming that day's raw objects (register them with MSCK REPAIR TABLE, or ALTER TABLE … ADD PARTITION).`;
  return { kind: 'manifest', explanation, sql: rawTableSql(source, { ...options, input: 'manifest' }) };
}
