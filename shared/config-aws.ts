import { UsageError } from './errors.js';
import type { LogSource, SourceName } from './sources/types.js';
import { parseS3Location, type S3Location } from './storage/s3-location.js';
import { sourcesNeedingPrefix } from './storage/s3-raw-listing.js';

/** What the Athena and Glue engines need beyond the common settings (configuration keys). */
export interface AwsSettingsFile {
  /** Glue/Athena database of the raw, lines and converted tables (default `athena_logs`). */
  database?: string;
  athena?: { workgroup?: string; outputLocation?: string };
  glue?: { jobName?: string };
  /** AWS region of the clients (default: the SDK's own resolution, e.g. AWS_REGION). */
  awsRegion?: string;
  /** Key prefixes (relative to the raw root) of the sources not delivered under `AWSLogs/`. */
  s3Prefixes?: Partial<Record<SourceName, string>>;
  /** How raw partitions are registered: Glue BatchCreatePartition (default) or Athena `ALTER TABLE … ADD PARTITION`. */
  registration?: 'glue' | 'athena';
}

export interface AwsSettings {
  raw: S3Location;
  lake: S3Location;
  database: string;
  athena: { workgroup: string; outputLocation?: string };
  glue: { jobName?: string };
  awsRegion?: string;
  s3Prefixes: Partial<Record<SourceName, string>>;
  registration: 'glue' | 'athena';
}

/** Athena's rule for database names (we choose ours: lowercase letters, digits, underscore). */
const DATABASE = /^[a-z][a-z0-9_]{0,254}$/;
const WORKGROUP = /^[a-zA-Z0-9._-]{1,128}$/;
const GLUE_JOB = /^[a-zA-Z0-9 _.-]{1,255}$/;
const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-[0-9]+$/;

function fail(field: string, message: string): never {
  throw new UsageError(`${field}: ${message}`, { field });
}

/**
 * The AWS engines' settings, checked: both locations must be s3:// URLs, names follow the AWS
 * rules, the Glue engine needs a job name, and S3 access / CloudFront logs need their prefix.
 */
export function resolveAwsSettings(
  engine: 'athena' | 'glue',
  locations: { raw: string | undefined; lake: string | undefined },
  file: AwsSettingsFile,
  sources: readonly LogSource[],
): AwsSettings {
  if (locations.raw === undefined || !locations.raw.startsWith('s3://'))
    fail(
      'raw',
      `--engine ${engine} reads raw logs from S3: give --raw s3://bucket/prefix/ (or "raw" in the configuration).`,
    );
  if (locations.lake === undefined || !locations.lake.startsWith('s3://'))
    fail(
      'lake',
      `--engine ${engine} writes the lake to S3: give --lake s3://bucket/prefix/ (or "lake" in the configuration).`,
    );
  const database = file.database ?? 'athena_logs';
  if (!DATABASE.test(database))
    fail('database', `"${database}" is not a database name we use (lowercase letters, digits, "_").`);
  const workgroup = file.athena?.workgroup ?? 'primary';
  if (!WORKGROUP.test(workgroup)) fail('athena.workgroup', `"${workgroup}" is not an Athena workgroup name.`);
  const outputLocation = file.athena?.outputLocation;
  if (outputLocation !== undefined) parseS3Location(outputLocation, 'athena.outputLocation');
  const jobName = file.glue?.jobName;
  if (jobName !== undefined && !GLUE_JOB.test(jobName))
    fail('glue.jobName', `"${jobName}" is not a Glue job name.`);
  if (engine === 'glue' && jobName === undefined)
    fail('glue.jobName', '--engine glue needs the name of the deployed Glue job ("glue": {"jobName": "…"}).');
  if (file.awsRegion !== undefined && !AWS_REGION.test(file.awsRegion))
    fail('awsRegion', `"${file.awsRegion}" is not an AWS region name.`);
  const s3Prefixes = file.s3Prefixes ?? {};
  for (const name of sourcesNeedingPrefix(sources)) {
    const prefix = s3Prefixes[name];
    if (prefix === undefined)
      fail(
        `s3Prefixes.${name}`,
        `${name} logs are not delivered under AWSLogs/: name their key prefix below the raw root ("s3Prefixes": {"${name}": "…/"}), or leave ${name} out of "sources".`,
      );
    if (typeof prefix !== 'string' || prefix.startsWith('/') || prefix.includes('..'))
      fail(`s3Prefixes.${name}`, `"${String(prefix)}" must be a key prefix relative to the raw root.`);
  }
  const registration = file.registration ?? 'glue';
  if (registration !== 'glue' && registration !== 'athena')
    fail(
      'registration',
      `must be "glue" (BatchCreatePartition) or "athena" (ALTER TABLE … ADD PARTITION), not "${String(registration)}".`,
    );
  return {
    raw: parseS3Location(locations.raw, '--raw'),
    lake: parseS3Location(locations.lake, '--lake'),
    database,
    athena: { workgroup, outputLocation },
    glue: { jobName },
    awsRegion: file.awsRegion,
    s3Prefixes,
    registration,
  };
}
