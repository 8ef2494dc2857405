import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConvertResult } from '../../shared/engines/types.js';
import { SOURCES } from '../../shared/sources/index.js';
import type { Column, ScalarType } from '../../shared/sources/types.js';
import { derivedValue } from '../../shared/sql/duckdb-parse-lines.js';
import { duckdbType } from '../../shared/sql/duckdb-types.js';
import { quoteLiteral } from '../../shared/sql/identifiers.js';
import type { DuckDBReader } from '../fixtures/duckdb-reader.js';
import type { EngineHarness } from '../fixtures/engine-harness.js';
import type { ParityCase } from './parity-cases.js';

/** What the embedded engine made of one case, for the Python test to compare with its own result. */
export interface CaseExpectation {
  name: string;
  source: string;
  partition: { account: string; region: string; date: string };
  /** Object keys and the files holding their exact bytes. */
  objects: { key: string; file: string }[];
  /** Rows as DuckDB's to_json writes them (every column of the source; absent ones null). */
  rows: unknown[];
  rejects: { key: string; line: number; reason: string; text: string }[];
  counts: Omit<ConvertResult, 'rejects'>;
}

/** Runs the embedded engine over a case and writes the objects and its results below `dir`. */
export async function expectationOf(
  harness: EngineHarness,
  duck: DuckDBReader,
  parity: ParityCase,
  dir: string,
  index: number,
): Promise<CaseExpectation> {
  const source = SOURCES[parity.source];
  const { result, output } = await harness.convert(
    parity.objects.map(({ key, content }) => ({ key, content })),
    parity.partition,
    source,
  );
  const folder = join(dir, `case-${index}`);
  await mkdir(folder, { recursive: true });
  const objects = await Promise.all(
    parity.objects.map(async (object, at) => {
      const file = join(folder, `object-${at}`);
      await writeFile(file, object.content);
      return { key: object.key, file };
    }),
  );
  const json = await duck.rows(
    `SELECT to_json(t)::VARCHAR AS j FROM read_parquet(${quoteLiteral(output)}) t`,
  );
  // Flow-log files carry only the columns some object had: the others read as NULL anywhere.
  const rows = json.map((row) => ({
    ...Object.fromEntries(source.columns.map((column) => [column.name, null])),
    ...(JSON.parse(String(row.j)) as Record<string, unknown>),
  }));
  const { rejects, ...counts } = result;
  return {
    name: parity.name,
    source: parity.source,
    partition: parity.partition,
    objects,
    rows,
    rejects,
    counts,
  };
}

/** One typed-conversion probe: DuckDB's value for a text, rendered as VARCHAR (null: no value). */
export interface CastProbe {
  kind: string;
  text: string;
  value: string | null;
}

/**
 * Texts each conversion of the embedded engine is asked about: the forms logs hold, and the edge
 * forms (spaces, signs, exponents, out-of-range values, impossible dates) where engines differ.
 */
