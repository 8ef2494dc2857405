import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { pick, randomInt, seededRandom, zipfSampler, type Random } from './random.js';

const gzipAsync = promisify(gzip);

/** The default (version 2) flow-log format, as the header line of every delivered file. */
export const DEFAULT_V2_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

/** Server ports in order of popularity; the generator draws them Zipf-distributed. */
const SERVICE_PORTS = [443, 80, 53, 22, 3306, 5432, 6379, 8080, 123, 9200, 27017, 8443, 25, 3389, 445, 5439];
const UDP_PORTS = new Set([53, 123]);

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

export interface GeneratedObject {
  key: string;
  lines: number;
  bytes: number;
}

/** Deterministic per account/region so that the same interfaces recur on every day. */
function networkOf(account: string, region: string, interfaces: number, random: Random) {
  const vpcOctet = (Number(account.slice(-3)) + region.length * 7) % 250;
  const enis = Array.from({ length: interfaces }, (_, index) => ({
    id: `eni-${(0x0a1b2c3d4e5f60000n + BigInt(index * 104729)).toString(16).padStart(17, '0')}`,
    ip: `10.${vpcOctet}.${index >> 8}.${(index & 255) + 1}`,
  }));
  const externalPeers = Array.from(
    { length: 20000 },
    () =>
      `${randomInt(random, 1, 223)}.${randomInt(random, 0, 255)}.${randomInt(random, 0, 255)}.${randomInt(random, 1, 254)}`,
  );
  return { enis, externalPeers };
}

/** One flow record as a line of the default v2 format (or a NODATA/SKIPDATA record). */
function flowLine(
  random: Random,
  context: {
    account: string;
    eni: { id: string; ip: string };
    peer: string;
    servicePort: number;
    windowStart: number;
    aggregationSeconds: number;
  },
): string {
  const { account, eni, peer, servicePort, windowStart, aggregationSeconds } = context;
  const start = windowStart + randomInt(random, 0, aggregationSeconds - 1);
  const end = Math.min(windowStart + aggregationSeconds, start + randomInt(random, 1, aggregationSeconds));
  const status = random();
  if (status < 0.02) return `2 ${account} ${eni.id} - - - - - - - ${start} ${end} - NODATA`;
  if (status < 0.0205) return `2 ${account} ${eni.id} - - - - - - - ${start} ${end} - SKIPDATA`;
  const icmp = random() < 0.01;
  const protocol = icmp ? 1 : UDP_PORTS.has(servicePort) ? 17 : 6;
  const ephemeral = icmp ? 0 : randomInt(random, 32768, 60999);
  const service = icmp ? 0 : servicePort;
  const inbound = random() < 0.5;
  const packets = 1 + Math.floor(Math.exp(random() * 6) - 1);
  const bytes = packets * (random() < 0.6 ? randomInt(random, 40, 120) : randomInt(random, 1200, 1500));
  const action = inbound && random() < 0.08 ? 'REJECT' : 'ACCEPT';
  return inbound
    ? `2 ${account} ${eni.id} ${peer} ${eni.ip} ${ephemeral} ${service} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} OK`
    : `2 ${account} ${eni.id} ${eni.ip} ${peer} ${ephemeral} ${service} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} OK`;
}

/**
 * Writes one day of realistic default-format flow logs for one account and region under
 * `rawRoot`, laid out as AWS delivers them:
 * `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<fl>_<time>_<hash>.log.gz`.
 * Hundreds of interfaces, Zipf-distributed peers and ports, ephemeral client ports, ~2% NODATA.
 */
export async function writeVpcFlowDay(
  rawRoot: string,
  options: VpcFlowDayOptions,
): Promise<GeneratedObject[]> {
  const { account, region, date, files, bytesPerFile } = options;
  const random = seededRandom((options.seed ?? 1) ^ hashOf(`${account}/${region}/${date}`));
  const network = networkOf(
    account,
    region,
    options.interfaces ?? 300,
    seededRandom(hashOf(`${account}/${region}`)),
  );
  const internalPeers = network.enis.map((eni) => eni.ip);
  const nextEni = zipfSampler(random, network.enis.length, 0.9);
  const nextExternal = zipfSampler(random, network.externalPeers.length, 1.1);
  const nextInternal = zipfSampler(random, internalPeers.length, 1.0);
  const nextPort = zipfSampler(random, SERVICE_PORTS.length, 1.2);
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
      const eni = network.enis[nextEni()] ?? network.enis[0]!;
      const peer = random() < 0.35 ? internalPeers[nextInternal()]! : network.externalPeers[nextExternal()]!;
      const line = flowLine(random, {
        account,
        eni,
        peer: peer === eni.ip ? pick(random, network.externalPeers) : peer,
        servicePort: SERVICE_PORTS[nextPort()] ?? 443,
        windowStart: window,
        aggregationSeconds,
      });
      lines.push(line);
      size += line.length + 1;
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
