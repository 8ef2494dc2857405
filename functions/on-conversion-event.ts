import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { onRunEnded } from '../shared/pipeline/events/continue-conversion.js';
import { startPending } from '../shared/pipeline/events/start-pending.js';
import { runtime } from './lib/runtime.js';
import { conversionEventSchema, type ConversionEvent } from './lib/schemas.js';
import { validateEvent } from './lib/validate-event.js';

const { settings, deps, logger, metrics } = runtime();

/** The run an event is about, if it is one of ours (the rules already filter; this checks again). */
function runOf(event: ConversionEvent): string | undefined {
  const { detail } = event;
  if (event.source === 'aws.athena')
    return detail.workgroupName === settings.aws.athena.workgroup ? detail.queryExecutionId : undefined;
  return detail.jobName === settings.aws.glue.jobName ? detail.jobRunId : undefined;
}

/**
 * "Athena Query State Change" / "Glue Job State Change": continue the conversion whose run ended
 * (next step, or commit + SUCCEEDED, or retry / FAILED), then fill the freed slot from the queue.
 */
async function onConversionEvent(event: ConversionEvent) {
  const runId = runOf(event);
  const outcome = runId === undefined ? 'not-ours' : await onRunEnded(deps, runId);
  const start = await startPending(deps);
  logger.info('Conversion event handled', { runId, outcome, ...start });
  return { runId, outcome, start };
}

export const handler = middy(onConversionEvent)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(validateEvent(conversionEventSchema, 'conversion state-change'));
