import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { seededRandom } from './random.js';
import type { GeneratedObject } from './types.js';
import { VpcTraffic } from './vpc-flow-traffic.js';

const gzipAsync = promisify(gzip);

/** The default (version 2) flow-log format, as the header line of every delivered file. */
export const DEFAULT_V2_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

export interface VpcFlowDayOptions {
  account: string;
  region: string;
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** Number of gzip objects for the day (AWS delivers one per capture window). */
  files: number;
  /** Uncompressed bytes per object, header included, approximately. */
  bytesPerFile: number;
  /** Elastic network interfaces that report in this account and region. */
  interfaces?: number;
  seed?: number;
}

export type { GeneratedObject } from './types.js';

/**
 * Writes one day of realistic default-format flow logs for one account and region under
 * `rawRoot`, laid out as AWS delivers them:
 * `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<fl>_<time>_<hash>.log.gz`.
 * The traffic model is `VpcTraffic`: standing conversations reported window after window, ~2% NODATA.
 */
export async function writeVpcFlowDay(
  rawRoot: string,
  options: VpcFlowDayOptions,
): Promise<GeneratedObject[]> {
  const { account, region, date, files, bytesPerFile } = options;
  const random = seededRandom((options.seed ?? 1) ^ hashOf(`${account}/${region}/${date}`));
  const vpcOctet = (Number(account.slice(-3)) + region.length * 7) % 250;
  const traffic = VpcTraffic.forVpc(
    seededRandom(hashOf(`${account}/${region}`)),
    random,
    vpcOctet,
    options.interfaces ?? 300,
  );
  const [year, month, day] = date.split('-');
  const dayStart = Date.parse(`${date}T00:00:00Z`) / 1000;
  const flowLogId = `fl-${hashOf(account + region)
    .toString(16)
    .padStart(8, '0')}0abc1234d`;
  const aggregationSeconds = 600;
  const objects: GeneratedObject[] = [];
  for (let file = 0; file < files; file += 1) {
    const windowStart =
      dayStart + Math.floor((file * 86400) / files / aggregationSeconds) * aggregationSeconds;
    const stamp = new Date(windowStart * 1000).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
    const name = `${account}_vpcflowlogs_${region}_${flowLogId}_${stamp}_${hashOf(`${date}${file}${region}`).toString(16)}.log.gz`;
    const key = `AWSLogs/${account}/vpcflowlogs/${region}/${year}/${month}/${day}/${name}`;
    const lines = [DEFAULT_V2_HEADER];
    let size = DEFAULT_V2_HEADER.length + 1;
    let window = windowStart;
    while (size < bytesPerFile) {
      if (random() < 0.0005) window += aggregationSeconds;
      for (const line of traffic.nextRecords(account, window, aggregationSeconds)) {
        lines.push(line);
        size += line.length + 1;
      }
    }
    const text = `${lines.join('\n')}\n`;
    const path = join(rawRoot, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await gzipAsync(text));
    objects.push({ key, lines: lines.length, bytes: Buffer.byteLength(text) });
  }
  return objects;
}

/** FNV-1a: a stable small hash for seeds and file-name suffixes. */
export function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
