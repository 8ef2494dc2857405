import { hiveAwsLogsLayout, plainAwsLogsLayout } from './key-layouts.js';
import type { LogSource } from './types.js';
import { VPC_FLOW_FIELDS } from './vpc-flow-fields.js';

/** The fields of the default (version 2) format, in delivery order. */
const DEFAULT_V2_HEADER = VPC_FLOW_FIELDS.filter((field) => field.version === 2).map((field) => field.header);

/**
 * VPC flow logs delivered to S3 as gzip text, default or custom format: each object starts with a
 * header line naming its fields. Columns keep the Athena user guide's names; `-` is NULL;
 * NODATA/SKIPDATA records are kept (their address fields are NULL).
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
    defaultHeader: DEFAULT_V2_HEADER,
  },
  layouts: [plainAwsLogsLayout('vpcflowlogs'), hiveAwsLogsLayout('vpcflowlogs')],
  // Top talkers group by (srcaddr, dstaddr): clustering on them turns dictionary ids into runs.
  clusterBy: ['srcaddr', 'dstaddr'],
} as const satisfies LogSource;
