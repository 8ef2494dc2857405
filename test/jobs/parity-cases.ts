import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PartitionRef } from '../../shared/engines/types.js';
import type { SourceName } from '../../shared/sources/types.js';

/** The shared fixtures of every source (test/fixtures/logs/<source>/). */
export const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'logs');

/** One raw object, exactly as both engines receive it. */
export interface ParityObject {
  key: string;
  content: Buffer;
}

/** Objects of one partition of one source: one conversion by each engine. */
export interface ParityCase {
  name: string;
  source: SourceName;
  partition: PartitionRef;
  objects: ParityObject[];
}

const partition = (region: string): PartitionRef => ({
  account: '123456789012',
  region,
  date: '2026-03-10',
});

function fixtureFiles(source: SourceName): string[] {
  return readdirSync(join(FIXTURES, source))
    .filter((name) => name.endsWith('.log') || name.endsWith('.json'))
    .sort();
}

const fixture = (source: SourceName, name: string): Buffer => readFileSync(join(FIXTURES, source, name));
const firstLineOf = (source: SourceName, name: string): string =>
  fixture(source, name).toString('utf8').split('\n')[0] ?? '';

/**
 * Lines the embedded engine's stager screens before parsing, around one good record: CRLF
 * endings, blank lines (LF and CRLF), a NUL byte, a carriage return inside a line, invalid UTF-8
 * (not for flow logs: DuckDB's CSV reader fails fatally on it, see jobs/README.md), the unit
 * separator, a line over 1 MiB, a line that matches nothing, and a last line without its newline.
 */
function screenedLines(good: string, delimiter = ' ', invalidUtf8 = true): Buffer {
  const half = Math.floor(good.length / 2);
  return Buffer.concat([
    Buffer.from(`${good}\r\n\n\r\n`),
    Buffer.from(`${good.slice(0, half)}\u0000${good.slice(half)}\n`),
    Buffer.from(`${good.slice(0, half)}\r${good.slice(half)}\n`),
    ...(invalidUtf8 ? [Buffer.from(good), Buffer.from([0xff, 0xfe, 0x0a])] : []),
    Buffer.from(`${good.slice(0, half)}\u001f${good.slice(half)}\n`),
    Buffer.from(`${'x'.repeat(1_048_577)}\n`),
    Buffer.from(`not a record${delimiter}at all\n`),
    Buffer.from(good),
  ]);
}

/** Each fixture file as AWS delivers that source (gzip or plain), plus objects of screened lines. */
function lineSourceCases(source: 's3_access' | 'alb' | 'elb', gzip: boolean): ParityCase[] {
  const files = fixtureFiles(source);
  const objects = files.map((name) => {
    const content = fixture(source, name);
    return { key: `${source}/${name}${gzip ? '.gz' : ''}`, content: gzip ? gzipSync(content) : content };
  });
  const good = firstLineOf(source, files[0] ?? '');
  objects.push({ key: `${source}/screened.log`, content: screenedLines(good) });
  // An empty quoted field ("") is NULL, as `-` is.
  objects.push({
    key: `${source}/empty-quoted.log`,
    content: Buffer.from(good.replace(/"[^"]*"([^"]*)$/, '""$1')),
  });
  return [{ name: `${source} fixtures`, source, partition: partition('us-east-1'), objects }];
}

function cloudfrontCases(): ParityCase[] {
  const objects = fixtureFiles('cloudfront').map((name) => ({
    key: `cloudfront/EMLARXS9EXAMPLE.2026-03-10-08.${name.replace(/[^A-Za-z0-9]/g, '')}.gz`,
    content: gzipSync(fixture('cloudfront', name)),
  }));
  const [version, fields, record] = fixture('cloudfront', 'aws-doc-example.log').toString('utf8').split('\n');
  objects.push({
    key: 'cloudfront/EMLARXS9EXAMPLE.2026-03-10-09.screened',
    content: Buffer.concat([
      Buffer.from(`${version}\n${fields}\n# a comment between records\n`),
      screenedLines(record ?? '', '\t'),
    ]),
  });
  // A record with a value that does not convert (sc-status), and one with a bad time of day.
  const cells = (record ?? '').split('\t');
  const withStatus = [...cells.slice(0, 8), '2OO', ...cells.slice(9)].join('\t');
  const withTime = [cells[0], '25:61:00', ...cells.slice(2)].join('\t');
  objects.push({
    key: 'cloudfront/EMLARXS9EXAMPLE.2026-03-10-10.typed',
    content: Buffer.from(`${version}\n${fields}\n${withStatus}\n${withTime}\n`),
  });
  return [{ name: 'cloudfront fixtures', source: 'cloudfront', partition: partition('global'), objects }];
}

