/**
 * The deployment as CloudFormation: `serverless package` (osls, offline, no AWS credentials) runs
 * twice in beforeAll — defaults, then a Glue/prod set of --param overrides — and the tests read
 * the templates and the Lambda zip it writes.
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LONGEST_FUNCTION_MINUTES } from '../../functions/lib/settings.js';
import { ALL_QUERIES } from '../../shared/queries/index.js';
import { AVAILABLE_SOURCES, SOURCES } from '../../shared/sources/index.js';
import { sourcesNeedingPrefix } from '../../shared/storage/s3-raw-listing.js';
import {
  ACCOUNT,
  REGION,
  Evaluator,
  actionsOf,
  allows,
  policyDocuments,
  resourcesOf,
  roleStatements,
  type Statement,
} from './cfn.js';
import { PACKAGE_TIMEOUT_MS, ROOT, packageService, type PackagedService } from './package-service.js';
import { bundledCommandClasses, sourceCommands } from './sdk-commands.js';

const ROLE = 'IamRoleLambdaExecution';

const FUNCTIONS = [
  { name: 'nightly', id: 'NightlyLambdaFunction', file: 'functions/nightly', timeout: 900 },
  { name: 'backfill', id: 'BackfillLambdaFunction', file: 'functions/backfill', timeout: 900 },
  {
    name: 'onConversionEvent',
    id: 'OnConversionEventLambdaFunction',
    file: 'functions/on-conversion-event',
    timeout: 120,
  },
  { name: 'sweeper', id: 'SweeperLambdaFunction', file: 'functions/sweeper', timeout: 300 },
] as const;

/** The --param overrides of the second packaging: the Glue engine, an existing workgroup and database. */
const OVERRIDES = {
  engine: 'glue',
  glueJobName: 'athena-logs-convert',
  alarmEmail: 'ops@example.com',
  rawBucket: 'org-logs',
  rawPrefix: 'central/',
  lakeBucket: 'org-lake',
  lakePrefix: 'tables/',
  athenaWorkgroup: 'primary',
  createWorkgroup: 'false',
  glueDatabase: 'logs_prod',
  createGlueDatabase: 'false',
  createBookmarkTable: 'false',
  sources: 'vpc_flow,cloudtrail',
  schedule: 'cron(0 3 * * ? *)',
  freshnessHours: '48',
};

let defaults: PackagedService;
let overridden: PackagedService;
let base: Evaluator;
let glue: Evaluator;

beforeAll(
  async () => {
    // One packaging at a time: serverless-esbuild works in the repository's .esbuild/ folder.
    defaults = await packageService();
    overridden = await packageService([
      '--stage',
      'prod',
      ...Object.entries(OVERRIDES).flatMap(([key, value]) => ['--param', `${key}=${value}`]),
    ]);
    base = new Evaluator(defaults.template);
    glue = new Evaluator(overridden.template);
  },
  2 * PACKAGE_TIMEOUT_MS + 10_000,
);

const env = (evaluator: Evaluator, id: string) =>
  (evaluator.properties(id).Environment as { Variables: Record<string, string> }).Variables;

/** The one rule of a type whose target is the function `functionId`. */
function rulesTargeting(evaluator: Evaluator, functionId: string): Record<string, unknown>[] {
  const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${String(evaluator.value({ Ref: functionId }))}`;
  return evaluator
    .resourcesOfType('AWS::Events::Rule')
    .map(([id]) => evaluator.properties(id))
    .filter((rule) => (rule.Targets as { Arn: string }[]).some((target) => target.Arn === arn));
}

describe('serverless package (offline)', () => {
  it('packages in well under the timeout, with no AWS credentials', () => {
    console.log(`serverless package: ${defaults.ms} ms (defaults), ${overridden.ms} ms (overrides)`);
    expect(defaults.ms).toBeLessThan(PACKAGE_TIMEOUT_MS);
    expect(defaults.template.Resources.BookmarkTable).toBeDefined();
  });

  it('declares the four functions with their handlers, nodejs22.x on arm64, timeouts and memory', () => {
    const functions = base.resourcesOfType('AWS::Lambda::Function').map(([id]) => id);
    expect(functions.sort()).toEqual(FUNCTIONS.map((fn) => fn.id).sort());
    for (const fn of FUNCTIONS) {
      const properties = base.properties(fn.id);
      expect(properties.FunctionName).toBe(`athena-logs-dev-${fn.name}`);
      expect(properties.Handler).toBe(`${fn.file}.handler`);
      expect(properties.Runtime).toBe('nodejs22.x');
      expect(properties.Architectures).toEqual(['arm64']);
      expect(properties.Timeout).toBe(fn.timeout);
      expect(properties.MemorySize).toBeGreaterThanOrEqual(512);
      expect(properties.MemorySize).toBeLessThanOrEqual(1024);
    }
    // The sweeper's "presumed dead" threshold is checked against this: no function may run longer.
    const longest = Math.max(...FUNCTIONS.map((fn) => base.properties(fn.id).Timeout as number));
    expect(longest).toBeLessThanOrEqual(LONGEST_FUNCTION_MINUTES * 60);
    const backfillConcurrency = base.properties('BackfillLambdaFunction').ReservedConcurrentExecutions;
    expect([1, 2]).toContain(backfillConcurrency);
  });

  it('sends every failed asynchronous invocation to the dead-letter queue', () => {
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:athena-logs-dev-dead-letters`;
    const configs = base.resourcesOfType('AWS::Lambda::EventInvokeConfig').map(([id]) => base.properties(id));
    for (const fn of FUNCTIONS) {
      const config = configs.find((candidate) => candidate.FunctionName === `athena-logs-dev-${fn.name}`);
      expect(config, fn.name).toBeDefined();
      expect(config?.DestinationConfig).toEqual({ OnFailure: { Destination: queueArn } });
    }
    expect(allows(roleStatements(base, ROLE), 'sqs:SendMessage', queueArn)).toBe(true);
    const queue = base.properties('DeadLetterQueue');
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(queue.MessageRetentionPeriod).toBe(1_209_600);
  });
});

