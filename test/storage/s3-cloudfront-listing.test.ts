import { afterEach, describe, expect, it } from 'vitest';
import { createS3Store } from '../../shared/storage/s3-store.js';
import { listRawS3 } from '../../shared/storage/s3-raw-listing.js';
import { cloudfront } from '../../shared/sources/cloudfront.js';
import { FakeBucket, listInputs, mockS3, testClient } from './s3-fake-bucket.js';

const RAW = { bucket: 'raw-logs', prefix: '' };
const DAY = '2026-11-21';

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** Lists the CloudFront logs of DAY (and the day before) under `prefix`, returning keys and requests. */
async function listDays(keys: string[], prefix: string) {
  const s3 = mockS3(new FakeBucket(RAW.bucket, keys));
  restore = () => s3.restore();
  const found = await listRawS3(createS3Store(testClient()), RAW, {
    sources: [cloudfront],
    dates: new Set(['2026-11-20', DAY]),
    prefixes: { cloudfront: prefix },
  });
  return { keys: found.map((object) => object.key), requests: listInputs(s3) };
}

describe('the CloudFront listing of a few days', () => {
  const logs = [
    'cf/E1ABC.2025-11-21-05.a1.gz',
    'cf/E1ABC.2026-11-19-23.a2.gz',
    'cf/E1ABC.2026-11-20-00.a3.gz',
    `cf/E1ABC.${DAY}-05.a4.gz`,
    `cf/E1ABC.${DAY}-23.a5.gz`,
    'cf/E1ABC.2026-11-22-00.a6.gz',
    `cf/site/E2XYZ.${DAY}-01.b1.gz`,
    `cf/oldprefixE3QQ.${DAY}-02.c1.gz`,
    'cf/E4OLD.2024-01-01-00.d1.gz',
  ];

  it('lists each distribution by day, never the whole prefix, and finds every log of those days', async () => {
    const { keys, requests } = await listDays(logs, 'cf/');

    expect(keys).toEqual([
      'cf/E1ABC.2026-11-20-00.a3.gz',
      `cf/E1ABC.${DAY}-05.a4.gz`,
      `cf/E1ABC.${DAY}-23.a5.gz`,
      `cf/oldprefixE3QQ.${DAY}-02.c1.gz`,
      `cf/site/E2XYZ.${DAY}-01.b1.gz`,
    ]);
    const fileListings = requests.filter((request) => request.Delimiter === undefined);
    expect(fileListings.map((request) => request.Prefix).sort()).toEqual(
      [
        'cf/E1ABC.2026-11-20-',
        `cf/E1ABC.${DAY}-`,
        'cf/site/E2XYZ.2026-11-20-',
        `cf/site/E2XYZ.${DAY}-`,
        'cf/oldprefixE3QQ.2026-11-20-',
        `cf/oldprefixE3QQ.${DAY}-`,
      ].sort(),
    );
    // E4OLD has no log in 2026: its days are not listed at all.
    expect(requests.some((request) => request.Prefix?.startsWith('cf/E4OLD.2026'))).toBe(false);
  });

  it.each([
    ['a folder whose name holds a dot', `cf/www.example.com/E5DOT.${DAY}-03.e1.gz`],
    ['a file that is not a CloudFront log', 'cf/notes.txt'],
    ['a stem that does not continue with a year', `cf/LOGS-V2.archive/E6.${DAY}-04.f1.gz`],
  ])('lists the prefix whole beside %s, so that nothing is passed over', async (_label, odd) => {
    const { keys, requests } = await listDays([...logs, odd], 'cf/');

    expect(keys).toEqual([...logs, odd].sort());
    expect(requests.some((request) => request.Prefix === 'cf/' && request.Delimiter === undefined)).toBe(
      true,
    );
  });

  it('lists a prefix-less root whole (it holds the other logs too)', async () => {
    const { keys } = await listDays([`E1ABC.${DAY}-05.a4.gz`], '');

    expect(keys).toEqual([`E1ABC.${DAY}-05.a4.gz`]);
  });
});
