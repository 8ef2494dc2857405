import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { InFlightSlots } from '../../shared/bookmarks/in-flight-slots.js';
import { createGlueCatalog, partitionCatalog, type GlueCatalog } from '../../shared/catalog/glue-catalog.js';
import { scratchTableCatalog } from '../../shared/catalog/glue-scratch-tables.js';
import { createAthenaStepEngine } from '../../shared/engines/athena/steps.js';
import { createGlueStepEngine } from '../../shared/engines/glue/steps.js';
import type { StepEngine } from '../../shared/engines/remote-steps.js';
import type { OrphanSweepDeps } from '../../shared/pipeline/events/sweep-orphans.js';
import { defaultRetryDelayMs, type EventDrivenDeps } from '../../shared/pipeline/events/types.js';
import { createS3Client } from '../../shared/storage/s3-client.js';
import { locationUrl } from '../../shared/storage/s3-location.js';
import { listRawS3 } from '../../shared/storage/s3-raw-listing.js';
import { createS3Store, type S3Store } from '../../shared/storage/s3-store.js';
import type { RawObject } from '../../shared/engines/types.js';
import { lambdaObserver } from './observer.js';
import { readSettings, type LambdaSettings } from './settings.js';

/** Everything a function needs, built once per Lambda environment (clients are reused across invocations). */
export interface Runtime {
  settings: LambdaSettings;
  deps: EventDrivenDeps;
  logger: Logger;
  metrics: Metrics;
  lambda: LambdaClient;
  listRaw(dates: ReadonlySet<string>, filter?: { account?: string; region?: string }): Promise<RawObject[]>;
  /** What the sweeper's clean-up of dead conversions' scratch needs. */
  orphans: OrphanSweepDeps;
}

function stepEngine(
  settings: LambdaSettings,
  store: S3Store,
  athena: AthenaClient,
  glue: GlueClient,
  glueCatalog: GlueCatalog,
  onWarning: (message: string) => void,
): StepEngine {
  const { aws } = settings;
  if (settings.engine === 'glue')
    return createGlueStepEngine({
      client: glue,
      store,
      jobName: aws.glue.jobName ?? '',
      scratch: { bucket: aws.lake.bucket, prefix: `${aws.lake.prefix}_staging/glue/` },
      onWarning,
    });
  return createAthenaStepEngine({
    client: athena,
    workGroup: aws.athena.workgroup,
    outputLocation: aws.athena.outputLocation,
    glue: glueCatalog,
    store,
    database: aws.database,
    lake: aws.lake,
    onWarning,
  });
}

let built: Runtime | undefined;

/** The functions' runtime, from the environment (see serverless.yml); built on first use. */
export function runtime(env: Record<string, string | undefined> = process.env): Runtime {
  if (built !== undefined) return built;
  const settings = readSettings(env);
  const { aws } = settings;
  const clientConfig = aws.awsRegion ? { region: aws.awsRegion } : {};
  const logger = new Logger();
  const metrics = new Metrics();
  const dynamo = new DynamoDBClient(clientConfig);
  const objects = createS3Store(createS3Client(clientConfig));
  const glue = new GlueClient(clientConfig);
  const sns = new SNSClient(clientConfig);
  const lakeUrl = locationUrl(aws.lake);
  const topic = settings.alertTopicArn;
  const notify =
    topic === undefined
      ? undefined
      : async (subject: string, message: string) => {
          await sns.send(new PublishCommand({ TopicArn: topic, Subject: subject, Message: message }));
        };
  const glueCatalog = createGlueCatalog(glue);
  const onWarning = (message: string) => logger.warn(message);
  built = {
    settings,
    orphans: {
      glue: scratchTableCatalog(glue, glueCatalog),
      database: aws.database,
      objects,
      lake: aws.lake,
      now: Date.now,
      onWarning,
    },
    logger,
    metrics,
    lambda: new LambdaClient(clientConfig),
    listRaw: (dates, filter = {}) =>
      listRawS3(objects, aws.raw, {
        sources: settings.sources,
        dates,
        prefixes: aws.s3Prefixes,
        account: filter.account,
        region: filter.region,
      }),
    deps: {
      lakeUrl,
      lake: aws.lake,
      raw: aws.raw,
      store: new ConversionStore(dynamo, settings.tableName),
      slots: new InFlightSlots(dynamo, settings.tableName, lakeUrl, settings.maxInFlight),
      engine: stepEngine(settings, objects, new AthenaClient(clientConfig), glue, glueCatalog, onWarning),
      objects,
      catalog: partitionCatalog(glueCatalog, aws.database),
      retryBudget: settings.retryBudget,
      pollAfterMs: settings.pollAfterMinutes * 60_000,
      stuckAfterMs: settings.stuckAfterMinutes * 60_000,
      retryDelayMs: defaultRetryDelayMs,
      observer: lambdaObserver(metrics, logger, notify),
      onWarning,
      now: Date.now,
    },
  };
  return built;
}
