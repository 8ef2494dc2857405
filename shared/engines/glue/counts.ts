import { JobRunError, ReconciliationError } from '../../errors.js';

/** The figures the Glue job writes (`counts_document` in jobs/convert_logs.py), each counted on its own. */
export interface JobCounts {
  runId: string;
  objects: number;
  rowsIn: number;
  /** Read back from the Parquet files written, not taken from the rows planned. */
  rowsOut: number;
  rowsRejected: number;
  bytesIn: number;
  blankLines: number;
  emptyObjects: number;
}

const FIGURES = [
  'objects',
  'rowsIn',
  'rowsOut',
  'rowsRejected',
  'bytesIn',
  'blankLines',
  'emptyObjects',
] as const;

/** Which run the counts belong to, for messages. */
export interface CountsContext {
  jobName: string;
  jobRunId: string;
  /** `s3://…/counts.json`. */
  url: string;
  /** The conversion's run id, which the job copies from its manifest. */
  runId: string;
  /** `alb 123456789012/us-east-1/2024-01-05`. */
  partition: string;
  source: string;
}

function unusable(context: CountsContext, problem: string): JobRunError {
  return new JobRunError(
    `Glue job run ${context.jobRunId} of job "${context.jobName}" (${context.partition}) succeeded, but its ` +
      `counts object ${context.url} ${problem}; the conversion is not trusted and the previous version stays served.`,
    { jobName: context.jobName, jobRunId: context.jobRunId, state: 'SUCCEEDED', source: context.source },
  );
}

/**
 * The job's counts, checked: JSON with a non-negative integer for every figure, written for this
 * conversion (its run id), and reconciled — every record in is a row out or a reject — or the
 * error says which.
 */
export function readJobCounts(text: string, context: CountsContext): JobCounts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unusable(context, 'is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw unusable(context, 'is not a JSON object');
  const document = parsed as Record<string, unknown>;
  if (document.runId !== context.runId)
    throw unusable(context, `belongs to run ${JSON.stringify(document.runId)}, not ${context.runId}`);
  for (const name of FIGURES) {
    const value = document[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw unusable(context, `has no count "${name}" (found ${JSON.stringify(value)})`);
  }
  const counts = document as unknown as JobCounts;
  if (counts.rowsIn !== counts.rowsOut + counts.rowsRejected) {
    throw new ReconciliationError(
      `Counts do not reconcile for ${context.partition} (Glue job run ${context.jobRunId}): ` +
        `${counts.rowsIn} lines in, ${counts.rowsOut} rows out, ${counts.rowsRejected} rejected.`,
      { source: context.source },
    );
  }
  return counts;
}
