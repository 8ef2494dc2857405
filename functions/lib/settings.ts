import { resolveAwsSettings, type AwsSettings } from '../../shared/config-aws.js';
import { UsageError } from '../../shared/errors.js';
import { checkFlatLayouts, type FlatLayouts } from '../../shared/flat-layouts.js';
import { AVAILABLE_SOURCES, SOURCES } from '../../shared/sources/index.js';
import type { LogSource, SourceName } from '../../shared/sources/types.js';

/** What the functions are configured with: the deployment's environment variables, checked. */
export interface LambdaSettings {
  aws: AwsSettings;
  engine: 'athena' | 'glue';
  sources: LogSource[];
  /** Account and region of the sources whose keys name neither (else `unknown`). */
  flatLayouts: FlatLayouts;
  tableName: string;
  lookbackDays: number;
  maxInFlight: number;
  retryBudget: number;
  backfillMaxDays: number;
  pollAfterMinutes: number;
  stuckAfterMinutes: number;
  /** SNS topic told of every conversion that failed for good (empty: none). */
  alertTopicArn?: string;
  /** The backfill function re-invokes itself by this name to continue past one invocation. */
  backfillFunctionName?: string;
}

type Environment = Record<string, string | undefined>;

function required(env: Environment, name: string): string {
  const value = env[name]?.trim();
  if (!value)
    throw new UsageError(
      `The environment variable ${name} is missing: the deployment (serverless.yml) sets it.`,
      {
        field: name,
      },
    );
  return value;
}

/** The longest function timeout in serverless.yml (nightly and backfill: Lambda's 15 minutes). */
export const LONGEST_FUNCTION_MINUTES = 15;

function wholeNumber(env: Environment, name: string, fallback: number, minimum: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum)
    throw new UsageError(
      `The environment variable ${name} must be a whole number ≥ ${minimum}, not "${text}".`,
      {
        field: name,
      },
    );
  return value;
}

function sourcesOf(text: string): LogSource[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0)
    throw new UsageError('The environment variable SOURCES names no source.', { field: 'SOURCES' });
  return names.map((name) => {
    if (!(name in SOURCES))
      throw new UsageError(
        `The environment variable SOURCES names "${name}", which is not a source (${AVAILABLE_SOURCES.join(', ')}).`,
        { field: 'SOURCES' },
      );
    return SOURCES[name as SourceName];
  });
}

function jsonObject(env: Environment, name: string): Record<string, unknown> {
  const text = env[name]?.trim();
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // Said below, with the variable's name.
  }
  throw new UsageError(`The environment variable ${name} must be a JSON object, not ${text}.`, {
    field: name,
  });
}

/**
 * An S3 folder the deployment names (`s3://bucket/prefix/`). It must end in `/`: the IAM policy
 * grants `<prefix>*`, which without the slash also grants every sibling folder that starts alike.
 */
function folder(env: Environment, name: string, param: string): string {
  const value = required(env, name);
  if (!value.endsWith('/'))
    throw new UsageError(
      `The environment variable ${name} (${value}) must end in "/": deploy with --param ${param} ending in "/" (the IAM policy grants what starts with it).`,
      { field: name },
    );
  return value;
}

/** FLAT_LAYOUTS: the account and region of the sources whose keys name neither (CloudFront, S3 access logs). */
function flatLayoutsOf(env: Environment): FlatLayouts {
  const value = jsonObject(env, 'FLAT_LAYOUTS');
  checkFlatLayouts(value, 'FLAT_LAYOUTS', 'The environment variable FLAT_LAYOUTS');
  return value;
}

/** Reads and checks the functions' settings; every problem names its environment variable. */
export function readSettings(env: Environment = process.env): LambdaSettings {
  const engine = env.ENGINE?.trim() || 'athena';
  if (engine !== 'athena' && engine !== 'glue')
    throw new UsageError(`The environment variable ENGINE must be "athena" or "glue", not "${engine}".`, {
      field: 'ENGINE',
    });
  if (engine === 'glue' && !env.GLUE_JOB_NAME?.trim())
    throw new UsageError(
      'The environment variable GLUE_JOB_NAME is empty but ENGINE is glue: deploy with --param glueJobName=<the Glue job that converts>.',
      { field: 'GLUE_JOB_NAME' },
    );
  const sources = sourcesOf(env.SOURCES ?? AVAILABLE_SOURCES.join(','));
  const aws = resolveAwsSettings(
    engine,
    { raw: folder(env, 'RAW_LOCATION', 'rawPrefix'), lake: folder(env, 'LAKE_LOCATION', 'lakePrefix') },
    {
      database: env.GLUE_DATABASE?.trim() || undefined,
      athena: {
        workgroup: env.ATHENA_WORKGROUP?.trim() || undefined,
        outputLocation: env.ATHENA_OUTPUT_LOCATION?.trim()
          ? folder(env, 'ATHENA_OUTPUT_LOCATION', 'athenaOutputLocation')
          : undefined,
      },
      glue: { jobName: env.GLUE_JOB_NAME?.trim() || undefined },
      awsRegion: env.AWS_REGION?.trim() || undefined,
      s3Prefixes: jsonObject(env, 'S3_PREFIXES') as Record<string, string>,
    },
    sources,
  );
  return {
    aws,
    engine,
    sources,
    flatLayouts: flatLayoutsOf(env),
    tableName: required(env, 'BOOKMARK_TABLE'),
    lookbackDays: wholeNumber(env, 'LOOKBACK_DAYS', 2, 0),
    maxInFlight: wholeNumber(env, 'MAX_IN_FLIGHT', 20, 1),
    retryBudget: wholeNumber(env, 'RETRY_BUDGET', 3, 1),
    backfillMaxDays: wholeNumber(env, 'BACKFILL_MAX_DAYS', 366, 1),
    // The sweeper presumes an invocation dead after this long: never while one can still be running.
    pollAfterMinutes: wholeNumber(env, 'POLL_AFTER_MINUTES', 10, 1),
    stuckAfterMinutes: wholeNumber(env, 'STUCK_AFTER_MINUTES', 30, LONGEST_FUNCTION_MINUTES + 1),
    alertTopicArn: env.ALERT_TOPIC_ARN?.trim() || undefined,
    backfillFunctionName: env.BACKFILL_FUNCTION_NAME?.trim() || undefined,
  };
}
