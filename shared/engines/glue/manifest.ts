import type { SourceName } from '../../sources/types.js';
import { keyIn, s3Url, type S3Location, locationUrl } from '../../storage/s3-location.js';
import type { RemoteConvertRequest } from '../remote-types.js';
import type { PartitionRef } from '../types.js';
import { JOB_LIMITS, jobSource, type JobLimits, type JobSource } from './job-definitions.js';

/** The manifest format version; jobs/convert_logs.py refuses any other. */
export const MANIFEST_VERSION = 1;

/** One object the job reads: its key relative to the raw root (as rejects name it) and where it is. */
export interface ManifestObject {
  key: string;
  bucket: string;
  bucketKey: string;
  size: number;
}

/**
 * What one job run converts: exactly these objects of one partition, with the source definition
 * the job parses with (so the deployed script never lags the engine), and where it writes.
 */
export interface JobManifest {
  version: typeof MANIFEST_VERSION;
  runId: string;
  source: SourceName;
  partition: PartitionRef;
  definition: JobSource;
  limits: JobLimits;
  objects: ManifestObject[];
  stagingData: string;
  stagingRejects: string;
  countsOutput: string;
}

/** Where one conversion's manifest and counts objects live: below the scratch prefix, outside every table. */
export interface RunObjects {
  manifest: { bucket: string; key: string };
  counts: { bucket: string; key: string };
}

/** `<scratch><source>/<account>/<region>/<date>/<runId>/…`: one folder per conversion. */
export function runObjects(scratch: S3Location, request: RemoteConvertRequest): RunObjects {
  const { account, region, date } = request.partition;
  const folder = keyIn(scratch, `${request.source.name}/${account}/${region}/${date}/${request.runId}/`);
  return {
    manifest: { bucket: scratch.bucket, key: `${folder}manifest.json` },
    counts: { bucket: scratch.bucket, key: `${folder}counts.json` },
  };
}

/** The manifest of a request (the objects' keys resolved below the raw root). */
export function buildManifest(request: RemoteConvertRequest, objects: RunObjects): JobManifest {
  return {
    version: MANIFEST_VERSION,
    runId: request.runId,
    source: request.source.name,
    partition: { ...request.partition },
    definition: jobSource(request.source),
    limits: JOB_LIMITS,
    objects: request.objects.map((object) => ({
      key: object.key,
      bucket: request.raw.bucket,
      bucketKey: keyIn(request.raw, object.key),
      size: object.size,
    })),
    stagingData: locationUrl(request.stagingData),
    stagingRejects: locationUrl(request.stagingRejects),
    countsOutput: s3Url(objects.counts.bucket, objects.counts.key),
  };
}

/** The job run's arguments: its own (jobs/convert_logs.py reads them), all s3:// URLs but the source. */
export function jobArguments(manifest: JobManifest, objects: RunObjects): Record<string, string> {
  return {
    '--manifest': s3Url(objects.manifest.bucket, objects.manifest.key),
    '--source': manifest.source,
    '--staging-data': manifest.stagingData,
    '--staging-rejects': manifest.stagingRejects,
    '--counts-output': manifest.countsOutput,
  };
}