const PROBES: Record<string, string[]> = {
  int: [
    '1',
    '+1',
    '-1',
    ' 1',
    '1 ',
    '1.0',
    '1e3',
    '2147483647',
    '2147483648',
    '-2147483648',
    '0001',
    '1_000',
    '٣',
    '',
    '-',
  ],
  bigint: [
    '9223372036854775807',
    '9223372036854775808',
    '-9223372036854775808',
    '000000000000000000000000042',
    '12.5',
  ],
  double: [
    '1',
    '1.',
    '.5',
    '1e3',
    '1E-3',
    'inf',
    '-inf',
    'nan',
    'NaN',
    'Infinity',
    ' 1',
    '1 ',
    '0x10',
    '1_000',
    '+1',
    '-',
    '1,5',
    '1e',
    'e1',
    '1.5e+2',
    '  ',
    '-0',
    '+.5',
    '1.2.3',
    '1d',
    '٣',
    '1e400',
    '1__0',
    '_1',
    '-1',
    '0.000',
    '15044',
  ],
  date: [
    '2019-12-04',
    '2019-12-4',
    '2019-1-04',
    '2019-02-30',
    ' 2019-12-04',
    '2019-12-04 ',
    '2019/12/04',
    '20191204',
    '2019-13-01',
  ],
  iso8601: [
    '2018-07-02T22:23:00.186641Z',
    '2018-07-02T22:23:00Z',
    '2018-07-02T22:23:00',
    '2018-07-02 22:23:00',
    '2018-07-02',
    '2018-07-02T22:23:00+01:00',
    '2018-07-02T22:23:00+0100',
    '2018-07-02T22:23:00+01',
    '2018-07-02T22:23:00.1234567Z',
    '2018-07-02T22:23:00.1234565Z',
    '2018-7-2T1:2:3Z',
    '2018-13-02T22:23:00Z',
    '2018-02-30T22:23:00Z',
    '2018-07-02T24:00:00Z',
    '2018-07-02T23:59:60Z',
    '2018-07-02t22:23:00z',
    ' 2018-07-02T22:23:00Z',
    '2018-07-02T22:23:00Z ',
    '2018-07-02T22:23:00 UTC',
    '2018-07-02T22:23:00.Z',
    '2018-07-02T22:23:00-00:30',
    '2018-07-02T22:23',
    '2018-07-02T22',
    'yesterday at noon',
    '-',
    '2016-08-10T22:08:42.945958Z',
    // Where an offset may stand: right after the seconds, or " UTC".
    '2018-07-02T22:23Z',
    '2018-07-02T22:23+01:00',
    '2018-07-02T22:23:00 +02:00',
    '2018-07-02T22:23:00 Z',
    '2018-07-02T22:23:00.5+02:00',
    '2018-07-02T22:23:00+02:30',
    '2018-07-02T22:23:00+2',
    '2018-07-02T22:23:00+02:3',
    '2018-07-02T22:23:00UTC',
    '2018-07-02 UTC',
    '2018-07-02Z',
    '2018-07-02T22:23:00Z+01',
    '2018-07-02T2:3:5Z',
  ],
  clf: [
    '06/Feb/2019:00:00:38 +0000',
    '06/Feb/2019:00:00:38 +0100',
    '6/Feb/2019:00:00:38 +0000',
    '06/feb/2019:00:00:38 +0000',
    '06/FEB/2019:00:00:38 +0000',
    '06/February/2019:00:00:38 +0000',
    '30/Feb/2019:00:00:38 +0000',
    '06/Feb/2019:24:00:38 +0000',
    '06/Feb/2019:00:00:38',
    '06/Feb/2019:00:00:38 Z',
    '06/Feb/2019:00:00:38 +00:00',
    '06/Feb/2019:00:00:38 -0530',
    ' 06/Feb/2019:00:00:38 +0000',
    '06/Feb/2019:00:00:38 +0000 ',
    '06/Feb/2019:0:0:38 +0000',
    '06/Feb/2019:00:00:60 +0000',
    '06/Feb/2019:00:00:38  +0000',
    '06/Feb/2019:00:00:38 UTC',
  ],
  time: [
    '21:00:00',
    '21:00',
    '21:00:00.5',
    '24:00:00',
    '23:59:60',
    '1:2:3',
    '21:00:00Z',
    ' 21:00:00',
    '21:00:00 ',
    '210000',
    '21:00:00.1234567',
    '25:61:00',
    '21:60:00',
  ],
};

const column = (name: string, type: ScalarType): Column => ({ name, type, description: name });

/** The DuckDB expression the engine uses for a conversion kind, over the text column `t`. */
function expressionOf(kind: string): string {
  switch (kind) {
    case 'int':
    case 'bigint':
    case 'double':
    case 'date':
      // Integers must also be written as integers (duckdb-parse-lines.ts, conversionFailed).
      return kind === 'double' || kind === 'date'
        ? `TRY_CAST(t AS ${duckdbType(kind)})`
        : `CASE WHEN regexp_full_match(t, '[+-]?[0-9]+') THEN TRY_CAST(t AS ${duckdbType(kind)}) END`;
    case 'iso8601':
      return derivedValue({ ...column('v', 'timestamp'), derive: { kind: 'iso8601-timestamp', from: 't' } });
    case 'clf':
      return derivedValue({ ...column('v', 'timestamp'), derive: { kind: 'clf-timestamp', from: 't' } });
    case 'time':
      return derivedValue({
        ...column('v', 'timestamp'),
        derive: { kind: 'date-and-time', from: 'd', time: 't' },
      });
    default:
      throw new RangeError(`no probe kind ${kind}`);
  }
}

/** DuckDB's answer for every probe, in the engine's session settings (UTC). */
export async function castProbes(duck: DuckDBReader): Promise<CastProbe[]> {
  const probes: CastProbe[] = [];
  for (const [kind, texts] of Object.entries(PROBES)) {
    const values = texts.map((text) => `(${quoteLiteral(text)})`).join(', ');
    const rows = await duck.rows(
      `SELECT t, (${expressionOf(kind)})::VARCHAR AS v FROM (SELECT t, DATE '2019-12-04' AS d FROM (VALUES ${values}) AS p(t))`,
    );
    for (const row of rows)
      probes.push({ kind, text: String(row.t), value: row.v === null ? null : String(row.v) });
  }
  return probes;
}
