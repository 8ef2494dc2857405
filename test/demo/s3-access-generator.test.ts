import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeS3AccessDay } from '../../shared/demo/s3-access-generator.js';
import type { GeneratedObject } from '../../shared/demo/types.js';
import { matchKey } from '../../shared/sources/index.js';
import { s3Access } from '../../shared/sources/s3-access.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const ACCOUNT = '012345678901';
const REGION = 'eu-west-1';
const DATE = '2026-03-14';
const PATTERN = new RegExp(s3Access.format.pattern);

/** Column → value of a record line, as the engine contract reads it (or undefined: no match). */
function parse(line: string): Record<string, string | undefined> | undefined {
  const match = PATTERN.exec(line);
  if (!match) return undefined;
  return Object.fromEntries(s3Access.format.groups.map((group, index) => [group.column, match[index + 1]]));
}

describe('writeS3AccessDay', () => {
  let root: string;
  let objects: GeneratedObject[];
  let lines: string[];

  beforeAll(async () => {
    root = await makeTempDir('s3-access-demo');
    objects = await writeS3AccessDay(join(root, 'a'), { account: ACCOUNT, region: REGION, date: DATE });
    lines = [];
    for (const object of objects) {
      const text = await readFile(join(root, 'a', object.key), 'utf8');
      lines.push(...text.split('\n').filter((line) => line !== ''));
    }
  });

  afterAll(() => removeTempDir(root));

  it('writes a few uncompressed objects in the partitioned layout of the account, region and day', async () => {
    expect(objects.length).toBeGreaterThanOrEqual(4);
    expect(objects.length).toBeLessThanOrEqual(12);
    for (const object of objects) {
      expect(matchKey(s3Access, object.key)).toEqual({
        layout: 'partitioned',
        account: ACCOUNT,
        region: REGION,
        date: DATE,
      });
      const body = await readFile(join(root, 'a', object.key));
      expect(body.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false);
      expect(body.length).toBe(object.bytes);
    }
  });

  it('writes about 3,000 records, every one of the source format, on the day', () => {
    const records = lines.map(parse);

    expect(lines.length).toBeGreaterThanOrEqual(3000);
    expect(lines.length).toBeLessThan(3100);
    expect(objects.reduce((sum, object) => sum + object.lines, 0)).toBe(lines.length);
    expect(records.filter((record) => record === undefined)).toEqual([]);
    for (const record of records)
      expect(record?.requestdatetime).toMatch(/^14\/Mar\/2026:\d\d:\d\d:\d\d \+0000$/);
    for (const record of records) expect(record?.bytessent).toMatch(/^(-|[0-9]+)$/);
    for (const record of records) expect(record?.objectsize).toMatch(/^(-|[0-9]+)$/);
  });

  it('mixes the operations, statuses and clients of a real bucket', () => {
    const records = lines.map(parse);
    const count = (predicate: (record: Record<string, string | undefined>) => boolean) =>
      records.filter((record) => record !== undefined && predicate(record)).length;

    for (const operation of [
      'REST.GET.OBJECT',
      'REST.PUT.OBJECT',
      'REST.HEAD.OBJECT',
      'REST.COPY.OBJECT',
      'REST.COPY.OBJECT_GET',
      'WEBSITE.GET.OBJECT',
      'BATCH.DELETE.OBJECT',
    ]) {
      expect(
        count((record) => record.operation === operation),
        operation,
      ).toBeGreaterThan(10);
    }
    for (const status of ['200', '206', '304', '403', '404']) {
      expect(
        count((record) => record.httpstatus === status),
        status,
      ).toBeGreaterThan(5);
    }
    expect(count((record) => record.operation === 'REST.GET.OBJECT')).toBeGreaterThan(1200);
    expect(count((record) => record.remoteip?.includes(':') === true)).toBeGreaterThan(10);
    expect(count((record) => record.useragent?.includes('"') === true)).toBeGreaterThan(10);
    expect(count((record) => record.useragent?.includes(' ') === true)).toBeGreaterThan(1000);
    // Old-style records end after Version Id or after TLS version.
    expect(count((record) => record.hostid === undefined)).toBeGreaterThan(0);
    expect(
      count((record) => record.hostid !== undefined && record.accesspointarn === undefined),
    ).toBeGreaterThan(0);
    expect(count((record) => record.sourceregion === REGION)).toBeGreaterThan(2800);
    // A few busy clients download most: the top-downloaders question has an answer.
    const byIp = new Map<string, number>();
    for (const record of records) {
      if (record?.operation !== 'REST.GET.OBJECT' || record.remoteip === undefined) continue;
      byIp.set(record.remoteip, (byIp.get(record.remoteip) ?? 0) + 1);
    }
    const counts = [...byIp.values()].sort((a, b) => b - a);
    expect(counts[0]).toBeGreaterThan(5 * (counts[Math.floor(counts.length / 2)] ?? 0));
  });

  it('writes the same objects for the same seed, and other records for another day', async () => {
    const again = await writeS3AccessDay(join(root, 'b'), { account: ACCOUNT, region: REGION, date: DATE });
    const nextDay = await writeS3AccessDay(join(root, 'c'), {
      account: ACCOUNT,
      region: REGION,
      date: '2026-03-15',
    });
    const first = objects[0];
    const same = again[0];

    expect(again).toEqual(objects);
    expect(first && same && (await readFile(join(root, 'b', same.key), 'utf8'))).toBe(
      first && (await readFile(join(root, 'a', first.key), 'utf8')),
    );
    expect(nextDay.map((object) => object.key)).not.toEqual(objects.map((object) => object.key));
    expect(nextDay.every((object) => matchKey(s3Access, object.key)?.date === '2026-03-15')).toBe(true);
  });

  it('scales the number of records', async () => {
    const small = await writeS3AccessDay(join(root, 'd'), {
      account: ACCOUNT,
      region: REGION,
      date: DATE,
      scale: 0.1,
    });

    const total = small.reduce((sum, object) => sum + object.lines, 0);
    expect(total).toBeGreaterThanOrEqual(300);
    expect(total).toBeLessThan(320);
  });
});
