import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAlbDay } from '../../shared/demo/alb-generator.js';
import { writeElbDay } from '../../shared/demo/elb-generator.js';
import type { GeneratedObject } from '../../shared/demo/types.js';
import { alb } from '../../shared/sources/alb.js';
import { elb } from '../../shared/sources/elb.js';
import { matchKey } from '../../shared/sources/index.js';
import type { LogSource } from '../../shared/sources/types.js';
import { parseLine } from '../fixtures/regex-records.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const PLACE = { account: '012345678901', region: 'eu-west-1', date: '2024-03-10' };

/** Every record of the objects, read as the engine contract reads them. */
async function recordsOf(
  root: string,
  source: LogSource,
  objects: readonly GeneratedObject[],
): Promise<{ raw: Buffer[]; lines: string[]; records: Record<string, string | null>[] }> {
  const raw = await Promise.all(objects.map((object) => readFile(join(root, object.key))));
  const lines = raw.flatMap((body) =>
    (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body)
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== ''),
  );
  const records = lines.map((line) => parseLine(source, line) ?? { unmatched: line });
  return { raw, lines, records };
}

const share = (
  records: Record<string, string | null>[],
  test: (record: Record<string, string | null>) => boolean,
) => records.filter(test).length / records.length;

describe('writeAlbDay', () => {
  let root: string;
  let objects: GeneratedObject[];
  let read: Awaited<ReturnType<typeof recordsOf>>;

  beforeAll(async () => {
    root = await makeTempDir('alb-demo');
    objects = await writeAlbDay(root, PLACE);
    read = await recordsOf(root, alb, objects);
  });
  afterAll(() => removeTempDir(root));

  it("writes a few gzip objects a day under the ALB key layout, which the classic layout doesn't match", () => {
    expect(objects.length).toBeGreaterThanOrEqual(3);
    for (const object of objects) {
      expect(matchKey(alb, object.key)).toEqual({
        layout: 'plain',
        account: PLACE.account,
        region: PLACE.region,
        date: PLACE.date,
      });
      expect(matchKey(elb, object.key)).toBeUndefined();
    }
    for (const body of read.raw) expect([...body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
  });

  it('writes about 3,000 entries, every one of the current format and of the day', () => {
    expect(read.lines.length).toBeGreaterThanOrEqual(2900);
    expect(read.lines.length).toBeLessThanOrEqual(3100);
    expect(objects.reduce((sum, object) => sum + object.lines, 0)).toBe(read.lines.length);
    expect(read.records.filter((record) => 'unmatched' in record).slice(0, 1)).toEqual([]);
    for (const record of read.records) {
      expect(record.time?.startsWith(PLACE.date)).toBe(true);
      expect(record.request_transform_status).toBeNull();
      expect(record.conn_trace_id).toMatch(/^TID_[0-9a-f]{32}$/);
    }
  });

  it('mixes listener types, outcomes, `-` targets, -1 times and IPv6 clients', () => {
    const types = new Set(read.records.map((record) => record.type));
    const codes = new Set(read.records.map((record) => record.elb_status_code));

    expect([...types].sort()).toEqual(['grpcs', 'h2', 'http', 'https', 'ws', 'wss']);
    for (const code of ['200', '301', '403', '404', '500', '502', '503']) expect(codes).toContain(code);
    expect(share(read.records, (record) => record.elb_status_code === '200')).toBeGreaterThan(0.6);
    expect(share(read.records, (record) => record.target_ip === null)).toBeGreaterThan(0.01);
    expect(share(read.records, (record) => record.target_processing_time === '-1')).toBeGreaterThan(0.01);
    expect(share(read.records, (record) => record.client_ip?.includes(':') === true)).toBeGreaterThan(0.01);
    expect(share(read.records, (record) => record.lambda_error_reason !== null)).toBeGreaterThan(0);
    expect(
      share(read.records, (record) => record.redirect_url?.startsWith('https://') === true),
    ).toBeGreaterThan(0);
  });

  it('concentrates traffic on a few clients and paths, as real sites see', () => {
    const counts = new Map<string, number>();
    for (const record of read.records)
      counts.set(record.client_ip ?? '', (counts.get(record.client_ip ?? '') ?? 0) + 1);
    const top = [...counts.values()].sort((a, b) => b - a).slice(0, 10);

    expect(top.reduce((sum, count) => sum + count, 0) / read.records.length).toBeGreaterThan(0.1);
  });

  it('is reproducible from its seed, and differs by day and seed', async () => {
    const again = await writeAlbDay(join(root, 'again'), PLACE);
    const otherSeed = await writeAlbDay(join(root, 'seed'), { ...PLACE, seed: 7 });
    const first = await readFile(join(root, objects[0]?.key ?? ''));

    expect(again.map((object) => object.key)).toEqual(objects.map((object) => object.key));
    expect(await readFile(join(root, 'again', again[0]?.key ?? ''))).toEqual(first);
    expect(otherSeed.map((object) => object.key)).not.toEqual(objects.map((object) => object.key));
  });

  it('scales the number of entries', async () => {
    const small = await writeAlbDay(join(root, 'small'), { ...PLACE, scale: 0.1 });

    expect(small.reduce((sum, object) => sum + object.lines, 0)).toBeLessThanOrEqual(310);
  });
});

describe('writeElbDay', () => {
  let root: string;
  let objects: GeneratedObject[];
  let read: Awaited<ReturnType<typeof recordsOf>>;

  beforeAll(async () => {
    root = await makeTempDir('elb-demo');
    objects = await writeElbDay(root, PLACE);
    read = await recordsOf(root, elb, objects);
  });
  afterAll(() => removeTempDir(root));

  it("writes a few plain-text objects a day under the classic key layout, which the ALB layout doesn't match", () => {
    expect(objects.length).toBeGreaterThanOrEqual(3);
    for (const object of objects) {
      expect(object.key).toMatch(/\.log$/);
      expect(matchKey(elb, object.key)).toEqual({
        layout: 'plain',
        account: PLACE.account,
        region: PLACE.region,
        date: PLACE.date,
      });
      expect(matchKey(alb, object.key)).toBeUndefined();
    }
    for (const body of read.raw) expect(body.subarray(0, 4).toString()).toBe(PLACE.date.slice(0, 4));
  });

  it('writes about 3,000 entries, every one of the classic format and of the day', () => {
    expect(read.lines.length).toBeGreaterThanOrEqual(2900);
    expect(read.lines.length).toBeLessThanOrEqual(3100);
    expect(read.records.filter((record) => 'unmatched' in record).slice(0, 1)).toEqual([]);
    for (const record of read.records) expect(record.request_timestamp?.startsWith(PLACE.date)).toBe(true);
  });

  it('mixes HTTP, HTTPS, TCP and SSL listeners, `-` backends and -1 times', () => {
    const layer4 = (record: Record<string, string | null>) => record.url === null;

    expect(share(read.records, layer4)).toBeGreaterThan(0.1);
    expect(share(read.records, (record) => layer4(record) && record.ssl_cipher !== null)).toBeGreaterThan(
      0.03,
    );
    expect(share(read.records, (record) => record.url?.startsWith('https://') === true)).toBeGreaterThan(0.2);
    expect(share(read.records, (record) => record.url?.startsWith('http://') === true)).toBeGreaterThan(0.2);
    expect(share(read.records, (record) => record.backend_ip === null)).toBeGreaterThan(0.005);
    expect(share(read.records, (record) => record.request_processing_time === '-1')).toBeGreaterThan(0.005);
    expect(new Set(read.records.map((record) => record.backend_response_code))).toEqual(
      new Set([null, '200', '302', '404', '500', '502']),
    );
  });

  it('is reproducible from its seed', async () => {
    const again = await writeElbDay(join(root, 'again'), PLACE);

    expect(await readFile(join(root, 'again', again[0]?.key ?? ''))).toEqual(read.raw[0]);
  });
});