/** CloudTrail documents: compact and gzip (as delivered) or pretty-printed, and broken documents. */
function cloudtrailCases(): ParityCase[] {
  const objects: ParityObject[] = fixtureFiles('cloudtrail').flatMap((name) => {
    const text = fixture('cloudtrail', name).toString('utf8');
    const compact = JSON.stringify(JSON.parse(text) as unknown);
    return [
      { key: `cloudtrail/compact/${name}.gz`, content: gzipSync(compact) },
      { key: `cloudtrail/pretty/${name}`, content: Buffer.from(text) },
    ];
  });
  const good = {
    eventVersion: '1.08',
    eventTime: '2026-03-10T08:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    requestParameters: { bucketName: 'b', '10': 1e21, '2': 0.5, big: 'BIG', ctrl: '\u0001\n' },
    readOnly: false,
    userIdentity: 'not an object',
    resources: [{ ARN: 'arn:aws:s3:::b', type: 'AWS::S3::Bucket' }, 'not an object'],
  };
  // An integer beyond 2^53 as AWS may write it (JavaScript reads it as the nearest double).
  const records = (list: unknown[]) =>
    JSON.stringify({ Records: list }).replaceAll('"BIG"', '12345678901234567890');
  const broken: [string, string | Buffer][] = [
    ['bom.json', `\uFEFF${records([good])}`],
    ['not-json.json', '{"Records": [}'],
    ['nan.json', '{"Records": [{"eventTime": NaN}]}'],
    ['no-array.json', '{"Records": {}}'],
    ['array.json', '[]'],
    ['blank.json', ' \n\t\n'],
    ['empty.json', ''],
    ['mixed.json', records([1, null, 'x', [], good, { ...good, eventName: null }])],
  ];
  for (const [name, content] of broken)
    objects.push({ key: `cloudtrail/broken/${name}`, content: Buffer.from(content) });
  return [{ name: 'cloudtrail fixtures', source: 'cloudtrail', partition: partition('us-east-1'), objects }];
}

/** The region each flow-log fixture's records carry (the v4 and v5 examples name theirs). */
const FLOW_REGIONS: Record<string, string> = {
  'v4-region-custom.log': 'eu-west-1',
  'v5-traffic-path-aws-example.log': 'ap-southeast-2',
};

function vpcFlowCases(): ParityCase[] {
  const byRegion = new Map<string, ParityObject[]>();
  for (const name of fixtureFiles('vpc_flow')) {
    const region = FLOW_REGIONS[name] ?? 'us-east-1';
    const objects = byRegion.get(region) ?? [];
    objects.push({ key: `vpc_flow/${region}/${name}.gz`, content: gzipSync(fixture('vpc_flow', name)) });
    byRegion.set(region, objects);
  }
  const [header, record] = fixture('vpc_flow', 'v4-region-custom.log').toString('utf8').split('\n');
  const fields = (record ?? '').split(' ');
  const regional = byRegion.get('eu-west-1') ?? [];
  regional.push({
    key: 'vpc_flow/eu-west-1/screened.log',
    content: Buffer.concat([
      Buffer.from(`${header}\n`),
      screenedLines(record ?? '', ' ', false),
      Buffer.from(`\n${['us-east-1', ...fields.slice(1)].join(' ')}\n`),
      Buffer.from(`${[...fields, 'extra'].join(' ')}\n${fields.slice(2).join(' ')}\n`),
      Buffer.from(`${[fields[0], fields[1], 'four', ...fields.slice(3)].join(' ')}\n`),
      Buffer.from(`${Array.from({ length: 3000 }, () => '-').join(' ')}\n`),
    ]),
  });
  return [...byRegion].map(([region, objects]) => ({
    name: `vpc_flow fixtures (${region})`,
    source: 'vpc_flow',
    partition: partition(region),
    objects,
  }));
}

/** Every case: all shared fixtures of the six sources, and the screened lines of each format. */
export function parityCases(): ParityCase[] {
  return [
    ...vpcFlowCases(),
    ...lineSourceCases('s3_access', false),
    ...lineSourceCases('alb', true),
    ...lineSourceCases('elb', false),
    ...cloudfrontCases(),
    ...cloudtrailCases(),
  ];
}
