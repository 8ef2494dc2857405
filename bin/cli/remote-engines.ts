import type { AwsSettings } from '../../shared/config-aws.js';
import type { ResolvedConfig } from '../../shared/config.js';
import type { RemoteEngine } from '../../shared/engines/remote-types.js';
import type { PartitionCatalog } from '../../shared/pipeline/targets/remote-target.js';
import type { S3Store } from '../../shared/storage/s3-store.js';

/** The engine that converts and the catalog the commit swaps partitions in; SDK clients loaded on demand. */
export async function remoteEngineParts(
  config: ResolvedConfig,
  aws: AwsSettings,
  store: S3Store,
): Promise<{ engine: RemoteEngine; catalog: PartitionCatalog }> {
  const clientConfig = aws.awsRegion ? { region: aws.awsRegion } : {};
  const [{ GlueClient }, { createGlueCatalog, partitionCatalog }] = await Promise.all([
    import('@aws-sdk/client-glue'),
    import('../../shared/catalog/glue-catalog.js'),
  ]);
  const glue = createGlueCatalog(new GlueClient(clientConfig));
  const { AthenaClient } = await import('@aws-sdk/client-athena');
  const queries = {
    client: new AthenaClient(clientConfig),
    workGroup: aws.athena.workgroup,
    outputLocation: aws.athena.outputLocation,
  };
  const catalog: PartitionCatalog = {
    ...partitionCatalog(glue, aws.database),
    ...(aws.registration === 'athena'
      ? (await import('../../shared/catalog/athena-ddl-partitions.js')).athenaDdlPartitions({
          ...queries,
          database: aws.database,
        })
      : {}),
  };
  if (config.engine === 'athena') {
    const { createAthenaEngine } = await import('../../shared/engines/athena/engine.js');
    const engine = createAthenaEngine({
      ...queries,
      glue,
      store,
      database: aws.database,
      lake: aws.lake,
      maxInFlight: config.concurrency,
    });
    return { engine, catalog };
  }
  const { createGlueJobEngine } = await import('../../shared/engines/glue/engine.js');
  const engine = createGlueJobEngine({
    client: new GlueClient(clientConfig),
    store,
    jobName: aws.glue.jobName ?? '',
    scratch: { bucket: aws.lake.bucket, prefix: `${aws.lake.prefix}_staging/glue/` },
    maxInFlight: config.concurrency,
  });
  return { engine, catalog };
}
