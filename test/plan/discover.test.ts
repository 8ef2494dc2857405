import { describe, expect, it } from 'vitest';
import type { RawObject } from '../../shared/engines/types.js';
import { discoverPartitions, fingerprintOf } from '../../shared/plan/discover.js';
import { cloudfront } from '../../shared/sources/cloudfront.js';
import { vpcFlow } from '../../shared/sources/vpc-flow.js';

function object(key: string, size: number, modified: string): RawObject {
  return { key, size, lastModified: new Date(modified) };
}

function plain(account: string, region: string, date: string, name: string): string {
  return `AWSLogs/${account}/vpcflowlogs/${region}/${date.replace(/-/g, '/')}/${name}.log.gz`;
}

describe('fingerprintOf', () => {
  it('is empty for no objects', () => {
    expect(fingerprintOf([])).toEqual({ objects: 0, bytes: 0, newestModified: '' });
  });

  it('counts objects, sums bytes and keeps the newest modification time, whatever the order', () => {
    // Prepare
    const objects = [
      object('a', 100, '2024-01-05T10:00:00Z'),
      object('b', 250, '2024-01-06T00:05:00.123Z'),
      object('c', 0, '2024-01-05T23:00:00Z'),
    ];

    // Act
    const forward = fingerprintOf(objects);
    const backward = fingerprintOf([...objects].reverse());

    // Assess
    expect(forward).toEqual({ objects: 3, bytes: 350, newestModified: '2024-01-06T00:05:00.123Z' });
    expect(backward).toEqual(forward);
  });

  it.each<[string, RawObject[]]>([
    ['a new object', [object('a', 100, '2024-01-05T10:00:00Z'), object('d', 1, '2024-01-01T00:00:00Z')]],
    ['a replaced object of the same size', [object('a', 100, '2024-01-05T10:00:01Z')]],
    ['a replaced object with the same time', [object('a', 101, '2024-01-05T10:00:00Z')]],
  ])('changes with %s', (_label, changed) => {
    const base = [object('a', 100, '2024-01-05T10:00:00Z')];

    expect(fingerprintOf(changed)).not.toEqual(fingerprintOf(base));
  });
});

describe('discoverPartitions', () => {
  const A = '012345678901';
  const B = '222233334444';
  const objects: RawObject[] = [
    object(plain(A, 'us-east-1', '2024-01-05', 'one'), 100, '2024-01-05T01:00:00Z'),
    object(plain(A, 'us-east-1', '2024-01-05', 'two'), 200, '2024-01-05T02:00:00Z'),
    // The same partition, delivered through the Hive layout and an organisation trail.
    object(
      `AWSLogs/aws-account-id=${A}/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=01/day=05/hour=03/three.log.gz`,
      300,
      '2024-01-05T03:30:00Z',
    ),
    object(
      `prefix/AWSLogs/o-a1b2c3d4e5/${A}/vpcflowlogs/us-east-1/2024/01/05/four.log.gz`,
      400,
      '2024-01-05T04:00:00Z',
    ),
    object(plain(A, 'eu-west-1', '2024-01-05', 'five'), 50, '2024-01-05T05:00:00Z'),
    object(plain(B, 'us-east-1', '2024-01-05', 'six'), 60, '2024-01-05T06:00:00Z'),
    object(plain(A, 'us-east-1', '2024-01-04', 'seven'), 70, '2024-01-04T07:00:00Z'),
    object(plain(A, 'us-east-1', '2024-01-06', 'eight'), 80, '2024-01-06T08:00:00Z'),
    // Keys of no layout: left out.
    object(
      `AWSLogs/${A}/CloudTrail/us-east-1/2024/01/05/${A}_CloudTrail_us-east-1_x.json.gz`,
      999,
      '2024-01-05T09:00:00Z',
    ),
    object(`AWSLogs/${A}/vpcflowlogs/us-east-1/2024/02/30/bad-date.log.gz`, 999, '2024-01-05T09:00:00Z'),
    object('README.txt', 999, '2024-01-05T09:00:00Z'),
  ];

  it('groups objects of one account, region and day into one partition across layouts, with its fingerprint', () => {
    // Act
    const partitions = discoverPartitions([vpcFlow], objects, { dates: new Set(['2024-01-05']) });

    // Assess
    const main = partitions.find((partition) => partition.account === A && partition.region === 'us-east-1');
    expect(main?.source.name).toBe('vpc_flow');
    expect(main?.date).toBe('2024-01-05');
    expect(main?.objects.map((found) => found.size).sort((a, b) => a - b)).toEqual([100, 200, 300, 400]);
    expect(main?.fingerprint).toEqual({
      objects: 4,
      bytes: 1000,
      newestModified: '2024-01-05T04:00:00.000Z',
    });
  });

  it('sorts partitions by date, then account, then region, and leaves out keys of no layout', () => {
    // Act
    const partitions = discoverPartitions([vpcFlow], objects, {
      dates: new Set(['2024-01-06', '2024-01-04', '2024-01-05']),
    });

    // Assess
    expect(
      partitions.map((partition) => [
        partition.date,
        partition.account,
        partition.region,
        partition.objects.length,
      ]),
    ).toEqual([
      ['2024-01-04', A, 'us-east-1', 1],
      ['2024-01-05', A, 'eu-west-1', 1],
      ['2024-01-05', A, 'us-east-1', 4],
      ['2024-01-05', B, 'us-east-1', 1],
      ['2024-01-06', A, 'us-east-1', 1],
    ]);
    const total = partitions.reduce((sum, partition) => sum + partition.fingerprint.bytes, 0);
    expect(total).toBe(100 + 200 + 300 + 400 + 50 + 60 + 70 + 80);
  });

  it.each<[string, { account?: string; region?: string; dates: string[] }, [string, string, string][]]>([
    ['only the dates asked for', { dates: ['2024-01-04'] }, [['2024-01-04', A, 'us-east-1']]],
    ['no dates: nothing', { dates: [] }, []],
    ['a date with no objects', { dates: ['2024-02-01'] }, []],
    [
      'one account',
      { account: B, dates: ['2024-01-04', '2024-01-05', '2024-01-06'] },
      [['2024-01-05', B, 'us-east-1']],
    ],
    [
      'one region',
      { region: 'eu-west-1', dates: ['2024-01-04', '2024-01-05', '2024-01-06'] },
      [['2024-01-05', A, 'eu-west-1']],
    ],
    [
      'account and region',
      { account: A, region: 'us-east-1', dates: ['2024-01-05', '2024-01-06'] },
      [
        ['2024-01-05', A, 'us-east-1'],
        ['2024-01-06', A, 'us-east-1'],
      ],
    ],
    ['an account with no objects', { account: '999999999999', dates: ['2024-01-05'] }, []],
  ])('filters: %s', (_label, filter, expected) => {
    // Act
    const partitions = discoverPartitions([vpcFlow], objects, { ...filter, dates: new Set(filter.dates) });
    // Assess
    expect(partitions.map((partition) => [partition.date, partition.account, partition.region])).toEqual(
      expected,
    );
  });

  it('finds nothing without sources', () => {
    expect(discoverPartitions([], objects, { dates: new Set(['2024-01-05']) })).toEqual([]);
  });

  it('sorts real region names the way a byte comparison does', () => {
    const regions = [
      'us-east-2',
      'ap-southeast-1',
      'ap-south-1',
      'us-east-1',
      'us-gov-west-1',
      'eu-central-1',
      'eu-central-2',
    ];
    const listed = regions.map((region, index) =>
      object(plain(A, region, '2024-01-05', `r${index}`), 1, '2024-01-05T00:00:00Z'),
    );

    const partitions = discoverPartitions([vpcFlow], listed, { dates: new Set(['2024-01-05']) });

    expect(partitions.map((partition) => partition.region)).toEqual([...regions].sort());
  });
});

