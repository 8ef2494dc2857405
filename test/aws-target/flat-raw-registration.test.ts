import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../shared/pipeline/run-pipeline.js';
import { SOURCES } from '../../shared/sources/index.js';
import { useNightSuite, type Night, type NightOverrides } from './aws-harness.js';

/** S3 access logs under `s3-access/`, in the flat layout of one account and region. */
const FLAT_S3_ACCESS: NightOverrides = {
  sources: [SOURCES.s3_access],
  prefixes: { s3_access: 's3-access/' },
  flatLayouts: { s3_access: { account: '111122223333', region: 'us-east-1' } },
};

function registeredLocations(night: Night, table: string): string[] {
  return night.registered
    .filter((input) => input.TableName === table)
    .flatMap(
      (input) => input.PartitionInputList?.map((entry) => entry.StorageDescriptor?.Location ?? '') ?? [],
    );
}

describe('AWS target: raw-table registration of flat layouts and of partitions spread over several trees, and S3 access listings', () => {
  const startNight = useNightSuite('aws_target_flat');

  it('s3_access simple prefix: the day is not registered at a folder holding every day, and the run says so', async () => {
    const night = await startNight({
      ...FLAT_S3_ACCESS,
      rawKeys: [
        'logs/s3-access/2026-11-20-23-59-01-AAAAAAAAAAAAAAAA',
        'logs/s3-access/2026-11-21-00-05-12-BBBBBBBBBBBBBBBB',
        'logs/s3-access/2026-11-21-13-05-12-CCCCCCCCCCCCCCCC',
        'logs/s3-access/2026-11-22-00-00-01-DDDDDDDDDDDDDDDD',
      ],
    });

    const outcomes = await runPipeline(night.options);

    expect(outcomes.map((outcome) => outcome.action)).toEqual(['converted']);
    // s3_access_raw is a folder-based table (not every s3_access layout is flat) and the simple
    // prefix holds every day in one folder: no LOCATION reads this day alone, so it is not
    // registered (and the run says so) rather than registered at a folder of every day.
    expect(registeredLocations(night, 's3_access_raw')).toEqual([]);
    expect(night.warnings.join('\n')).toMatch(/not registered in their <source>_raw table/);
  });

  it('s3_access simple prefix ending inside the file name ("access-"): never registered at the raw root', async () => {
    const night = await startNight({
      ...FLAT_S3_ACCESS,
      prefixes: { s3_access: 'access-' },
      rawKeys: [
        'logs/access-2026-11-21-00-05-12-BBBBBBBBBBBBBBBB',
        'logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/21/x.json.gz',
      ],
    });

    await runPipeline(night.options);

    const [location] = registeredLocations(night, 's3_access_raw');
    expect(location, 'the raw root itself (CloudTrail, flow logs … read as S3 access lines)').not.toBe(
      's3://raw-bucket/logs/',
    );
  });

  it('one CloudTrail partition delivered by an account trail and by the organization trail: never registered at AWSLogs/', async () => {
    const day = '2026/11/21';
    const night = await startNight({
      sources: [SOURCES.cloudtrail],
      rawKeys: [
        `logs/AWSLogs/111122223333/CloudTrail/us-east-1/${day}/111122223333_CloudTrail_us-east-1_20261121T0100Z_a.json.gz`,
        `logs/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/${day}/111122223333_CloudTrail_us-east-1_20261121T0200Z_b.json.gz`,
        `logs/AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/us-east-1/2026/11/20/444455556666_CloudTrail_us-east-1_20261120T0200Z_c.json.gz`,
      ],
    });

    const outcomes = await runPipeline(night.options);

    expect(outcomes.map((outcome) => `${outcome.account} ${outcome.action}`)).toEqual([
      '111122223333 converted',
    ]);
    const locations = registeredLocations(night, 'cloudtrail_raw');
    expect(locations, 'the partition must never read the whole AWSLogs/ tree').not.toContain(
      's3://raw-bucket/logs/AWSLogs/',
    );
  });

  it('s3_access date-based partitioning with several source buckets: never registered at <account>/<region>/ (every bucket, every day)', async () => {
    const night = await startNight({
      sources: [SOURCES.s3_access],
      prefixes: { s3_access: 's3-access/' },
      rawKeys: [
        'logs/s3-access/111122223333/us-east-1/bucket-a/2026/11/21/2026-11-21-00-05-12-BBBBBBBBBBBBBBBB',
        'logs/s3-access/111122223333/us-east-1/bucket-b/2026/11/21/2026-11-21-00-07-12-CCCCCCCCCCCCCCCC',
        'logs/s3-access/111122223333/us-east-1/bucket-b/2026/11/20/2026-11-20-00-07-12-DDDDDDDDDDDDDDDD',
      ],
    });

    const outcomes = await runPipeline(night.options);

    expect(outcomes.map((outcome) => outcome.action)).toEqual(['converted']);
    const [location] = registeredLocations(night, 's3_access_raw');
    expect(location, 'day=21 would read bucket-b/2026/11/20/ too').not.toBe(
      's3://raw-bucket/logs/s3-access/111122223333/us-east-1/',
    );
  });

  it('s3_access simple prefix: the nightly listing reads the night, not every day ever delivered', async () => {
    const keys: string[] = [];
    for (let day = 1; day <= 30; day += 1)
      for (let n = 0; n < 100; n += 1)
        keys.push(
          `logs/s3-access/2026-11-${String(day).padStart(2, '0')}-00-00-00-${String(n).padStart(16, '0')}`,
        );
    const night = await startNight({ ...FLAT_S3_ACCESS, rawKeys: keys });

    await night.options.listRaw(new Set(['2026-11-21']));

    const served = night.buckets.get('raw-bucket')?.served ?? [];
    const keysRead = served.reduce((sum, page) => sum + (page.output.KeyCount ?? 0), 0);
    // The keys sort by date right after the prefix: Prefix "s3-access/2026-11-21" (one per night's
    // day) would read the 100 keys of the night; the whole prefix is read instead.
    // The day's 100 keys, and one entry per year from the delimiter listing that finds account folders.
    expect(keysRead, 'keys listed to find one day of 100 objects').toBeLessThanOrEqual(101);
  });
});
