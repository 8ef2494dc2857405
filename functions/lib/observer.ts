import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Bookmark } from '../../shared/bookmarks/types.js';
import type { ConversionObserver } from '../../shared/pipeline/events/types.js';
import { describeSourcePartition } from '../../shared/sources/partition.js';

/** Metric names (namespace from POWERTOOLS_METRICS_NAMESPACE); the alarms and dashboard use them. */
export const METRIC = {
  planned: 'PartitionsPlanned',
  started: 'ConversionsStarted',
  succeeded: 'ConversionsSucceeded',
  failed: 'ConversionsFailed',
  retried: 'ConversionRetries',
  rowsOut: 'RowsOut',
  rowsRejected: 'RowsRejected',
  bytesScanned: 'BytesScanned',
  pending: 'PendingConversions',
  running: 'RunningConversions',
  hoursSinceLastSuccess: 'HoursSinceLastSuccess',
  oldestLagHours: 'OldestLagHours',
  sourcesNeverConverted: 'SourcesNeverConverted',
} as const;

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** Publishes a final failure to the operators' topic (SNS); absent when no topic is configured. */
export type FailureNotifier = (subject: string, message: string) => Promise<void>;

/**
 * Each metric twice: once with the service dimension only (what the alarms watch) and once per
 * source (what the dashboard breaks down).
 */
export function addMetric(
  metrics: Metrics,
  name: string,
  source: string | undefined,
  value: number,
  unit: Unit = MetricUnit.Count,
): void {
  metrics.addMetric(name, unit, value);
  if (source !== undefined)
    metrics.singleMetric().addDimension('Source', source).addMetric(name, unit, value);
}

/**
 * A metric an alarm reads, published at once (both copies) rather than with the invocation's other
 * metrics at its end: an invocation that runs into its timeout afterwards never publishes those.
 */
function addAlarmedMetric(metrics: Metrics, name: string, source: string, value: number): void {
  metrics.singleMetric().addMetric(name, MetricUnit.Count, value);
  metrics.singleMetric().addDimension('Source', source).addMetric(name, MetricUnit.Count, value);
}

/** `athena-logs: alb 123456789012/eu-west-1/2026-11-21 FAILED` (SNS subjects: ASCII, ≤ 100 characters). */
function subjectOf(bookmark: Bookmark): string {
  return `athena-logs: ${describeSourcePartition(bookmark.source, bookmark)} FAILED`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 100);
}

/** The observer of the Lambda functions: EMF metrics, structured logs, and an SNS message per final failure. */
export function lambdaObserver(
  metrics: Metrics,
  logger: Logger,
  notify?: FailureNotifier,
): ConversionObserver {
  return {
    planned: (source, partitions) => addMetric(metrics, METRIC.planned, source, partitions),
    started: (source) => addMetric(metrics, METRIC.started, source, 1),
    succeeded(source, figures) {
      addMetric(metrics, METRIC.succeeded, source, 1);
      addMetric(metrics, METRIC.rowsOut, source, figures.rowsOut);
      addMetric(metrics, METRIC.rowsRejected, source, figures.rowsRejected);
      addMetric(metrics, METRIC.bytesScanned, source, figures.bytesScanned ?? 0, MetricUnit.Bytes);
      logger.info('Partition converted', { source, ...figures });
    },
    retried(source, error) {
      addMetric(metrics, METRIC.retried, source, 1);
      logger.warn('Conversion attempt failed; it will be retried', { source, error });
    },
    async failed(bookmark, error) {
      addAlarmedMetric(metrics, METRIC.failed, bookmark.source, 1);
      const { source, account, region, date, attempts } = bookmark;
      logger.error('Conversion failed for good', { source, account, region, date, attempts, error });
      if (notify === undefined) return;
      const message = [
        `The conversion of ${describeSourcePartition(source, bookmark)} failed ${attempts} time(s) and is FAILED until new data arrives or a backfill names the day.`,
        '',
        `Last error: ${error}`,
        '',
        `To try again: invoke the backfill function with {"from":"${date}","to":"${date}","source":"${source}","account":"${account}","region":"${region}"}.`,
      ].join('\n');
      await notify(subjectOf(bookmark), message).catch((failure: unknown) =>
        logger.error('Could not publish the failure to the alert topic', { error: String(failure) }),
      );
    },
  };
}
