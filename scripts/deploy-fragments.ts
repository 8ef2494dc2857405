/**
 * CloudFormation fragments of serverless.yml built from TypeScript data: the Athena named queries
 * (from shared/queries) and the CloudWatch dashboard. `npm run export:deploy` writes them to
 * deploy/named-queries.json and deploy/dashboard.json, which serverless.yml includes with
 * `${file(…)}`; test/deploy/fragments.test.ts fails when they are stale.
 *
 * The fragments may hold osls variables (`${self:…}`, `${param:…}`, `${sls:stage}`): osls resolves
 * them in included files as in serverless.yml.
 */
import { ALL_QUERIES, partitionFilter, queryParameters, type NamedQuery } from '../shared/queries/index.js';
import { quoteLiteral } from '../shared/sql/identifiers.js';
import { sqlCommentLines } from '../shared/sql/sql-comment.js';

/** A CloudFormation resource as it appears in a template. */
export interface CfnResource {
  Type: string;
  Condition?: string;
  Properties: Record<string, unknown>;
}

/** How many days a named query reads when opened: the days ending yesterday (UTC). */
export const NAMED_QUERY_DAYS = 7;
/** The account a query that needs one names until the user puts theirs. */
export const EXAMPLE_ACCOUNT = '123456789012';
/**
 * Example values of query parameters that have no default (a named query must be valid SQL when
 * opened). A new parameter without a default must get one here.
 */
export const EXAMPLE_PARAMETERS: Readonly<Record<string, string>> = { resource: 'my-bucket' };

// Sentinel dates: partitionFilter quotes them; they are then replaced by expressions of current_date.
const FROM_SENTINEL = '0001-01-01';
const TO_SENTINEL = '0001-01-02';
const FROM_EXPRESSION = `date_format(current_date - INTERVAL '${NAMED_QUERY_DAYS}' DAY, '%Y-%m-%d')`;
const TO_EXPRESSION = "date_format(current_date - INTERVAL '1' DAY, '%Y-%m-%d')";

/**
 * The partition filter of `shared/queries` (the one `athena-logs query` runs) over the last
 * {@link NAMED_QUERY_DAYS} days ending yesterday, relative to when the query runs.
 */
export function relativePartitionFilter(account?: string): string {
  const filter = partitionFilter({ from: FROM_SENTINEL, to: TO_SENTINEL, account, params: {} });
  const from = quoteLiteral(FROM_SENTINEL);
  const to = quoteLiteral(TO_SENTINEL);
  if (!filter.includes(from) || !filter.includes(to))
    throw new Error(`The partition filter no longer quotes its dates as literals: ${filter}`);
  return filter.replace(from, FROM_EXPRESSION).replace(to, TO_EXPRESSION);
}

/**
 * The Athena text of a named query as the console opens it: a comment saying what it reads and
 * how to change that, then the query with the relative partition filter and example values.
 */
export function namedQueryText(query: NamedQuery): string {
  const given: Record<string, string> = {};
  for (const [name, spec] of Object.entries(query.parameters ?? {})) {
    if (spec.default !== undefined) continue;
    const example = EXAMPLE_PARAMETERS[name];
    if (example === undefined)
      throw new Error(
        `Query ${query.name}: parameter ${name} has no default; add an example to EXAMPLE_PARAMETERS.`,
      );
    given[name] = example;
  }
  const values = queryParameters(query, given);
  let sql = query.athena.replace(
    '{{partition_filter}}',
    relativePartitionFilter(query.requiresAccount ? EXAMPLE_ACCOUNT : undefined),
  );
  for (const [name, value] of Object.entries(values))
    sql = sql.split(`{{${name}}}`).join(quoteLiteral(value));

  const notes = [
    `athena-logs named query ${query.name} (${query.source}): ${query.description}`,
    `It reads the ${NAMED_QUERY_DAYS} days ending yesterday (UTC). For other days, replace the two date_format(…) bounds with dates, e.g. BETWEEN '2026-01-01' AND '2026-01-31'; add AND account = '…' or AND region = '…' to read fewer partitions.`,
  ];
  if (query.requiresAccount) notes.push(`Replace the example account ${EXAMPLE_ACCOUNT} with yours.`);
  for (const [name, value] of Object.entries(values)) {
    const spec = query.parameters?.[name];
    notes.push(`${name} = ${quoteLiteral(value)}${spec ? `: ${spec.description}` : ''}.`);
  }
  notes.push(`From a checkout: npx athena-logs query ${query.name} --from D --to D.`);
  return [...notes.flatMap((note) => sqlCommentLines(note)), sql].join('\n');
}

/** `s3-requests-by-principal` → `NamedQueryS3RequestsByPrincipal` (CloudFormation logical ids are alphanumeric). */
export function namedQueryLogicalId(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  return `NamedQuery${words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join('')}`;
}

/** One `AWS::Athena::NamedQuery` per query of shared/queries, in the database and workgroup of the stack. */
export function namedQueryResources(): { Resources: Record<string, CfnResource> } {
  const resources: Record<string, CfnResource> = {};
  for (const query of ALL_QUERIES) {
    const id = namedQueryLogicalId(query.name);
    if (id in resources) throw new Error(`Two named queries map to the logical id ${id}.`);
    resources[id] = {
      Type: 'AWS::Athena::NamedQuery',
      Properties: {
        Name: query.name,
        Description: `athena-logs (${query.source}): ${query.description}`.slice(0, 1024),
        Database: '${self:custom.glueDatabaseRef}',
        WorkGroup: '${self:custom.athenaWorkgroupRef}',
        QueryString: namedQueryText(query),
      },
    };
  }
  return { Resources: resources };
}

