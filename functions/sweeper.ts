import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { startPending } from '../shared/pipeline/events/start-pending.js';
import { sweepOrphans } from '../shared/pipeline/events/sweep-orphans.js';
import { sweep } from '../shared/pipeline/events/sweep.js';
import { addMetric, METRIC } from './lib/observer.js';
import { runtime } from './lib/runtime.js';
import { scheduledEventSchema } from './lib/schemas.js';
import { validateEvent } from './lib/validate-event.js';

const { settings, deps, logger, metrics, orphans } = runtime();

/**
 * The periodic safety net: polls conversions that heard nothing for a while (lost events), fails
 * attempts whose invocation died, frees orphaned slots, starts retries whose backoff elapsed,
 * removes old scratch of dead conversions, and reports the queue gauges and each source's
 * freshness (the freshness alarm's metric).
 */
async function sweeper() {
  const summary = await sweep(deps, settings.sources);
  const start = await startPending(deps);
  // Scratch tables and files of conversions that died outright (a killed CLI runner, a timed-out Lambda).
  const leftovers = await sweepOrphans(orphans);
  addMetric(metrics, METRIC.pending, undefined, summary.pending);
  addMetric(metrics, METRIC.running, undefined, start.inFlight);
  const lags = Object.entries(summary.hoursSinceLastSuccess);
  for (const [source, hours] of lags)
    metrics
      .singleMetric()
      .addDimension('Source', source)
      .addMetric(METRIC.hoursSinceLastSuccess, MetricUnit.Count, hours);
  // Emitted on every sweep (the freshness alarm treats a missing value as breaching: a dead sweeper
  // alarms); 0 until a source has converted its first day.
  metrics.addMetric(METRIC.oldestLagHours, MetricUnit.Count, Math.max(0, ...lags.map(([, hours]) => hours)));
  // Those are not in the lag above: their own alarm fires when one stays so for freshnessHours.
  metrics.addMetric(METRIC.sourcesNeverConverted, MetricUnit.Count, summary.neverConverted.length);
  logger.info('Swept', { ...summary, ...start, leftovers });
  return { ...summary, start, leftovers };
}

export const handler = middy(sweeper)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(validateEvent(scheduledEventSchema, 'sweeper schedule'));
