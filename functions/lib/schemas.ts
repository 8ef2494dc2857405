import type { JSONSchemaType } from 'ajv';
import { AVAILABLE_SOURCES } from '../../shared/sources/index.js';
import { UNCONFIGURED } from '../../shared/sources/match-key.js';
import type { SourceName } from '../../shared/sources/types.js';

const DAY = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';

/** An EventBridge scheduled event (only `time` is read: the night is the day before it, UTC). */
export interface ScheduledEvent {
  time: string;
}

export const scheduledEventSchema: JSONSchemaType<ScheduledEvent> = {
  type: 'object',
  properties: { time: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}' } },
  required: ['time'],
  additionalProperties: true,
};

/** The backfill payload; `continuation` is set by the function itself when it re-invokes. */
export interface BackfillEvent {
  from: string;
  to: string;
  source?: SourceName;
  account?: string;
  region?: string;
  /** The first day not yet planned (re-invocations only). */
  continueFrom?: string;
}

export const backfillEventSchema: JSONSchemaType<BackfillEvent> = {
  type: 'object',
  properties: {
    from: { type: 'string', pattern: DAY },
    to: { type: 'string', pattern: DAY },
    source: { type: 'string', enum: AVAILABLE_SOURCES, nullable: true },
    // `unknown`: the partitions of flat layouts whose keys name no account or region (CloudFront,
    // S3 access logs' simple layout), as the failure alert's payload names them.
    account: { type: 'string', pattern: `^[0-9]{12}$|^${UNCONFIGURED}$`, nullable: true },
    region: {
      type: 'string',
      pattern: `^[a-z]{2}(-[a-z]+)+-[0-9]+$|^global$|^${UNCONFIGURED}$`,
      nullable: true,
    },
    continueFrom: { type: 'string', pattern: DAY, nullable: true },
  },
  required: ['from', 'to'],
  additionalProperties: false,
};

/** An "Athena Query State Change" or "Glue Job State Change" event, as the two rules deliver them. */
export interface ConversionEvent {
  source: 'aws.athena' | 'aws.glue';
  'detail-type': string;
  detail: {
    queryExecutionId?: string;
    currentState?: string;
    workgroupName?: string;
    jobRunId?: string;
    jobName?: string;
    state?: string;
  };
}

export const conversionEventSchema: JSONSchemaType<ConversionEvent> = {
  type: 'object',
  properties: {
    source: { type: 'string', enum: ['aws.athena', 'aws.glue'] },
    'detail-type': { type: 'string', enum: ['Athena Query State Change', 'Glue Job State Change'] },
    detail: {
      type: 'object',
      properties: {
        queryExecutionId: { type: 'string', minLength: 1, nullable: true },
        currentState: { type: 'string', nullable: true },
        workgroupName: { type: 'string', nullable: true },
        jobRunId: { type: 'string', minLength: 1, nullable: true },
        jobName: { type: 'string', nullable: true },
        state: { type: 'string', nullable: true },
      },
      required: [],
      additionalProperties: true,
    },
  },
  required: ['source', 'detail-type', 'detail'],
  additionalProperties: true,
};
