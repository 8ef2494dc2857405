import type { AwsSettings } from '../../shared/config-aws.js';
import { UsageError } from '../../shared/errors.js';
import type { ResolvedConfig } from '../../shared/config.js';
import { remoteTarget } from '../../shared/pipeline/targets/remote-target.js';
import { createS3Client } from '../../shared/storage/s3-client.js';
import { listRawS3 } from '../../shared/storage/s3-raw-listing.js';
import { createS3Store } from '../../shared/storage/s3-store.js';
import type { PipelineRun } from './pipeline-run.js';
import { remoteEngineParts } from './remote-engines.js';

/**
 * The AWS engines: raw and lake in S3, conversions by Athena or a Glue job, the Glue catalog's
 * partition LOCATION as the commit. The SDK clients are loaded only here.
 */
export async function remoteRun(config: ResolvedConfig, aws: AwsSettings): Promise<PipelineRun> {
  const region = aws.awsRegion;
  const client = createS3Client(region ? { region } : {});
  // Without a region every call fails alike ("Region is missing"): say so once, as bad configuration.
  await client.config.region().catch(() => {
    throw new UsageError(
      'No AWS region is set: give "awsRegion" in the configuration, or set AWS_REGION (or a profile with a region).',
      { field: 'awsRegion' },
    );
  });
  const store = createS3Store(client);
  const { engine, catalog } = await remoteEngineParts(config, aws, store);
  return {
    listRaw: (dates, filter) =>
      listRawS3(store, aws.raw, {
        sources: config.sources,
        dates,
        prefixes: aws.s3Prefixes,
        account: filter.account,
        region: filter.region,
      }),
    target: remoteTarget({ engine, store, catalog, raw: aws.raw, lake: aws.lake }),
  };
}