/** The custom metrics, as the functions emit them (Powertools EMF, namespace AthenaLogs). */
export const METRIC_NAMESPACE = 'AthenaLogs';

type MetricLine = (string | Record<string, unknown>)[];

const metric = (name: string, label: string, options: Record<string, unknown> = {}): MetricLine => [
  METRIC_NAMESPACE,
  name,
  'service',
  '${Service}',
  { label, ...options },
];

const lambdaErrors = (variable: string, label: string): MetricLine => [
  'AWS/Lambda',
  'Errors',
  'FunctionName',
  `\${${variable}}`,
  { label },
];

interface Widget {
  type: 'metric' | 'text';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

function metricWidget(
  position: [number, number],
  title: string,
  properties: Record<string, unknown>,
): Widget {
  const [x, y] = position;
  return {
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region: '${AWS::Region}', view: 'timeSeries', stacked: false, ...properties },
  };
}

// Replaced by the alarm's threshold, a number (unquoted) in the substituted JSON.
const FRESHNESS_MARK = '__FRESHNESS_HOURS__';

/** The dashboard's widgets (text of the body before Fn::Sub fills `${Service}`, `${AWS::Region}`, …). */
export function dashboardWidgets(): Widget[] {
  const day = 86_400;
  return [
    {
      type: 'text',
      x: 0,
      y: 0,
      width: 24,
      height: 2,
      properties: {
        markdown:
          '## athena-logs ${Stage}\nConversions by state per day, rows, Athena bytes scanned, the lag of each source and the Lambda errors. ' +
          'Alarms go to the SNS topic ${AlertTopicName}; failed asynchronous invocations wait in the queue ${DeadLetterQueueName}. README, "Deploy".',
      },
    },
    metricWidget([0, 2], 'Conversions per day by state', {
      period: day,
      stat: 'Sum',
      metrics: [
        metric('ConversionsStarted', 'Started'),
        metric('ConversionsSucceeded', 'Succeeded'),
        metric('ConversionsFailed', 'Failed (final)'),
        metric('ConversionRetries', 'Retries'),
        metric('PartitionsPlanned', 'Planned'),
      ],
    }),
    metricWidget([12, 2], 'Rows per day', {
      period: day,
      stat: 'Sum',
      metrics: [metric('RowsOut', 'Rows out'), metric('RowsRejected', 'Rows rejected')],
    }),
    metricWidget([0, 8], 'Bytes scanned per day (Athena)', {
      period: day,
      stat: 'Sum',
      metrics: [metric('BytesScanned', 'Bytes scanned')],
    }),
    metricWidget([12, 8], 'Hours since the last successful conversion, per source', {
      period: 900,
      stat: 'Maximum',
      metrics: [
        [
          {
            id: 'lag',
            label: '',
            expression: `SEARCH('{${METRIC_NAMESPACE},Source,service} MetricName="HoursSinceLastSuccess" service="\${Service}"', 'Maximum', 900)`,
          },
        ],
        metric('OldestLagHours', 'Oldest (the freshness alarm)'),
      ],
      annotations: { horizontal: [{ label: 'Freshness alarm', value: FRESHNESS_MARK }] },
      yAxis: { left: { min: 0, label: 'hours', showUnits: false } },
    }),
    metricWidget([0, 14], 'Pending and running conversions', {
      period: 900,
      stat: 'Maximum',
      metrics: [metric('PendingConversions', 'Pending'), metric('RunningConversions', 'Running')],
    }),
    metricWidget([12, 14], 'Lambda errors and dead letters', {
      period: 300,
      stat: 'Sum',
      metrics: [
        lambdaErrors('NightlyFunction', 'nightly'),
        lambdaErrors('BackfillFunction', 'backfill'),
        lambdaErrors('OnConversionEventFunction', 'onConversionEvent'),
        lambdaErrors('SweeperFunction', 'sweeper'),
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          '${DeadLetterQueueName}',
          { label: 'Dead letters', stat: 'Maximum' },
        ],
      ],
    }),
  ];
}

/** The `AWS::CloudWatch::Dashboard`; its body is JSON text that Fn::Sub completes. */
export function dashboardResources(): { Resources: Record<string, CfnResource> } {
  const body = JSON.stringify({ start: '-P14D', widgets: dashboardWidgets() }).replace(
    `"${FRESHNESS_MARK}"`,
    '${FreshnessHours}',
  );
  return {
    Resources: {
      Dashboard: {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: {
          DashboardName: '${self:service}-${sls:stage}',
          DashboardBody: {
            'Fn::Sub': [
              body,
              {
                Stage: '${sls:stage}',
                Service: '${self:custom.serviceDimension}',
                FreshnessHours: '${param:freshnessHours}',
                NightlyFunction: { Ref: 'NightlyLambdaFunction' },
                BackfillFunction: { Ref: 'BackfillLambdaFunction' },
                OnConversionEventFunction: { Ref: 'OnConversionEventLambdaFunction' },
                SweeperFunction: { Ref: 'SweeperLambdaFunction' },
                AlertTopicName: { 'Fn::GetAtt': ['AlertTopic', 'TopicName'] },
                DeadLetterQueueName: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] },
              },
            ],
          },
        },
      },
    },
  };
}
