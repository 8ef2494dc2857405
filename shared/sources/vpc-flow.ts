import { hiveAwsLogsLayout, KEY_PIECES, plainAwsLogsLayout } from './key-layouts.js';
import type { LogSource } from './types.js';
import { VPC_FLOW_FIELDS } from './vpc-flow-fields.js';

/** The fields of the default (version 2) format, in delivery order. */
const DEFAULT_V2_HEADER = VPC_FLOW_FIELDS.filter((field) => field.version === 2).map((field) => field.header);

/**
 * With hourly partitions the plain layout has an hour folder below the day
 * (`…/YYYY/MM/DD/HH/<file>`, flow-logs-s3-path.html); the Hive layout spells it `hour=HH/`.
 */
const OPTIONAL_HOUR_AND_FILE = `(?:[0-9]{2}/)?${KEY_PIECES.fileName}`;

/**
 * VPC flow logs and transit gateway flow logs delivered to S3 as gzip text, default or custom
 * format: each object starts with a header line naming its fields, in any order and subset of
 * `VPC_FLOW_FIELDS` (versions 2–11 and the transit gateway's version 6). Both log types share the
 * `vpcflowlogs` delivery prefix and this one table. Columns keep the Athena user guide's names;
 * `-` is NULL; NODATA/SKIPDATA records are kept (their address and counter fields are NULL). A
 * record must have exactly the fields its header names: one with more or fewer is rejected.
 * Transit gateway records: https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html
 */
export const vpcFlow = {
  name: 'vpc_flow',
  title: 'VPC Flow Logs',
  reference: 'https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html',
  columns: VPC_FLOW_FIELDS.filter((field) => field.servedByPartition === undefined).map(
    ({ name, type, description }) => ({
      name,
      type,
      description,
    }),
  ),
  format: {
    kind: 'header-delimited',
    delimiter: ' ',
    nullToken: '-',
    fields: VPC_FLOW_FIELDS,
    header: { kind: 'first-line' },
    // An object whose first line is already a record (it starts with the version number).
    defaultHeader: { fields: DEFAULT_V2_HEADER, recordStart: '^[0-9]' },
    // Flow logs can also be delivered as Parquet (columns named as the table's): re-partitioned as they are.
    parquetDelivery: true,
  },
  layouts: [plainAwsLogsLayout('vpcflowlogs', OPTIONAL_HOUR_AND_FILE), hiveAwsLogsLayout('vpcflowlogs')],
  // Top talkers group by (srcaddr, dstaddr): clustering on them turns dictionary ids into runs.
  clusterBy: ['srcaddr', 'dstaddr'],
} as const satisfies LogSource;
