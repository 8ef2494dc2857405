import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WRITERS } from '../../shared/demo/seed-demo.js';
import { SOURCES } from '../../shared/sources/index.js';
import type { LogSource, ScalarType, SourceName } from '../../shared/sources/types.js';
import { engineSuite } from '../fixtures/engine-suite.js';

/*
 * Property: whatever a line holds, the DuckDB engine turns it into exactly one row or exactly one
 * reject — never both, never neither. Batches mix valid records (realistic demo records whose
 * string and integer fields are replaced by random values), records with one field corrupted
 * (must be rejected, at their line number), very long fields, and random text or bytes.
 */

const PLACE = { account: '012345678901', region: 'us-east-1', date: '2024-01-05' };
const RUNS = 3;

/** Characters that fit every field piece of every source (no delimiter, quote, backslash, bracket). */
const SAFE_CHARS = [...'abcXYZ019_-./:;=?&%@+,!~*()é中文Ωß😀'];

/** A field value that every piece reads back as itself: non-empty and never the null token. */
const safeText = (maxLength: number) =>
  fc.array(fc.constantFrom(...SAFE_CHARS), { minLength: 1, maxLength }).map((chars) => `v${chars.join('')}`);

/** A garbage line: any text or bytes but the line break (the one separator the format knows). */
const garbageLine = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text.replace(/[\r\n]/g, ' '))),
  fc.string({ unit: 'grapheme', maxLength: 80 }).map((text) => Buffer.from(text.replace(/[\r\n]/g, '\t'))),
  fc
    .uint8Array({ maxLength: 120 })
    .map((bytes) => Buffer.from(bytes.map((byte) => (byte === 10 || byte === 13 ? 32 : byte)))),
  fc
    .constantFrom('"', '""', '"\\"', '   ', '\t\t', '-', '- - -', '#', '\\', "'; DROP TABLE x; --")
    .map((text) => Buffer.from(text)),
);

/** A value a column of this type reads back; undefined for types the test leaves as delivered. */
function randomValue(type: ScalarType): fc.Arbitrary<{ text: string; value: unknown }> | undefined {
  if (type === 'string') return safeText(40).map((text) => ({ text, value: text }));
  if (type === 'int')
    return fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((n) => ({ text: String(n), value: n }));
  if (type === 'bigint')
    return fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map((n) => ({ text: String(n), value: n }));
  return undefined;
}

/** How a line of a text source is cut into fields: positions of each column's text. */
interface FieldSpan {
  column: string;
  type: ScalarType;
  start: number;
  end: number;
}

interface TextSource {
  source: LogSource;
  /** Lines before the records (header, comments). */
  preamble: string[];
  templates: string[];
  spans: (line: string) => FieldSpan[] | undefined;
}

/** Columns whose text a derivation reads (a timestamp's text must stay a timestamp). */
function derivationInputs(source: LogSource): Set<string> {
  const inputs = new Set<string>();
  for (const column of source.columns) {
    if (column.derive) inputs.add(column.derive.from);
    if (column.derive?.kind === 'date-and-time') inputs.add(column.derive.time);
  }
  return inputs;
}

function scalarTypeOf(source: LogSource, column: string): ScalarType | undefined {
  const type = source.columns.find((candidate) => candidate.name === column)?.type;
  return typeof type === 'string' ? type : undefined;
}

/** Field spans of a regex source's line, read with the source's own pattern (`d`: group indices). */
function regexSpans(source: LogSource): (line: string) => FieldSpan[] | undefined {
  if (source.format.kind !== 'regex') throw new TypeError(source.name);
  const { groups } = source.format;
  const pattern = new RegExp(source.format.pattern, 'd');
  return (line) => {
    const indices = pattern.exec(line)?.indices;
    if (!indices) return undefined;
    return groups.flatMap((group, index) => {
      const span = indices[index + 1];
      const type = scalarTypeOf(source, group.column);
      return span && type ? [{ column: group.column, type, start: span[0], end: span[1] }] : [];
    });
  };
}

/** Field spans of a delimited source's line under the header's field names. */
function delimitedSpans(source: LogSource, headers: string[]): (line: string) => FieldSpan[] | undefined {
  if (source.format.kind !== 'header-delimited') throw new TypeError(source.name);
  const { delimiter, fields } = source.format;
  return (line) => {
    const values = line.split(delimiter);
    if (values.length !== headers.length) return undefined;
    const spans: FieldSpan[] = [];
    let at = 0;
    values.forEach((value, index) => {
      const field = fields.find((candidate) => candidate.header === headers[index]);
      if (field && typeof field.type === 'string')
        spans.push({ column: field.name, type: field.type, start: at, end: at + value.length });
      at += value.length + delimiter.length;
    });
    return spans;
  };
}