describe('the Lambda package', () => {
  const entries = () => [...defaults.zips.values()].flat();
  const bundles = () =>
    entries()
      .filter((entry) => entry.name.endsWith('.mjs'))
      .map((entry) => ({ name: entry.name, text: entry.data().toString('utf8') }));

  it('holds one ESM bundle per handler and nothing else: no node_modules, no DuckDB, no native module', () => {
    expect(defaults.zips.size).toBe(1);
    const names = entries().map((entry) => entry.name);
    expect(names.filter((name) => !name.endsWith('/')).sort()).toEqual(
      FUNCTIONS.map((fn) => `${fn.file}.mjs`).sort(),
    );
    for (const name of names) {
      expect(name).not.toMatch(/node_modules|@duckdb|duckdb|dynalite|\.node$|\.ts$/);
    }
  });

  it('exports each handler and imports statically only Node built-ins (no dependency is left outside)', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
    for (const bundle of bundles()) {
      expect(bundle.text, bundle.name).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      const staticImports = [
        ...bundle.text.matchAll(/^\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/gm),
      ];
      // esbuild leaves a require() of a module it did not bundle as __require("…") (a text require(… is a string).
      const requires = [...bundle.text.matchAll(/\b__require\(\s*["']([^"']+)["']\s*\)/g)];
      for (const [, specifier = ''] of [...staticImports, ...requires])
        expect(builtins.has(specifier), `${bundle.name} imports ${specifier}`).toBe(true);
      // Lazily imported modules that are not packaged: only DuckDB's, which the Lambda path never runs.
      for (const [, specifier = ''] of bundle.text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g))
        expect(
          builtins.has(specifier) || specifier === '@duckdb/node-api',
          `${bundle.name}: import(${specifier})`,
        ).toBe(true);
    }
  });

  it('bundles the AWS SDK (pinned by package-lock.json) and no development dependency', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const all = bundles()
      .map((bundle) => bundle.text)
      .join('\n');
    expect(all).toMatch(/\/\/ node_modules\/@aws-sdk\/client-dynamodb\//);
    for (const name of [...Object.keys(pkg.devDependencies), '@duckdb/node-api', 'dynalite']) {
      expect(all.includes(`// node_modules/${name}/`), `${name} is bundled`).toBe(false);
    }
  });
});

