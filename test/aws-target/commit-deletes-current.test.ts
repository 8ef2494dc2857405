import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../shared/pipeline/run-pipeline.js';
import { useNightSuite } from './aws-harness.js';

const DAY_FOLDER = 'AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/21/';
const RAW_KEY = `logs/${DAY_FOLDER}111122223333_vpcflowlogs_us-east-1_fl-1_20261121T0005Z_a1.log.gz`;
const PARTITION = 'lake/vpc_flow/account=111122223333/region=us-east-1/year=2026/month=11/day=21';
const OTHER_PARTITION = 'lake/vpc_flow/account=111122223333/region=us-east-1/year=2026/month=11/day=20';
const VALUES = '111122223333/us-east-1/2026/11/21';

describe('AWS target commit: a previous LOCATION that is not a version of ours is never deleted', () => {
  const startNight = useNightSuite('aws_target_commit', { rawKeys: [RAW_KEY] });

  // A lake synced from the embedded engine (part-00000.snappy.parquet directly in the partition
  // folder, the README's lake layout) and registered by MSCK REPAIR TABLE / a crawler: Glue stores
  // the LOCATION as the partition folder, usually without a trailing slash.
  for (const previous of [`s3://lake-bucket/${PARTITION}`, `s3://lake-bucket/${PARTITION}/`]) {
    it(`previous LOCATION ${previous}, not a version of ours: nothing of the new version is deleted`, async () => {
      const night = await startNight({
        lakeKeys: [`${PARTITION}/part-00000.snappy.parquet`],
        catalog: new Map([[`vpc_flow|${VALUES}`, previous]]),
      });

      const [outcome] = await runPipeline(night.options);

      expect(outcome).toMatchObject({ action: 'converted', state: 'SUCCEEDED' });
      const current = night.locations.get(`vpc_flow|${VALUES}`) ?? '';
      expect(current).toMatch(/\/day=21\/v=[^/]+\/$/);
      // Expected: the new version (which the catalog now names) still holds its Parquet file.
      // Actual: ownedLocation() accepts the ancestor folder and deletePrefix() removes everything
      // below it, the freshly committed v=<run>/ included.
      const deletedCurrent = night.deleted.filter((key) => `s3://${key}`.startsWith(current));
      expect(deletedCurrent, 'keys of the CURRENT version that the commit deleted').toEqual([]);
      expect(night.holdsData(current)).toBe(true);
    });
  }

  it('previous LOCATION = the table root: no other partition is touched', async () => {
    const night = await startNight({
      lakeKeys: [`${OTHER_PARTITION}/v=older/part-0.parquet`],
      // e.g. a partition added by hand / by a crawler with the table's own LOCATION.
      catalog: new Map([[`vpc_flow|${VALUES}`, 's3://lake-bucket/lake/vpc_flow/']]),
    });

    await runPipeline(night.options);

    expect(night.deleted).not.toContain(`lake-bucket/${OTHER_PARTITION}/v=older/part-0.parquet`);
  });
});
