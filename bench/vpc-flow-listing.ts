import type { RawObject } from '../shared/engines/types.js';
import { seededRandom } from '../shared/demo/random.js';
import { addDays } from '../shared/plan/dates.js';

/** Twenty regions an organisation's flow logs come from. */
export const BENCH_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-south-1',
  'me-central-1',
] as const;

/** The shape of the listing: accounts × regions × days, a few objects per partition. */
export interface ListingShape {
  accounts: number;
  regions: number;
  days: number;
  firstDay: string;
  objectsPerPartition: number;
}

/**
 * What listing a bucket of VPC flow logs gives for the shape, keyed exactly as AWS delivers them
 * (`AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<fl>_<time>_<hash>.log.gz`),
 * the objects of a day spread over its hours. Built in memory: planning never reads the objects.
 */
export function vpcFlowListing(shape: ListingShape): RawObject[] {
  if (shape.regions > BENCH_REGIONS.length)
    throw new RangeError(`At most ${BENCH_REGIONS.length} regions, not ${shape.regions}.`);
  const random = seededRandom(7);
  const objects: RawObject[] = [];
  for (let dayIndex = 0; dayIndex < shape.days; dayIndex += 1) {
    const date = addDays(shape.firstDay, dayIndex);
    const [year, month, day] = date.split('-');
    const dayStart = Date.parse(`${date}T00:00:00Z`);
    for (let accountIndex = 0; accountIndex < shape.accounts; accountIndex += 1) {
      const account = String(111_100_000_000 + accountIndex * 7_919);
      for (const region of BENCH_REGIONS.slice(0, shape.regions)) {
        const flowLog = `fl-0${(accountIndex * 31 + region.length).toString(16).padStart(16, '0')}`;
        for (let file = 0; file < shape.objectsPerPartition; file += 1) {
          const minute = Math.floor((file * 1440) / shape.objectsPerPartition);
          const stamp = `${year}${month}${day}T${String(Math.floor(minute / 60)).padStart(2, '0')}${String(minute % 60).padStart(2, '0')}Z`;
          const hash = Math.floor(random() * 0xffffffff)
            .toString(16)
            .padStart(8, '0');
          objects.push({
            key: `AWSLogs/${account}/vpcflowlogs/${region}/${year}/${month}/${day}/${account}_vpcflowlogs_${region}_${flowLog}_${stamp}_${hash}.log.gz`,
            size: 50_000 + Math.floor(random() * 5_000_000),
            lastModified: new Date(dayStart + (minute + 10) * 60_000),
          });
        }
      }
    }
  }
  return objects;
}