describe('schedules and EventBridge rules', () => {
  it('runs nightly on the schedule parameter (default: 01:30 UTC) and the sweeper every 5 minutes', () => {
    expect(rulesTargeting(base, 'NightlyLambdaFunction').map((rule) => rule.ScheduleExpression)).toEqual([
      'cron(30 1 * * ? *)',
    ]);
    expect(rulesTargeting(base, 'SweeperLambdaFunction').map((rule) => rule.ScheduleExpression)).toEqual([
      'rate(5 minutes)',
    ]);
    expect(rulesTargeting(glue, 'NightlyLambdaFunction').map((rule) => rule.ScheduleExpression)).toEqual([
      OVERRIDES.schedule,
    ]);
    expect(rulesTargeting(base, 'BackfillLambdaFunction')).toEqual([]);
  });

  it('routes the end of every Athena query of the workgroup to onConversionEvent', () => {
    const rules = rulesTargeting(base, 'OnConversionEventLambdaFunction');
    expect(rules.map((rule) => rule.EventPattern)).toEqual([
      {
        source: ['aws.athena'],
        'detail-type': ['Athena Query State Change'],
        detail: { currentState: ['SUCCEEDED', 'FAILED', 'CANCELLED'], workgroupName: ['athena-logs-dev'] },
      },
    ]);
    const permission = base.properties('AthenaQueryStatePermission');
    expect(permission).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:athena-logs-dev-onConversionEvent`,
      SourceArn: base.value({ 'Fn::GetAtt': ['AthenaQueryStateRule', 'Arn'] }),
    });
  });

  it('adds the Glue job rule only when glueJobName is set', () => {
    expect(base.resource('GlueJobStateRule')).toBeUndefined();
    expect(base.resource('GlueJobStatePermission')).toBeUndefined();
    const patterns = rulesTargeting(glue, 'OnConversionEventLambdaFunction').map((rule) => rule.EventPattern);
    expect(patterns).toContainEqual({
      source: ['aws.glue'],
      'detail-type': ['Glue Job State Change'],
      detail: { jobName: ['athena-logs-convert'], state: ['SUCCEEDED', 'FAILED', 'TIMEOUT', 'STOPPED'] },
    });
    expect(patterns).toContainEqual(
      expect.objectContaining({ detail: expect.objectContaining({ workgroupName: ['primary'] }) }),
    );
    expect(glue.properties('GlueJobStatePermission').SourceArn).toBe(
      glue.value({ 'Fn::GetAtt': ['GlueJobStateRule', 'Arn'] }),
    );
  });
});

describe('environment variables', () => {
  const lake = `athena-logs-lake-${ACCOUNT}-${REGION}`;
  const expected = {
    BOOKMARK_TABLE: 'athena-logs-dev-bookmarks',
    RAW_LOCATION: `s3://athena-logs-raw-${ACCOUNT}-${REGION}/`,
    LAKE_LOCATION: `s3://${lake}/lake/`,
    SOURCES: AVAILABLE_SOURCES.join(','),
    S3_PREFIXES: '{"s3_access":"s3-access/","cloudfront":"cloudfront/"}',
    FLAT_LAYOUTS: '{}',
    ENGINE: 'athena',
    ATHENA_WORKGROUP: 'athena-logs-dev',
    ATHENA_OUTPUT_LOCATION: `s3://${lake}/athena-results/`,
    GLUE_DATABASE: 'athena_logs',
    GLUE_JOB_NAME: '',
    LOOKBACK_DAYS: '2',
    MAX_IN_FLIGHT: '20',
    RETRY_BUDGET: '3',
    BACKFILL_MAX_DAYS: '366',
    POLL_AFTER_MINUTES: '10',
    STUCK_AFTER_MINUTES: '30',
    ALERT_TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT}:athena-logs-dev-alerts`,
    BACKFILL_FUNCTION_NAME: 'athena-logs-dev-backfill',
    POWERTOOLS_SERVICE_NAME: 'athena-logs-dev',
    POWERTOOLS_METRICS_NAMESPACE: 'AthenaLogs',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };

  it.each(FUNCTIONS)('gives $name exactly the settings of the deployment', (fn) => {
    expect(env(base, fn.id)).toEqual(expected);
  });

  it('names the backfill function that exists, for its self-invocation', () => {
    expect(env(base, 'NightlyLambdaFunction').BACKFILL_FUNCTION_NAME).toBe(
      base.properties('BackfillLambdaFunction').FunctionName,
    );
  });

  it('gives every source that is not delivered under AWSLogs/ a default prefix', () => {
    const prefixes = JSON.parse(expected.S3_PREFIXES) as Record<string, string>;
    for (const name of sourcesNeedingPrefix(Object.values(SOURCES))) expect(prefixes[name]).toMatch(/\/$/);
  });

  it('carries the --param overrides', () => {
    expect(env(glue, 'SweeperLambdaFunction')).toMatchObject({
      BOOKMARK_TABLE: 'athena-logs-prod-bookmarks',
      RAW_LOCATION: 's3://org-logs/central/',
      LAKE_LOCATION: 's3://org-lake/tables/',
      SOURCES: 'vpc_flow,cloudtrail',
      ENGINE: 'glue',
      GLUE_JOB_NAME: 'athena-logs-convert',
      ATHENA_WORKGROUP: 'primary',
      ATHENA_OUTPUT_LOCATION: 's3://org-lake/athena-results/',
      GLUE_DATABASE: 'logs_prod',
      POWERTOOLS_SERVICE_NAME: 'athena-logs-prod',
    });
  });

  it('is accepted by the functions’ settings reader (functions/lib/settings.ts)', async () => {
    const { readSettings } = (await import('../../functions/lib/settings.js')) as {
      readSettings(env: Record<string, string>): { engine: string; sources: { name: string }[] };
    };
    expect(readSettings({ ...env(base, 'NightlyLambdaFunction'), AWS_REGION: REGION }).engine).toBe('athena');
    const settings = readSettings({ ...env(glue, 'NightlyLambdaFunction'), AWS_REGION: REGION });
    expect(settings.engine).toBe('glue');
    expect(settings.sources.map((source) => source.name)).toEqual(['vpc_flow', 'cloudtrail']);
  });
});

describe('the bookmark table', () => {
  it('is on-demand, recoverable to a point in time, encrypted, retained, with both indexes', () => {
    const table = base.resource('BookmarkTable');
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.UpdateReplacePolicy).toBe('Retain');
    const properties = base.properties('BookmarkTable');
    expect(properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    expect(properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'by-state',
        KeySchema: [
          { AttributeName: 'stateKey', KeyType: 'HASH' },
          { AttributeName: 'updatedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'by-active-run',
        KeySchema: [{ AttributeName: 'activeRunId', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: 'by-retry',
        KeySchema: [
          { AttributeName: 'retryQueue', KeyType: 'HASH' },
          { AttributeName: 'retryAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    const types = Object.fromEntries(
      (properties.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]).map((a) => [
        a.AttributeName,
        a.AttributeType,
      ]),
    );
    expect(types).toEqual({
      pk: 'S',
      sk: 'S',
      stateKey: 'S',
      updatedAt: 'S',
      activeRunId: 'S',
      retryQueue: 'S',
      retryAt: 'N',
    });
  });

  it('is left to the kept table of a removed stack with createBookmarkTable=false, named alike', () => {
    expect(glue.resource('BookmarkTable')).toBeUndefined();
    expect(overridden.template.Outputs?.BookmarkTableName).toMatchObject({
      Value: 'athena-logs-prod-bookmarks',
    });
    expect(defaults.template.Outputs?.BookmarkTableName).toMatchObject({
      Value: 'athena-logs-dev-bookmarks',
    });
  });

  it('has the index names the bookmark store queries', async () => {
    const { STATE_INDEX, ACTIVE_RUN_INDEX, RETRY_INDEX } =
      await import('../../shared/bookmarks/bookmark-table.js');
    const names = (base.properties('BookmarkTable').GlobalSecondaryIndexes as { IndexName: string }[]).map(
      (index) => index.IndexName,
    );
    expect(names).toEqual([STATE_INDEX, ACTIVE_RUN_INDEX, RETRY_INDEX]);
  });
});

describe('alarms and the topic', () => {
  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:athena-logs-dev-alerts`;
  const service = [{ Name: 'service', Value: 'athena-logs-dev' }];
  const fn = (name: string) => [{ Name: 'FunctionName', Value: `athena-logs-dev-${name}` }];
  const cases = [
    [
      'FailedConversionsAlarm',
      'AthenaLogs',
      'ConversionsFailed',
      service,
      'Sum',
      'GreaterThanOrEqualToThreshold',
      1,
      'notBreaching',
    ],
    [
      'FreshnessAlarm',
      'AthenaLogs',
      'OldestLagHours',
      service,
      'Maximum',
      'GreaterThanThreshold',
      36,
      'breaching',
    ],
    [
      'NeverConvertedAlarm',
      'AthenaLogs',
      'SourcesNeverConverted',
      service,
      'Minimum',
      'GreaterThanThreshold',
      0,
      'notBreaching',
    ],
    [
      'DeadLetterQueueAlarm',
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      [{ Name: 'QueueName', Value: 'athena-logs-dev-dead-letters' }],
      'Maximum',
      'GreaterThanThreshold',
      0,
      'notBreaching',
    ],
    [
      'NightlyErrorsAlarm',
      'AWS/Lambda',
      'Errors',
      fn('nightly'),
      'Sum',
      'GreaterThanOrEqualToThreshold',
      1,
      'notBreaching',
    ],
    [
      'BackfillErrorsAlarm',
      'AWS/Lambda',
      'Errors',
      fn('backfill'),
      'Sum',
      'GreaterThanOrEqualToThreshold',
      1,
      'notBreaching',
    ],
    [
      'OnConversionEventErrorsAlarm',
      'AWS/Lambda',
      'Errors',
      fn('onConversionEvent'),
      'Sum',
      'GreaterThanOrEqualToThreshold',
      1,
      'notBreaching',
    ],
    [
      'SweeperErrorsAlarm',
      'AWS/Lambda',
      'Errors',
      fn('sweeper'),
      'Sum',
      'GreaterThanOrEqualToThreshold',
      1,
      'notBreaching',
    ],
  ] as const;

  it.each(cases)(
    '%s watches %s %s and notifies the topic',
    (id, namespace, metric, dimensions, statistic, comparison, threshold, missing) => {
      const alarm = base.properties(id);
      expect(alarm).toMatchObject({
        Namespace: namespace,
        MetricName: metric,
        Dimensions: dimensions,
        Statistic: statistic,
        ComparisonOperator: comparison,
        TreatMissingData: missing,
        AlarmActions: [topicArn],
        OKActions: [topicArn],
      });
      expect(Number(alarm.Threshold)).toBe(threshold);
    },
  );

  it('has an alarm on the errors of every function', () => {
    const watched = base
      .resourcesOfType('AWS::CloudWatch::Alarm')
      .map(([id]) => base.properties(id))
      .filter((alarm) => alarm.Namespace === 'AWS/Lambda' && alarm.MetricName === 'Errors')
      .map((alarm) => (alarm.Dimensions as { Value: string }[])[0]?.Value);
    expect(watched.sort()).toEqual(FUNCTIONS.map((f) => `athena-logs-dev-${f.name}`).sort());
  });

  it('takes the freshness threshold and the service dimension from the parameters and the stage', () => {
    const alarm = glue.properties('FreshnessAlarm');
    expect(Number(alarm.Threshold)).toBe(48);
    expect(alarm.Dimensions).toEqual([{ Name: 'service', Value: 'athena-logs-prod' }]);
    // A source that never converted alarms once it stayed so for every hour of the threshold.
    expect(glue.properties('NeverConvertedAlarm')).toMatchObject({ Period: 3600 });
    expect(Number(glue.properties('NeverConvertedAlarm').EvaluationPeriods)).toBe(48);
    expect(Number(base.properties('NeverConvertedAlarm').EvaluationPeriods)).toBe(36);
  });

  it('subscribes the alarm e-mail only when one is given', () => {
    expect(base.resource('AlertEmailSubscription')).toBeUndefined();
    expect(glue.properties('AlertEmailSubscription')).toEqual({
      TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:athena-logs-prod-alerts`,
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('leaves the topic without a KMS key (CloudWatch cannot publish under the AWS-managed one)', () => {
    expect(base.properties('AlertTopic').KmsMasterKeyId).toBeUndefined();
  });
});

describe('the dashboard', () => {
  interface Widget {
    type: string;
    properties: {
      period?: number;
      metrics?: unknown[][];
      annotations?: { horizontal: { value: unknown }[] };
    };
  }
  const widgets = (evaluator: Evaluator): Widget[] =>
    (JSON.parse(String(evaluator.properties('Dashboard').DashboardBody)) as { widgets: Widget[] }).widgets;
  const metricsOf = (widget: Widget) =>
    (widget.properties.metrics ?? []).filter((line) => typeof line[0] === 'string') as string[][];

  it('is valid JSON once substituted, and shows every custom metric of the service', () => {
    const shown = widgets(base).flatMap((widget) =>
      metricsOf(widget)
        .filter((line) => line[0] === 'AthenaLogs')
        .map((line) => {
          expect(line.slice(2, 4)).toEqual(['service', 'athena-logs-dev']);
          return line[1];
        }),
    );
    for (const name of [
      'ConversionsStarted',
      'ConversionsSucceeded',
      'ConversionsFailed',
      'ConversionRetries',
      'RowsOut',
      'RowsRejected',
      'BytesScanned',
      'PendingConversions',
      'RunningConversions',
      'OldestLagHours',
    ])
      expect(shown).toContain(name);
  });

  it('counts conversions per day and draws the lag of every source with one SEARCH expression', () => {
    const conversions = widgets(base).find((widget) =>
      metricsOf(widget).some((line) => line[1] === 'ConversionsStarted'),
    );
    expect(conversions?.properties.period).toBe(86_400);
    const lag = widgets(base).find((widget) =>
      metricsOf(widget).some((line) => line[1] === 'OldestLagHours'),
    );
    const expressions = (lag?.properties.metrics ?? []).flatMap((line) =>
      line.filter(
        (item): item is { expression: string } =>
          typeof item === 'object' && item !== null && 'expression' in item,
      ),
    );
    expect(expressions.map((item) => item.expression)).toEqual([
      `SEARCH('{AthenaLogs,Source,service} MetricName="HoursSinceLastSuccess" service="athena-logs-dev"', 'Maximum', 900)`,
    ]);
    expect(lag?.properties.annotations?.horizontal[0]?.value).toBe(36);
    expect(widgets(glue).flatMap((widget) => widget.properties.annotations?.horizontal ?? [])[0]?.value).toBe(
      48,
    );
  });

  it('shows the errors of the four functions', () => {
    const functions = widgets(base)
      .flatMap(metricsOf)
      .filter((line) => line[0] === 'AWS/Lambda' && line[1] === 'Errors')
      .map((line) => line[3]);
    expect(functions.sort()).toEqual(FUNCTIONS.map((f) => `athena-logs-dev-${f.name}`).sort());
  });
});

describe('Athena and the catalog', () => {
  it('creates a workgroup that does not enforce its settings (CTAS names an external_location) and that a remove deletes', () => {
    expect(base.properties('AthenaWorkGroup')).toMatchObject({
      Name: 'athena-logs-dev',
      RecursiveDeleteOption: true,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: false,
        ResultConfiguration: { OutputLocation: `s3://athena-logs-lake-${ACCOUNT}-${REGION}/athena-results/` },
      },
    });
    expect(glue.resource('AthenaWorkGroup')).toBeUndefined();
  });

  it('creates the Glue database (retained) unless told it exists', () => {
    expect(base.resource('GlueDatabase')?.DeletionPolicy).toBe('Retain');
    expect(base.properties('GlueDatabase')).toMatchObject({
      CatalogId: ACCOUNT,
      DatabaseInput: { Name: 'athena_logs' },
    });
    expect(glue.resource('GlueDatabase')).toBeUndefined();
  });

  it('saves one named query per query of shared/queries, in the database and workgroup', () => {
    const saved = base
      .resourcesOfType('AWS::Athena::NamedQuery')
      .map(([id]) => [id, base.properties(id)] as const);
    expect(saved.map(([, query]) => query.Name).sort()).toEqual(
      ALL_QUERIES.map((query) => query.name).sort(),
    );
    for (const [id, query] of saved) {
      expect(id).toMatch(/^[A-Za-z0-9]+$/);
      expect(query).toMatchObject({ Database: 'athena_logs', WorkGroup: 'athena-logs-dev' });
      expect(String(query.QueryString)).not.toContain('{{');
    }
    const elsewhere = glue.resourcesOfType('AWS::Athena::NamedQuery').map(([id]) => glue.properties(id));
    expect(elsewhere[0]).toMatchObject({ Database: 'logs_prod', WorkGroup: 'primary' });
  });
});

