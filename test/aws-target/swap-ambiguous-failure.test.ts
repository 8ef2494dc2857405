import { UpdatePartitionCommand } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../shared/pipeline/run-pipeline.js';
import { useNightSuite, type PartitionWrite } from './aws-harness.js';

const RAW_KEY =
  'logs/AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/21/111122223333_vpcflowlogs_us-east-1_fl-1_20261121T0005Z_a1.log.gz';
const PARTITION = 'lake/vpc_flow/account=111122223333/region=us-east-1/year=2026/month=11/day=21';
const VALUES = '111122223333/us-east-1/2026/11/21';

describe('AWS target: an UpdatePartition whose answer is lost after Glue applied it', () => {
  const startNight = useNightSuite('aws_target_swap');

  it('the clean-up never deletes the version the catalog may now serve', async () => {
    const night = await startNight({
      rawKeys: [RAW_KEY],
      lakeKeys: [`${PARTITION}/v=older/part-0.parquet`],
      catalog: new Map([[`vpc_flow|${VALUES}`, `s3://lake-bucket/${PARTITION}/v=older/`]]),
    });
    const locations = night.locations;
    // Glue applies the update, then the connection drops / the SDK gives up (socket timeout, 500
    // after its own retries): the caller cannot tell whether the write happened.
    night.glue.on(UpdatePartitionCommand).callsFake((input: PartitionWrite) => {
      night.remember(input);
      if (input.TableName === 'vpc_flow')
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
      return {};
    });

    const [outcome] = await runPipeline(night.options);

    expect(outcome?.action).toBe('failed');
    const served = locations.get(`vpc_flow|${VALUES}`) ?? '';
    expect(served).toMatch(/v=[^o][^/]*\/$/); // the new version, not v=older
    // Expected: whatever the catalog serves still has its data (re-read the partition before
    // deleting the staging, or leave it for the next run). Actual: cleanUp() deletes it.
    expect(night.holdsData(served), `${served} is what readers get`).toBe(true);
  });
});
