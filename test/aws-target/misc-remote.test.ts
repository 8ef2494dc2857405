import { DeleteObjectsCommand, type DeleteObjectsCommandInput } from '@aws-sdk/client-s3';
import { StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { describe, expect, it } from 'vitest';
import { athenaDdlPartitions } from '../../shared/catalog/athena-ddl-partitions.js';
import { partitionCatalog } from '../../shared/catalog/glue-catalog.js';
import { runPipeline } from '../../shared/pipeline/run-pipeline.js';
import { SOURCES } from '../../shared/sources/index.js';
import { testAthenaClient } from '../engines/athena-fakes.js';
import { useNightSuite } from './aws-harness.js';

const DAY = 'AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/21/';
const FILE = '111122223333_vpcflowlogs_us-east-1_fl-1_20261121T0005Z_a1.log.gz';
const VALUES = '111122223333/us-east-1/2026/11/21';

describe('AWS target: locations, failed clean-up, dry run', () => {
  const startNight = useNightSuite('aws_target_misc', { rawKeys: [`logs/${DAY}${FILE}`] });

  it('raw and lake at bucket roots: no "//" in any key, URL, manifest or statement', async () => {
    const night = await startNight({
      sources: [SOURCES.vpc_flow, SOURCES.cloudfront],
      raw: { bucket: 'raw-bucket', prefix: '' },
      lake: { bucket: 'lake-bucket', prefix: '' },
      prefixes: { cloudfront: 'cf/' },
      flatLayouts: { cloudfront: { account: '111122223333' } },
      rawKeys: [`${DAY}${FILE}`, 'cf/E2ABCDEF123456.2026-11-21-05.a1b2c3d4.gz'],
    });
    const outcomes = await runPipeline(night.options);
    expect(outcomes.map((o) => o.action)).toEqual(['converted', 'converted']);
    const texts = [
      ...night.fakeAthena.queries.map((q) => q.input.QueryString ?? ''),
      ...[...night.locations.values()],
      ...night.registered.flatMap(
        (r) => r.PartitionInputList?.map((p) => p.StorageDescriptor?.Location ?? '') ?? [],
      ),
      ...[...night.buckets.values()].flatMap((b) => b.objects.map((o) => o.key)),
    ];
    for (const text of texts) expect(text.replaceAll('s3://', '')).not.toMatch(/\/\//);
    const manifest = night.s3.commandCalls((await import('@aws-sdk/client-s3')).PutObjectCommand);
    expect(manifest.map((c) => String(c.args[0].input.Body))).toContain(`s3://raw-bucket/${DAY}${FILE}\n`);
  });

  it('a previous version whose deletion fails leaves the partition converted (readers see the new version) and says what was left', async () => {
    const older = 'lake/vpc_flow/account=111122223333/region=us-east-1/year=2026/month=11/day=21/v=older/';
    const night = await startNight({
      lakeKeys: [`${older}part-0.parquet`],
      catalog: new Map([[`vpc_flow|${VALUES}`, `s3://lake-bucket/${older}`]]),
    });
    let failOnce = true;
    night.s3.on(DeleteObjectsCommand).callsFake((input: DeleteObjectsCommandInput) => {
      const keys = input.Delete?.Objects?.map((o) => o.Key ?? '') ?? [];
      if (failOnce && keys.some((key) => key.startsWith(older))) {
        failOnce = false;
        return { Errors: keys.map((Key) => ({ Key, Code: 'AccessDenied', Message: 'Access Denied' })) };
      }
      return {};
    });

    const [first] = await runPipeline(night.options);
    const served = night.locations.get(`vpc_flow|${VALUES}`);
    expect(served).not.toContain('v=older');
    // Readers already see the new version: the partition is converted, the failed clean-up told.
    expect(first?.action).toBe('converted');
    expect(night.warnings.join('\n')).toMatch(
      /is converted and served from .*v=older.*were not all deleted/s,
    );
  });

  it('--dry-run with "registration": "athena" shows the ALTER TABLE … ADD IF NOT EXISTS PARTITION it would run', async () => {
    const night = await startNight({
      partitionCatalog: (glue) => ({
        ...partitionCatalog(glue, 'athena_logs'),
        ...athenaDdlPartitions({
          client: testAthenaClient(),
          workGroup: 'logs',
          database: 'athena_logs',
          sleep: () => Promise.resolve(),
        }),
      }),
    });
    const [outcome] = await runPipeline({ ...night.options, dryRun: true });
    expect(night.athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
    expect(outcome?.plan?.[0]).toMatch(
      /^Athena StartQueryExecution .*\nALTER TABLE `athena_logs`.`vpc_flow_raw` ADD IF NOT EXISTS/s,
    );
  });
});