// ---------------------------------------------------------------- IAM

/**
 * Resource ARNs with a wildcard that the deployment may grant: each names its bucket, table,
 * database or log group, and the wildcard only ranges over what lies below it.
 */
const SCOPED_WILDCARDS: [RegExp, string][] = [
  [/^arn:aws:s3:::[a-z0-9.-]+\/[^*]*\*$/, 'objects under a named bucket (and prefix)'],
  [
    /^arn:aws:glue:[a-z0-9-]+:\d{12}:table\/[a-z0-9_]+\/[a-z0-9_]+\*$/,
    "the project's tables of the named database, by source name prefix",
  ],
  [/^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/[\w.-]+\/index\/\*$/, 'the indexes of the bookmark table'],
  [
    /^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/lambda\/athena-logs-[a-z0-9-]+\*(?::\*){1,2}$/,
    "the log streams of this stack's functions (written by osls)",
  ],
];

/** Actions that AWS does not scope to a resource, allowed on `Resource: "*"`, with the reason. None today. */
const UNSCOPED_ACTIONS: Record<string, string> = {};

/** An Allow statement's problems: wildcard actions, NotAction/NotResource, unscoped resources. */
function problems(statement: Statement, kind: 'identity' | 'trust' | 'resource'): string[] {
  const found: string[] = [];
  if (statement.NotAction !== undefined) found.push('NotAction');
  if (statement.NotResource !== undefined) found.push('NotResource');
  for (const action of actionsOf(statement))
    if (action.includes('*')) found.push(`wildcard action ${action}`);
  if (kind === 'trust') return found;
  const resources = resourcesOf(statement);
  if (kind === 'identity' && resources.length === 0) found.push('no Resource');
  for (const resource of resources) {
    if (resource === '*') {
      const unscoped = actionsOf(statement).filter((action) => !(action in UNSCOPED_ACTIONS));
      if (unscoped.length > 0) found.push(`Resource "*" for ${unscoped.join(', ')}`);
      continue;
    }
    const fields = resource.split(':');
    if (fields[0] !== 'arn' || fields.length < 6) {
      found.push(`not an ARN: ${resource}`);
      continue;
    }
    if (fields.slice(1, 5).some((field) => field.includes('*')))
      found.push(`service-level wildcard ${resource}`);
    if (resource.includes('*') && !SCOPED_WILDCARDS.some(([shape]) => shape.test(resource)))
      found.push(`unscoped wildcard ${resource}`);
  }
  return found;
}

