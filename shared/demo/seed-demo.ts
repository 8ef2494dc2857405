import { readdir } from 'node:fs/promises';
import { addDays } from '../plan/dates.js';
import { writeVpcFlowDay } from './vpc-flow-generator.js';

/** Two accounts (one with a leading zero, which must survive) and two regions. */
export const DEMO_ACCOUNTS = ['123456789012', '012345678901'] as const;
export const DEMO_REGIONS = ['us-east-1', 'eu-west-1'] as const;

async function isEmptyFolder(folder: string): Promise<boolean> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  return entries.filter((entry) => !entry.startsWith('.')).length === 0;
}

/**
 * Fills an empty raw folder with demo VPC flow logs for the three days ending `lastDay`
 * (2 accounts × 2 regions × 3 days, 3 gzip objects a day). Returns how many objects it wrote;
 * 0 when the folder already held data.
 */
export async function seedDemoData(rawRoot: string, lastDay: string): Promise<number> {
  if (!(await isEmptyFolder(rawRoot))) return 0;
  let written = 0;
  for (const date of [addDays(lastDay, -2), addDays(lastDay, -1), lastDay]) {
    for (const account of DEMO_ACCOUNTS) {
      for (const region of DEMO_REGIONS) {
        const objects = await writeVpcFlowDay(rawRoot, {
          account,
          region,
          date,
          files: 3,
          bytesPerFile: 200_000,
          interfaces: 120,
        });
        written += objects.length;
      }
    }
  }
  return written;
}
