import { readdir } from 'node:fs/promises';
import { addDays } from '../plan/dates.js';
import type { SourceName } from '../sources/types.js';
import { writeAlbDay } from './alb-generator.js';
import { writeCloudfrontDay } from './cloudfront-generator.js';
import { writeCloudtrailDay } from './cloudtrail-generator.js';
import { writeElbDay } from './elb-generator.js';
import { writeS3AccessDay } from './s3-access-generator.js';
import type { DemoDayWriter } from './types.js';
import { writeVpcFlowDay } from './vpc-flow-generator.js';

/** Two accounts (one with a leading zero, which must survive) and two regions. */
export const DEMO_ACCOUNTS = ['123456789012', '012345678901'] as const;
export const DEMO_REGIONS = ['us-east-1', 'eu-west-1'] as const;
/** CloudFront is global: its logs carry no region, and its keys no account (configuration names it). */
export const DEMO_CLOUDFRONT_ACCOUNT = DEMO_ACCOUNTS[0];

const writeVpcFlowDemoDay: DemoDayWriter = (rawRoot, options) =>
  writeVpcFlowDay(rawRoot, {
    ...options,
    files: 3,
    bytesPerFile: Math.round(200_000 * (options.scale ?? 1)),
    interfaces: 120,
  });

/** A demo day's size per source (the generators' scale 1 is a busy day; the demo stays small). */
const DEMO_SCALE: Partial<Record<SourceName, number>> = { cloudtrail: 0.2 };

/** The demo generator of each source. */
export const DEMO_WRITERS: Record<SourceName, DemoDayWriter> = {
  vpc_flow: writeVpcFlowDemoDay,
  s3_access: writeS3AccessDay,
  cloudtrail: writeCloudtrailDay,
  alb: writeAlbDay,
  elb: writeElbDay,
  cloudfront: writeCloudfrontDay,
};

async function isEmptyFolder(folder: string): Promise<boolean> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  return entries.filter((entry) => !entry.startsWith('.')).length === 0;
}

/**
 * Fills an empty raw folder with demo logs of the given sources for the three days ending
 * `lastDay` (2 accounts × 2 regions; CloudFront: one account, region `global`). Returns how many
 * objects it wrote; 0 when the folder already held data.
 */
export async function seedDemoData(
  rawRoot: string,
  lastDay: string,
  sources: readonly SourceName[] = ['vpc_flow'],
): Promise<number> {
  if (!(await isEmptyFolder(rawRoot))) return 0;
  let written = 0;
  for (const date of [addDays(lastDay, -2), addDays(lastDay, -1), lastDay]) {
    for (const source of sources) {
      const places =
        source === 'cloudfront'
          ? [{ account: DEMO_CLOUDFRONT_ACCOUNT, region: 'global' }]
          : DEMO_ACCOUNTS.flatMap((account) => DEMO_REGIONS.map((region) => ({ account, region })));
      for (const place of places) {
        const objects = await DEMO_WRITERS[source](rawRoot, { ...place, date, scale: DEMO_SCALE[source] });
        written += objects.length;
      }
    }
  }
  return written;
}