describe('IAM least privilege', () => {
  it.each([
    ['defaults', () => base],
    ['overrides', () => glue],
  ])(
    'no policy of the template (%s) allows a wildcard action or an unscoped resource',
    (_name, evaluator) => {
      const documents = policyDocuments(evaluator());
      expect(documents.filter((document) => document.kind === 'identity').length).toBeGreaterThanOrEqual(1);
      const found = documents.flatMap((document) =>
        document.statements
          // A Deny only takes away (osls's deployment bucket policy refuses every non-TLS request: s3:*).
          .filter((statement) => statement.Effect === 'Allow')
          .flatMap((statement) =>
            problems(statement, document.kind).map(
              (problem) => `${document.where} ${statement.Sid ?? ''}: ${problem}`,
            ),
          ),
      );
      expect(found).toEqual([]);
    },
  );

  it('attaches no managed policy to the functions’ role', () => {
    expect(base.properties(ROLE).ManagedPolicyArns ?? []).toEqual([]);
    expect(glue.properties(ROLE).ManagedPolicyArns ?? []).toEqual([]);
  });

  it('fits the role’s inline policies under IAM’s 10,240-character limit', () => {
    const policies = JSON.stringify(glue.properties(ROLE).Policies).replace(/\s/g, '');
    expect(policies.length).toBeLessThan(10_240);
  });

  it('the problem check itself catches what it must', () => {
    const check = (Action: string, Resource: string) =>
      problems({ Effect: 'Allow', Action, Resource }, 'identity');
    expect(check('s3:*', 'arn:aws:s3:::b/*')).toEqual(['wildcard action s3:*']);
    expect(check('s3:Get*', 'arn:aws:s3:::b/*')).toEqual(['wildcard action s3:Get*']);
    expect(check('s3:GetObject', '*')).toEqual(['Resource "*" for s3:GetObject']);
    expect(check('s3:GetObject', 'arn:aws:s3:::*')).toEqual(['unscoped wildcard arn:aws:s3:::*']);
    expect(check('glue:GetTable', `arn:aws:glue:*:${ACCOUNT}:table/db/t`)).toContain(
      `service-level wildcard arn:aws:glue:*:${ACCOUNT}:table/db/t`,
    );
    expect(check('glue:GetTable', `arn:aws:glue:${REGION}:${ACCOUNT}:table/db/*`)).toEqual([
      `unscoped wildcard arn:aws:glue:${REGION}:${ACCOUNT}:table/db/*`,
    ]);
    expect(check('glue:GetTable', `arn:aws:glue:${REGION}:${ACCOUNT}:table/db/vpc_flow*`)).toEqual([]);
  });
});