/** The text of every object a demo generator writes for one day, gunzipped. */
async function demoTexts(dir: string, name: SourceName): Promise<string[]> {
  const root = join(dir, `demo-${name}`);
  await DEMO_WRITERS[name](root, {
    ...PLACE,
    region: name === 'cloudfront' ? 'global' : PLACE.region,
    scale: 0.05,
  });
  const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((entry) =>
    entry.isFile(),
  );
  const texts: string[] = [];
  for (const file of files) {
    const body = await readFile(join(file.parentPath, file.name));
    texts.push((body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString('utf8'));
    expect(relative(root, join(file.parentPath, file.name))).not.toMatch(/^\.\./);
  }
  return texts;
}

async function textSource(dir: string, name: SourceName): Promise<TextSource> {
  const source = SOURCES[name];
  const lines = (await demoTexts(dir, name))[0]?.split('\n').filter((line) => line !== '') ?? [];
  if (source.format.kind === 'regex')
    return { source, preamble: [], templates: lines.slice(0, 40), spans: regexSpans(source) };
  if (name === 'vpc_flow') {
    const [header = '', ...records] = lines;
    return {
      source,
      preamble: [header],
      templates: records.slice(0, 40),
      spans: delimitedSpans(source, header.split(' ')),
    };
  }
  const comments = lines.filter((line) => line.startsWith('#'));
  const fieldsLine = comments.find((line) => line.startsWith('#Fields:')) ?? '';
  return {
    source,
    preamble: comments,
    templates: lines.filter((line) => !line.startsWith('#')).slice(0, 40),
    spans: delimitedSpans(source, fieldsLine.slice('#Fields:'.length).trim().split(' ')),
  };
}

/** One generated line and what it must become. */
type Planned =
  | { kind: 'valid'; text: string; marker: string; expected: Record<string, unknown> }
  | { kind: 'corrupt'; text: string }
  | { kind: 'garbage'; bytes: Buffer }
  | { kind: 'blank' };

/** Replaces field spans of a line (right to left, so earlier positions stay valid). */
function splice(line: string, replacements: { span: FieldSpan; text: string }[]): string {
  let out = line;
  for (const { span, text } of [...replacements].sort((a, b) => b.span.start - a.span.start))
    out = out.slice(0, span.start) + text + out.slice(span.end);
  return out;
}

/** A valid record: a template whose eligible string and integer fields get random values. */
function validLine(text: TextSource, index: number, long: boolean): fc.Arbitrary<Planned> {
  const inputs = derivationInputs(text.source);
  return fc.constantFrom(...text.templates).chain((template) => {
    const spans = (text.spans(template) ?? []).filter(
      (span) =>
        span.end > span.start &&
        !inputs.has(span.column) &&
        template.slice(span.start, span.end) !== '-' &&
        randomValue(span.type) !== undefined,
    );
    const [markerSpan] = spans.filter((span) => span.type === 'string');
    if (!markerSpan) throw new Error(`${text.source.name}: no string field to mark`);
    return fc
      .tuple(
        ...spans.map((span) => fc.option(randomValue(span.type) ?? fc.constant({ text: '', value: '' }))),
      )
      .chain((values) =>
        fc.constant(null).map(() => {
          const marker = `⟦${index}⟧${long ? 'L'.repeat(20_000) : ''}`;
          const replacements = spans.flatMap((span, at) => {
            if (span === markerSpan) return [{ span, text: marker, value: marker as unknown }];
            const value = values[at];
            return value ? [{ span, text: value.text, value: value.value }] : [];
          });
          const line = splice(template, replacements);
          // The new line must still read each value back (else it is no valid record of the format).
          const reread = text.spans(line);
          const expected = Object.fromEntries(replacements.map(({ span, value }) => [span.column, value]));
          const ok =
            reread !== undefined &&
            replacements.every(({ span, text: value }) =>
              reread.some((r) => r.column === span.column && line.slice(r.start, r.end) === value),
            );
          return ok
            ? ({ kind: 'valid', text: line, marker, expected } as Planned)
            : ({ kind: 'blank' } as Planned);
        }),
      );
  });
}

/** A record with one integer field made non-numeric, or (delimited) one field too few. */
function corruptLine(text: TextSource): fc.Arbitrary<Planned> {
  const integerSpans = (template: string) =>
    (text.spans(template) ?? []).filter(
      (span) =>
        (span.type === 'int' || span.type === 'bigint') && template.slice(span.start, span.end) !== '-',
    );
  const templates = text.templates.filter((template) => integerSpans(template).length > 0);
  return fc.tuple(fc.constantFrom(...templates), fc.nat(), fc.boolean()).map(([template, pick, drop]) => {
    const spans = integerSpans(template);
    const format = text.source.format;
    // A first-line header is exact (CloudFront's directive lets trailing fields be absent: NULL).
    if (drop && format.kind === 'header-delimited' && format.header.kind === 'first-line') {
      const values = template.split(format.delimiter);
      values.splice(pick % values.length, 1);
      return { kind: 'corrupt', text: values.join(format.delimiter) };
    }
    const span = spans[pick % spans.length];
    if (!span) throw new Error(`${text.source.name}: no integer field to corrupt`);
    return { kind: 'corrupt', text: splice(template, [{ span, text: `x7${pick % 97}` }]) };
  });
}

function batch(text: TextSource): fc.Arbitrary<Planned[]> {
  const line = (index: number) =>
    fc.oneof(
      { weight: 6, arbitrary: validLine(text, index, false) },
      { weight: 1, arbitrary: validLine(text, index, index % 97 === 5) },
      { weight: 2, arbitrary: corruptLine(text) },
      { weight: 2, arbitrary: garbageLine.map((bytes): Planned => ({ kind: 'garbage', bytes })) },
      { weight: 1, arbitrary: fc.constant<Planned>({ kind: 'blank' }) },
    );
  return fc
    .integer({ min: 150, max: 300 })
    .chain((size) => fc.tuple(...Array.from({ length: size }, (_, index) => line(index))));
}

const bytesOf = (planned: Planned): Buffer =>
  planned.kind === 'garbage' ? planned.bytes : Buffer.from(planned.kind === 'blank' ? '' : planned.text);

/** Is a garbage line blank to the engine (empty: neither row nor reject)? */
const isBlank = (bytes: Buffer) => bytes.length === 0;

describe('property: every parsed line is a row or a reject, never both, never dropped', () => {
  const suite = engineSuite('property-parsers-');
  const texts = new Map<SourceName, TextSource>();

  beforeAll(async () => {
    for (const name of ['s3_access', 'alb', 'elb', 'vpc_flow', 'cloudfront'] as const)
      texts.set(name, await textSource(suite.dir, name));
  });

  it.each(['s3_access', 'alb', 'elb', 'vpc_flow', 'cloudfront'] as const)('%s', async (name) => {
    const text = texts.get(name);
    if (!text) throw new Error(name);
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(batch(text), async (planned) => {
        const preamble = text.preamble.map((line) => Buffer.from(`${line}\n`));
        // CloudFront's comment lines are neither rows nor rejects: garbage starting with `#` is one.
        const lines = planned.map(bytesOf);
        const recordLines = lines.filter(
          (bytes) => !isBlank(bytes) && !(name === 'cloudfront' && bytes[0] === 0x23),
        ).length;
        const content = Buffer.concat([...preamble, ...lines.flatMap((bytes) => [bytes, Buffer.from('\n')])]);
        const { result, output } = await suite.harness.convert(
          [{ key: `${name}-batch.log`, content }],
          { ...PLACE, region: name === 'cloudfront' ? 'global' : PLACE.region },
          text.source,
        );

        const first = preamble.length + 1;
        const lineOf = (index: number) => first + index;
        const rejected = result.rejects.map((reject) => reject.line);
        expect(result.rowsIn).toBe(recordLines);
        expect(result.rowsOut + result.rowsRejected).toBe(result.rowsIn);
        expect(result.rejects).toHaveLength(result.rowsRejected);
        expect(new Set(rejected).size).toBe(rejected.length);
        const corrupt = planned.flatMap((p, index) => (p.kind === 'corrupt' ? [lineOf(index)] : []));
        const valid = planned.flatMap((p, index) => (p.kind === 'valid' ? [lineOf(index)] : []));
        const garbage = planned.flatMap((p, index) =>
          p.kind === 'garbage' && !isBlank(p.bytes) ? [lineOf(index)] : [],
        );
        // Rejects are exactly the corrupted lines plus some of the garbage: no valid line, no blank.
        const textAt = (line: number) => bytesOf(planned[line - first] ?? { kind: 'blank' }).toString();
        expect(JSON.stringify(corrupt.filter((line) => !rejected.includes(line)).map(textAt))).toBe('[]');
        expect(rejected.filter((line) => !corrupt.includes(line) && !garbage.includes(line))).toEqual([]);
        expect(
          result.rejects.every((reject) => reject.key === `${name}-batch.log` && reject.reason !== ''),
        ).toBe(true);

        // Valid records come out with their values, each once.
        const rows = result.rowsOut === 0 ? [] : await suite.reader.parquetRows(output);
        expect(rows).toHaveLength(result.rowsOut);
        const marked = planned.filter((p): p is Extract<Planned, { kind: 'valid' }> => p.kind === 'valid');
        expect(marked).toHaveLength(valid.length);
        for (const record of marked) {
          const column = Object.keys(record.expected).find((name) => record.expected[name] === record.marker);
          const matches = rows.filter((row) => column !== undefined && row[column] === record.marker);
          expect(matches).toHaveLength(1);
          expect(matches[0]).toMatchObject(record.expected);
        }
        checked += 1;
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(checked).toBe(RUNS);
  });
});

/** CloudTrail string fields given random values (any unicode: JSON escapes it), eventName is the marker. */
const CLOUDTRAIL_STRINGS = [
  ['eventSource', 'eventsource'],
  ['awsRegion', 'awsregion'],
  ['sourceIPAddress', 'sourceipaddress'],
  ['userAgent', 'useragent'],
  ['errorMessage', 'errormessage'],
  ['eventID', 'eventid'],
] as const;

type PlannedRecord =
  | { kind: 'valid'; record: Record<string, unknown>; marker: string; expected: Record<string, unknown> }
  | { kind: 'corrupt'; record: unknown }
  | { kind: 'garbage'; record: unknown };

describe('property: every CloudTrail record is a row or a reject, never both, never dropped', () => {
  const suite = engineSuite('property-cloudtrail-');
  let templates: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const [text = ''] = await demoTexts(suite.dir, 'cloudtrail');
    templates = (JSON.parse(text) as { Records: Record<string, unknown>[] }).Records.slice(0, 40);
  });

  it('cloudtrail', async () => {
    const anyText = fc.string({ unit: 'binary', minLength: 1, maxLength: 60 });
    const valid = (index: number) =>
      fc
        .tuple(fc.nat(), fc.tuple(...CLOUDTRAIL_STRINGS.map(() => fc.option(anyText))), fc.boolean())
        .map(([pick, values, long]): PlannedRecord => {
          const record = { ...templates[pick % templates.length] };
          const marker = `⟦${index}⟧${long && index % 50 === 7 ? 'L'.repeat(20_000) : ''}`;
          const expected: Record<string, unknown> = { eventname: marker };
          record.eventName = marker;
          CLOUDTRAIL_STRINGS.forEach(([key, column], at) => {
            const value = values[at];
            if (value === null || value === undefined) return;
            record[key] = value;
            expected[column] = value;
          });
          return { kind: 'valid', record, marker, expected };
        });
    const corrupt = fc
      .tuple(fc.nat(), fc.constantFrom('eventTime', 'eventSource', 'eventName', 'not-an-object', 'bad-time'))
      .map(([pick, how]): PlannedRecord => {
        const record: Record<string, unknown> = { ...templates[pick % templates.length] };
        if (how === 'not-an-object') return { kind: 'corrupt', record: [record] };
        if (how === 'bad-time') record.eventTime = `x7${pick % 97}`;
        else delete record[how];
        return { kind: 'corrupt', record };
      });
    const garbage = fc
      .jsonValue({ maxDepth: 3 })
      .map((record): PlannedRecord => ({ kind: 'garbage', record }));
    const records = fc
      .integer({ min: 150, max: 300 })
      .chain((size) =>
        fc.tuple(
          ...Array.from({ length: size }, (_, index) =>
            fc.oneof(
              { weight: 7, arbitrary: valid(index) },
              { weight: 2, arbitrary: corrupt },
              { weight: 1, arbitrary: garbage },
            ),
          ),
        ),
      );
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(records, async (planned) => {
        const document = JSON.stringify({ Records: planned.map((p) => p.record) });
        const { result, output } = await suite.harness.convert(
          [{ key: 'trail.json.gz', content: gzipSync(document) }],
          PLACE,
          SOURCES.cloudtrail,
        );
        const rejected = result.rejects.map((reject) => reject.line);
        const lineOf = (index: number) => index + 1;
        const corruptLines = planned.flatMap((p, index) => (p.kind === 'corrupt' ? [lineOf(index)] : []));
        const garbageLines = planned.flatMap((p, index) => (p.kind === 'garbage' ? [lineOf(index)] : []));
        expect(result.rowsIn).toBe(planned.length);
        expect(result.rowsOut + result.rowsRejected).toBe(planned.length);
        expect(result.rejects).toHaveLength(result.rowsRejected);
        expect(new Set(rejected).size).toBe(rejected.length);
        expect(corruptLines.filter((line) => !rejected.includes(line))).toEqual([]);
        expect(
          rejected.filter((line) => !corruptLines.includes(line) && !garbageLines.includes(line)),
        ).toEqual([]);
        const rows = result.rowsOut === 0 ? [] : await suite.reader.parquetRows(output);
        expect(rows).toHaveLength(result.rowsOut);
        for (const p of planned) {
          if (p.kind !== 'valid') continue;
          const matches = rows.filter((row) => row.eventname === p.marker);
          expect(matches).toHaveLength(1);
          expect(matches[0]).toMatchObject(p.expected);
        }
        checked += 1;
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(checked).toBe(RUNS);
  });
});
