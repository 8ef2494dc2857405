import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { addDays, daysBetween } from '../shared/plan/dates.js';
import { planConversions, type PlanSummary } from '../shared/pipeline/events/plan-conversions.js';
import { startPending } from '../shared/pipeline/events/start-pending.js';
import { checkBackfill } from './lib/backfill-range.js';
import { runtime } from './lib/runtime.js';
import { backfillEventSchema, type BackfillEvent } from './lib/schemas.js';
import { validateEvent } from './lib/validate-event.js';

const { settings, deps, logger, metrics, lambda, listRaw } = runtime();

/** Days planned per pass: the listings and plans of a week of every account fit one invocation. */
const DAYS_PER_PASS = 7;
/** Time kept in hand for the last pass and the re-invocation, out of Lambda's 15 minutes. */
const TIME_IN_HAND_MS = 4 * 60_000;

/**
 * Manual backfill `{from, to, source?, account?, region?}`: plans the range a week at a time,
 * queueing every partition that needs work (FAILED ones get a fresh retry budget), and starts
 * conversions up to the cap. When its time runs short it re-invokes itself asynchronously with
 * `continueFrom`, so a year of many accounts is planned over as many invocations as it takes;
 * the bookmarks hold all state (a re-run of the same range queues nothing twice).
 */
async function backfill(event: BackfillEvent, context: Context) {
  const today = new Date(deps.now()).toISOString().slice(0, 10);
  const { sources } = checkBackfill(event, {
    maxDays: settings.backfillMaxDays,
    today,
    sources: settings.sources,
  });
  const filter = { account: event.account, region: event.region };
  const planned: PlanSummary[] = [];
  let cursor = event.continueFrom ?? event.from;
  while (cursor <= event.to) {
    // At least one pass per invocation: a continuation that planned nothing would only send another.
    if (planned.length > 0 && context.getRemainingTimeInMillis() < TIME_IN_HAND_MS) break;
    const last = [addDays(cursor, DAYS_PER_PASS - 1), event.to].sort()[0]!;
    const dates = daysBetween(cursor, last);
    planned.push(
      await planConversions(deps, {
        sources,
        dates,
        listRaw: (days) => listRaw(days, filter),
        ...filter,
        flatLayouts: settings.flatLayouts,
        backfill: true,
      }),
    );
    cursor = addDays(last, 1);
  }
  const start = await startPending(deps);
  // The continuation goes last: an invocation that fails before is retried by Lambda with the same
  // event (its planning queues nothing twice), and one that continued has nothing left to fail.
  if (cursor <= event.to) {
    await lambda.send(
      new InvokeCommand({
        FunctionName: settings.backfillFunctionName ?? context.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ ...event, continueFrom: cursor })),
      }),
    );
    logger.info('Backfill continues in a new invocation', { continueFrom: cursor });
  }
  const queued = planned.reduce((sum, plan) => sum + plan.queued, 0);
  const partitions = planned.reduce((sum, plan) => sum + plan.partitions, 0);
  const result = {
    from: event.from,
    to: event.to,
    plannedThrough: addDays(cursor, -1),
    continues: cursor <= event.to,
    partitions,
    queued,
    ...start,
  };
  logger.info('Backfill planned', result);
  return result;
}

export const handler = middy(backfill)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(validateEvent(backfillEventSchema, 'backfill'));
