import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { addDays, daysBetween, yesterdayUtc } from '../shared/plan/dates.js';
import { planConversions } from '../shared/pipeline/events/plan-conversions.js';
import { startPending } from '../shared/pipeline/events/start-pending.js';
import { runtime } from './lib/runtime.js';
import { scheduledEventSchema, type ScheduledEvent } from './lib/schemas.js';
import { validateEvent } from './lib/validate-event.js';

const { settings, deps, logger, metrics, listRaw } = runtime();

/**
 * The nightly schedule: plan yesterday (UTC, from the event's time) and the lookback days before
 * it, queue the partitions that need work (new, late data), and start conversions up to the cap;
 * the conversion events carry the night on from there.
 */
async function nightly(event: ScheduledEvent) {
  const night = yesterdayUtc(new Date(event.time));
  const dates = daysBetween(addDays(night, -settings.lookbackDays), night);
  const plan = await planConversions(deps, {
    sources: settings.sources,
    dates,
    listRaw,
    flatLayouts: settings.flatLayouts,
    backfill: false,
  });
  const start = await startPending(deps);
  logger.info('Night planned', { dates, ...plan, ...start });
  return { dates, plan, start };
}

export const handler = middy(nightly)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(validateEvent(scheduledEventSchema, 'nightly schedule'));