describe('discoverPartitions and keys of no layout', () => {
  it('names each object whose key matches no layout, and only those (other days are not "unmatched")', () => {
    const stray = object(
      'AWSLogs/o-abc123/123456789012/vpcflowlogs/us-east-1/2024/01/05/x.log.gz',
      1,
      '2024-01-05T00:00:00Z',
    );
    const otherDay = object(plain('123456789012', 'us-east-1', '2024-01-09', 'y'), 1, '2024-01-09T00:00:00Z');
    const wanted = object(plain('123456789012', 'us-east-1', '2024-01-05', 'z'), 1, '2024-01-05T00:00:00Z');
    const unmatched: string[] = [];

    const partitions = discoverPartitions([vpcFlow], [stray, otherDay, wanted], {
      dates: new Set(['2024-01-05']),
      onUnmatched: (found) => unmatched.push(found.key),
    });

    expect(unmatched).toEqual([stray.key]);
    expect(partitions.map((partition) => partition.objects.map((found) => found.key))).toEqual([
      [wanted.key],
    ]);
  });
});

describe('discoverPartitions of a flat layout (keys that name no account)', () => {
  const ACCOUNT = '111122223333';
  const logs = [object('cloudfront/EMLARXS9EXAMPLE.2026-11-21-05.abcd1234.gz', 10, '2026-11-21T06:00:00Z')];
  const dates = new Set(['2026-11-21']);
  const found = (filter: Parameters<typeof discoverPartitions>[2]) =>
    discoverPartitions([cloudfront], logs, filter).map((p) => `${p.account}/${p.region}/${p.date}`);

  it('files the objects under the configured account, else unknown, never under the run’s filter', () => {
    expect(found({ dates })).toEqual(['unknown/global/2026-11-21']);
    // A backfill naming an account must not file the same day a second time under that account.
    expect(found({ dates, account: ACCOUNT })).toEqual([]);
    expect(found({ dates, account: 'unknown' })).toEqual(['unknown/global/2026-11-21']);
    const flatLayouts = { cloudfront: { account: ACCOUNT } };
    expect(found({ dates, flatLayouts })).toEqual([`${ACCOUNT}/global/2026-11-21`]);
    expect(found({ dates, flatLayouts, account: ACCOUNT })).toEqual([`${ACCOUNT}/global/2026-11-21`]);
  });
});
