import { CLOUDTRAIL_FIELDS } from './cloudtrail-fields.js';
import { plainAwsLogsLayout } from './key-layouts.js';
import type { Column, LogSource } from './types.js';

/**
 * `<account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz`, the name CloudTrail gives every
 * log file; `.json` alone too (a copy decompressed by hand: gzip is recognised by its bytes). Other
 * files in the folder are reported as matching no layout instead of failing as bad JSON.
 */
const LOG_FILE_NAME = '[0-9]{12}_CloudTrail_[a-z0-9-]+_[0-9]{8}T[0-9]{4}Z_[A-Za-z0-9]+\\.json(?:\\.gz)?';

/** The typed time of the record, next to the delivered `eventtime` text. */
const RECORD_TIME: Column = {
  name: 'record_time',
  type: 'timestamp',
  description: 'eventtime as a UTC timestamp.',
  derive: { kind: 'iso8601-timestamp', from: 'eventtime' },
};

/**
 * CloudTrail trail logs: gzip JSON documents `{"Records":[…]}` under
 * `AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/`, one row per record. Columns keep the
 * Athena guide's names and types (CLOUDTRAIL_FIELDS). A JSON `null` is NULL, also for the JSON-text
 * columns; keys AWS adds in later format versions are ignored until declared (the raw object
 * stays the source of truth), so newer records convert with the fields known here.
 */
export const cloudtrail = {
  name: 'cloudtrail',
  title: 'AWS CloudTrail',
  reference:
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html',
  columns: [
    ...CLOUDTRAIL_FIELDS.map(({ name, type, description }) => ({ name, type, description })),
    RECORD_TIME,
  ],
  format: {
    kind: 'json-records',
    recordsKey: 'Records',
    fields: CLOUDTRAIL_FIELDS.map(({ name, key, asJsonText }) =>
      asJsonText ? { column: name, key, asJsonText } : { column: name, key },
    ),
    // The record contents reference marks these never optional, and without them a row answers
    // nothing: eventTime places it in time (record_time), eventSource and eventName say what
    // happened, what the named queries filter on. Other documented fields are absent from
    // older records (requestID and eventID arrived in 1.01, eventType in 1.02) and stay NULL.
    requiredKeys: ['eventTime', 'eventSource', 'eventName'],
  },
  layouts: [plainAwsLogsLayout('CloudTrail', LOG_FILE_NAME)],
  // Digest files (log-file validation) and Insights events sit beside the logs under their own
  // service folders: they are not API records, so they are skipped on purpose.
  ignoredKeys: [
    plainAwsLogsLayout('CloudTrail-Digest').pattern,
    plainAwsLogsLayout('CloudTrail-Insight').pattern,
  ],
  // Queries filter on the service and the action (s3.amazonaws.com + GetObject, ConsoleLogin, …):
  // sorted on them, equal values form runs, so row groups can be skipped by their min/max and
  // both dictionary-encoded columns shrink to a few runs.
  clusterBy: ['eventsource', 'eventname'],
} as const satisfies LogSource;
