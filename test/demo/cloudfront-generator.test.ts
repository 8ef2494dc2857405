import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCloudfrontDay } from '../../shared/demo/cloudfront-generator.js';
import type { GeneratedObject } from '../../shared/demo/types.js';
import { cloudfront } from '../../shared/sources/cloudfront.js';
import { matchKey } from '../../shared/sources/index.js';
import { EngineHarness } from '../fixtures/engine-harness.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const ACCOUNT = '123456789012';
const DATE = '2026-03-08';
const FIELD_NAMES = cloudfront.format.fields.map((field) => field.header);

describe('writeCloudfrontDay', () => {
  let root: string;
  let objects: GeneratedObject[];
  /** Each object's lines, decompressed. */
  let texts: Map<string, string[]>;

  const records = (): string[][] =>
    [...texts.values()].flatMap((lines) =>
      lines.filter((line) => !line.startsWith('#')).map((line) => line.split('\t')),
    );
  const column = (header: string): string[] => {
    const index = FIELD_NAMES.indexOf(header);
    return records().map((fields) => fields[index] ?? '');
  };

  beforeAll(async () => {
    root = await makeTempDir('cloudfront-demo');
    objects = await writeCloudfrontDay(join(root, 'raw'), { account: ACCOUNT, region: 'global', date: DATE });
    texts = new Map();
    for (const object of objects) {
      const body = await readFile(join(root, 'raw', object.key));
      expect([...body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
      texts.set(object.key, gunzipSync(body).toString('utf8').replace(/\n$/, '').split('\n'));
    }
  });

  afterAll(async () => {
    await removeTempDir(root);
  });

  it('lays out hourly gzip objects as CloudFront delivers them, all belonging to the day', () => {
    expect(objects.length).toBeGreaterThanOrEqual(8);
    for (const object of objects) {
      expect(object.key).toMatch(/^cloudfront\/E[A-Z0-9]{13}\.2026-03-08-[0-2][0-9]\.[a-z0-9]+\.gz$/);
      expect(matchKey(cloudfront, object.key, { account: ACCOUNT })).toEqual({
        layout: 'distribution-file',
        account: ACCOUNT,
        region: 'global',
        date: DATE,
      });
    }
    expect(new Set(objects.map((object) => object.key.split('.')[0])).size).toBe(2);
  });

  it('writes about 3,000 lines, each object starting with #Version and a #Fields directive its records follow', () => {
    const total = objects.reduce((sum, object) => sum + object.lines, 0);

    expect(total).toBeGreaterThan(2800);
    expect(total).toBeLessThan(3200);
    for (const object of objects) {
      const lines = texts.get(object.key) ?? [];
      expect(lines.length).toBe(object.lines);
      expect(lines[0]).toBe('#Version: 1.0');
      const fields = (lines[1] ?? '').replace(/^#Fields: /, '').split(' ');
      expect(fields).toEqual(FIELD_NAMES.slice(0, fields.length));
      expect(lines.slice(2).every((line) => line.split('\t').length === fields.length)).toBe(true);
    }
    const fieldCounts = objects.map((object) => (texts.get(object.key)?.[1] ?? '').split(' ').length - 1);
    expect(new Set(fieldCounts)).toEqual(new Set([24, 26, 33]));
  });

  it('mixes IPv4 and IPv6 viewers, cache results, statuses and HTTP versions', () => {
    const ips = column('c-ip');
    const results = new Set(column('x-edge-result-type'));
    const statuses = new Set(column('sc-status'));

    expect(ips.some((ip) => /^[0-9]+(\.[0-9]+){3}$/.test(ip))).toBe(true);
    expect(ips.filter((ip) => ip.includes(':')).length).toBeGreaterThan(ips.length / 10);
    expect([...results].sort()).toEqual(['Error', 'Hit', 'Miss', 'RefreshHit', 'Redirect'].sort());
    for (const status of ['200', '206', '301', '304', '404', '000']) expect(statuses).toContain(status);
    expect(new Set(column('cs-protocol-version').filter((version) => version !== undefined))).toContain(
      'HTTP/3.0',
    );
    expect(column('date').every((date) => date === DATE)).toBe(true);
  });

  it('is reproducible: the same seed writes the same bytes, another date other records', async () => {
    const again = await writeCloudfrontDay(join(root, 'again'), {
      account: ACCOUNT,
      region: 'global',
      date: DATE,
    });
    const other = await writeCloudfrontDay(join(root, 'other'), {
      account: ACCOUNT,
      region: 'global',
      date: '2026-03-09',
    });

    const first = objects[0]?.key ?? '';
    expect(again.map((object) => object.key)).toEqual(objects.map((object) => object.key));
    expect(await readFile(join(root, 'again', first))).toEqual(await readFile(join(root, 'raw', first)));
    expect(other.every((object) => object.key.includes('2026-03-09-'))).toBe(true);
  });

  it('scales the number of records', async () => {
    const small = await writeCloudfrontDay(join(root, 'small'), {
      account: ACCOUNT,
      region: 'global',
      date: DATE,
      scale: 0.1,
    });

    const total = small.reduce((sum, object) => sum + object.lines, 0);
    expect(total).toBeGreaterThan(250);
    expect(total).toBeLessThan(400);
  });

  it('converts through the embedded engine without a single reject', async () => {
    const harness = new EngineHarness(join(root, 'engine'));
    try {
      const files = await Promise.all(
        objects.map(async (object) => ({
          key: object.key,
          content: await readFile(join(root, 'raw', object.key)),
        })),
      );

      const { result } = await harness.convert(
        files,
        { account: ACCOUNT, region: 'global', date: DATE },
        cloudfront,
      );

      expect(result.rejects.slice(0, 3)).toEqual([]);
      expect(result.rowsOut).toBe(records().length);
    } finally {
      await harness.close();
    }
  });
});