/** Names and ARNs the checks below ask the role about. */
function arnsOf(names: {
  raw: string;
  rawPrefix: string;
  lake: string;
  lakePrefix: string;
  db: string;
  stage: string;
  workgroup: string;
}) {
  const glueArn = (resource: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:${resource}`;
  const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/athena-logs-${names.stage}-bookmarks`;
  return {
    workgroup: `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${names.workgroup}`,
    otherWorkgroup: `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/analysts`,
    rawBucket: `arn:aws:s3:::${names.raw}`,
    rawObject: `arn:aws:s3:::${names.raw}/${names.rawPrefix}AWSLogs/${ACCOUNT}/vpcflowlogs/${REGION}/2026/01/01/x.log.gz`,
    lakeBucket: `arn:aws:s3:::${names.lake}`,
    lakeObject: `arn:aws:s3:::${names.lake}/${names.lakePrefix}vpc_flow/account=${ACCOUNT}/region=${REGION}/year=2026/month=01/day=01/v=1/part-0.parquet`,
    manifest: `arn:aws:s3:::${names.lake}/${names.lakePrefix}_manifests/vpc_flow/account=${ACCOUNT}/region=${REGION}/year=2026/month=01/day=01/manifest`,
    resultObject: `arn:aws:s3:::${names.lake}/athena-results/0123-4567.csv`,
    table,
    index: `${table}/index/by-state`,
    catalog: glueArn('catalog'),
    database: glueArn(`database/${names.db}`),
    defaultDatabase: glueArn('database/default'),
    converted: glueArn(`table/${names.db}/vpc_flow`),
    lines: glueArn(`table/${names.db}/cloudtrail_raw_lines`),
    scratch: glueArn(`table/${names.db}/vpc_flow_tmp_20260101_0123456789abcdef_parsed`),
    otherTable: glueArn(`table/${names.db}/payroll`),
    otherDatabase: glueArn('database/finance'),
    job: glueArn('job/athena-logs-convert'),
    topic: `arn:aws:sns:${REGION}:${ACCOUNT}:athena-logs-${names.stage}-alerts`,
    queue: `arn:aws:sqs:${REGION}:${ACCOUNT}:athena-logs-${names.stage}-dead-letters`,
    backfill: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:athena-logs-${names.stage}-backfill`,
    nightly: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:athena-logs-${names.stage}-nightly`,
  };
}
type Arns = ReturnType<typeof arnsOf>;

const DEFAULT_ARNS = arnsOf({
  raw: `athena-logs-raw-${ACCOUNT}-${REGION}`,
  rawPrefix: '',
  lake: `athena-logs-lake-${ACCOUNT}-${REGION}`,
  lakePrefix: 'lake/',
  db: 'athena_logs',
  stage: 'dev',
  workgroup: 'athena-logs-dev',
});
const GLUE_ARNS = arnsOf({
  raw: OVERRIDES.rawBucket,
  rawPrefix: OVERRIDES.rawPrefix,
  lake: OVERRIDES.lakeBucket,
  lakePrefix: OVERRIDES.lakePrefix,
  db: OVERRIDES.glueDatabase,
  stage: 'prod',
  workgroup: OVERRIDES.athenaWorkgroup,
});

type Grant = [action: string, resources: (arns: Arns) => string[]];
const glueTable =
  (...tables: (keyof Arns)[]) =>
  (a: Arns) => [a.catalog, a.database, ...tables.map((t) => a[t])];

/**
 * What each SDK command of the code needs from IAM (actions on resources). A command the code
 * sends that is missing here fails the test: add its actions here and grant them in serverless.yml.
 */
const COMMAND_GRANTS: Record<string, Grant[]> = {
  's3:ListObjectsV2': [['s3:ListBucket', (a) => [a.rawBucket, a.lakeBucket]]],
  's3:GetObject': [['s3:GetObject', (a) => [a.rawObject, a.lakeObject, a.manifest]]],
  's3:HeadObject': [['s3:GetObject', (a) => [a.rawObject, a.lakeObject]]],
  's3:PutObject': [['s3:PutObject', (a) => [a.lakeObject, a.manifest]]],
  's3:CopyObject': [
    ['s3:GetObject', (a) => [a.lakeObject]],
    ['s3:PutObject', (a) => [a.lakeObject]],
  ],
  's3:DeleteObjects': [['s3:DeleteObject', (a) => [a.lakeObject, a.manifest]]],
  's3:DeleteObject': [['s3:DeleteObject', (a) => [a.lakeObject]]],
  'dynamodb:GetItem': [['dynamodb:GetItem', (a) => [a.table]]],
  'dynamodb:UpdateItem': [['dynamodb:UpdateItem', (a) => [a.table]]],
  'dynamodb:Query': [['dynamodb:Query', (a) => [a.table, a.index]]],
  'dynamodb:Scan': [['dynamodb:Scan', (a) => [a.table]]],
  'athena:StartQueryExecution': [['athena:StartQueryExecution', (a) => [a.workgroup]]],
  'athena:GetQueryExecution': [['athena:GetQueryExecution', (a) => [a.workgroup]]],
  'athena:GetQueryResults': [['athena:GetQueryResults', (a) => [a.workgroup]]],
  'athena:StopQueryExecution': [['athena:StopQueryExecution', (a) => [a.workgroup]]],
  'glue:GetTable': [['glue:GetTable', glueTable('converted', 'lines')]],
  'glue:GetTables': [['glue:GetTables', glueTable('scratch')]],
  'glue:GetPartition': [['glue:GetPartition', glueTable('converted', 'lines')]],
  'glue:GetPartitions': [['glue:GetPartitions', glueTable('converted', 'lines')]],
  'glue:BatchCreatePartition': [['glue:BatchCreatePartition', glueTable('converted', 'lines')]],
  'glue:CreatePartition': [['glue:CreatePartition', glueTable('converted', 'lines')]],
  'glue:UpdatePartition': [['glue:UpdatePartition', glueTable('converted', 'lines')]],
  'glue:BatchDeleteTable': [['glue:BatchDeleteTable', glueTable('scratch')]],
  'glue:DeleteTable': [['glue:DeleteTable', glueTable('scratch')]],
  'glue:StartJobRun': [['glue:StartJobRun', (a) => [a.job]]],
  'glue:GetJobRun': [['glue:GetJobRun', (a) => [a.job]]],
  'glue:BatchStopJobRun': [['glue:BatchStopJobRun', (a) => [a.job]]],
  'lambda:Invoke': [['lambda:InvokeFunction', (a) => [a.backfill]]],
  'sns:Publish': [['sns:Publish', (a) => [a.topic]]],
  'sqs:SendMessage': [['sqs:SendMessage', (a) => [a.queue]]],
};

/** Commands of the code that the Lambda package never sends (checked: absent from every bundle). */
const NOT_ON_LAMBDA: Record<string, string> = {
  'dynamodb:CreateTable': 'ensureBookmarkTable, for local runs: on AWS the stack creates the table',
  'dynamodb:DescribeTable': 'ensureBookmarkTable, for local runs: on AWS the stack creates the table',
};

/** Granted only when the Glue engine's job is named (GlueJobPolicy, Condition HasGlueJob). */
const GLUE_JOB_ACTIONS = new Set(['glue:StartJobRun', 'glue:GetJobRun', 'glue:BatchStopJobRun']);

/**
 * What Athena does with the caller's credentials while it runs the conversions' queries (CTAS
 * into scratch tables, reading the lines tables through their manifests, writing results).
 */
const ATHENA_GRANTS: Grant[] = [
  ['s3:GetObject', (a) => [a.rawObject, a.manifest, a.lakeObject, a.resultObject]],
  ['s3:ListBucket', (a) => [a.lakeBucket]],
  ['s3:GetBucketLocation', (a) => [a.rawBucket, a.lakeBucket]],
  ['s3:PutObject', (a) => [a.lakeObject, a.resultObject]],
  ['s3:AbortMultipartUpload', (a) => [a.lakeObject, a.resultObject]],
  ['s3:ListMultipartUploadParts', (a) => [a.lakeObject, a.resultObject]],
  ['s3:ListBucketMultipartUploads', (a) => [a.lakeBucket]],
  ['glue:GetDatabase', (a) => [a.catalog, a.database, a.defaultDatabase]],
  ['glue:GetTable', glueTable('converted', 'lines', 'scratch')],
  ['glue:GetPartitions', glueTable('converted', 'lines')],
  ['glue:BatchGetPartition', glueTable('converted', 'lines')],
  ['glue:CreateTable', glueTable('scratch')],
  ['glue:DeleteTable', glueTable('scratch')],
  ['glue:BatchCreatePartition', glueTable('lines')],
];

/** What the role must NOT allow: the raw logs are read-only, the project's own tables are never dropped… */
const REFUSED: Grant[] = [
  ['s3:PutObject', (a) => [a.rawObject]],
  ['s3:DeleteObject', (a) => [a.rawObject, a.resultObject]],
  // Glue authorizes the catalog, the database and the table: refusing the table is enough.
  ['glue:DeleteTable', (a) => [a.converted, a.lines]],
  ['glue:CreateTable', (a) => [a.converted]],
  ['glue:GetTable', (a) => [a.otherTable]],
  ['glue:GetDatabase', (a) => [a.otherDatabase]],
  ['lambda:InvokeFunction', (a) => [a.nightly]],
  ['dynamodb:DeleteItem', (a) => [a.table]],
  ['athena:StartQueryExecution', (a) => [a.otherWorkgroup]],
];

describe('IAM: every AWS call of the code is granted, and no more than needed', () => {
  const commands = sourceCommands(ROOT, ['shared', 'functions']);
  const bundleText = () =>
    [...defaults.zips.values()]
      .flat()
      .filter((entry) => entry.name.endsWith('.mjs'))
      .map((entry) => entry.data().toString('utf8'))
      .join('\n');

  const templates = [
    ['defaults', () => base, DEFAULT_ARNS],
    ['Glue overrides', () => glue, GLUE_ARNS],
  ] as const;

  it('knows the IAM actions of every SDK command in shared/ and functions/', () => {
    expect(commands.length).toBeGreaterThan(10);
    const unknown = commands.filter(
      (command) => !(command.key in COMMAND_GRANTS) && !(command.key in NOT_ON_LAMBDA),
    );
    // A failure here: add the command's actions to COMMAND_GRANTS and grant them in serverless.yml.
    expect(unknown.map((command) => `${command.key} (${command.files.join(', ')})`)).toEqual([]);
  });

  it('never sends from Lambda the commands it is not granted (local-only)', () => {
    const bundled = bundledCommandClasses(bundleText());
    for (const command of commands.filter((c) => c.key in NOT_ON_LAMBDA))
      expect(bundled.has(command.className), `${command.className} is in the Lambda bundle`).toBe(false);
  });

  it.each(templates)('grants each command the Lambda bundle sends (%s)', (name, evaluator, a) => {
    const statements = roleStatements(evaluator(), ROLE);
    const text = bundleText();
    const bundled = bundledCommandClasses(text);
    const sent = commands.filter(
      (command) =>
        !(command.key in NOT_ON_LAMBDA) &&
        (bundled.has(command.className) ||
          text.includes(`paginate${command.className.replace(/Command$/, '')}`)),
    );
    expect(sent.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const command of sent) {
      for (const [action, resources] of COMMAND_GRANTS[command.key] ?? []) {
        const expected = !(name === 'defaults' && GLUE_JOB_ACTIONS.has(action));
        for (const resource of resources(a))
          if (allows(statements, action, resource) !== expected)
            missing.push(
              `${command.key}: ${action} on ${resource} ${expected ? 'not granted' : 'granted without a job'}`,
            );
      }
    }
    expect(missing).toEqual([]);
  });

  it.each(templates)('grants what Athena does with the caller’s credentials (%s)', (_name, evaluator, a) => {
    const statements = roleStatements(evaluator(), ROLE);
    const missing = ATHENA_GRANTS.flatMap(([action, resources]) =>
      resources(a)
        .filter((resource) => !allows(statements, action, resource))
        .map((resource) => `${action} on ${resource}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(templates)('refuses what the functions never need (%s)', (_name, evaluator, a) => {
    const statements = roleStatements(evaluator(), ROLE);
    const granted = REFUSED.flatMap(([action, resources]) =>
      resources(a)
        .filter((resource) => allows(statements, action, resource))
        .map((resource) => `${action} on ${resource}`),
    );
    expect(granted).toEqual([]);
  });
});
