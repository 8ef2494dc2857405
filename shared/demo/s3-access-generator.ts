import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pick, randomInt, seededRandom, zipfSampler, type Random } from './random.js';
import type { DemoDayOptions, GeneratedObject } from './types.js';
import { hashOf } from './vpc-flow-generator.js';

/** The target prefix the demo's logging configuration names (date-based partitioning below it). */
export const S3_ACCESS_DEMO_PREFIX = 's3-access-logs/';

/** Records per account, region and day at scale 1. */
const RECORDS_PER_DAY = 3000;
/** Log objects per source bucket and day: S3 delivers many small uncompressed objects. */
const OBJECTS_PER_BUCKET = 4;

/**
 * User agents as S3 writes them between the quotes: spaces, parentheses, a raw quote (S3 does
 * not escape it) and a backslash-escaped one as some clients send it.
 */
const USER_AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/s3.cp',
  'aws-sdk-java/2.25.11 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (compatible; "DemoBot" Crawler/1.0; +http://bot.example.com/)',
  'Dalvik/2.1.0 (Linux; U; Android 13; Tab 10\\" Build/TP1A.220624.014)',
  'curl/8.5.0',
  'S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.217-183.860.amzn2int.x86_64',
] as const;

const REFERRERS = [
  'https://www.example.com/',
  'https://www.example.com/downloads',
  'https://shop.example.com/p/42',
];

const FOLDERS = ['images', 'videos', 'reports/2024', 'downloads', 'static/css', 'static/js', 'exports'];
const EXTENSIONS = ['jpg', 'png', 'mp4', 'pdf', 'zip', 'css', 'js', 'json', 'csv.gz'];

/** Operations and how often each occurs (a copy writes two records, a batch delete several). */
const OPERATIONS: readonly [Operation, number][] = [
  ['get', 0.52],
  ['head', 0.12],
  ['put', 0.1],
  ['website', 0.09],
  ['copy', 0.05],
  ['list', 0.06],
  ['batch-delete', 0.02],
  ['get-acl', 0.04],
];
type Operation = 'get' | 'head' | 'put' | 'website' | 'copy' | 'list' | 'batch-delete' | 'get-acl';

interface Place {
  account: string;
  region: string;
  bucket: string;
  owner: string;
}

interface Client {
  ip: string;
  requester: string;
  userAgent: string;
}

/** One request at a time of day (seconds) and its record text. */
interface TimedRecord {
  second: number;
  text: string;
}

function hex(random: Random, length: number, upper = true): string {
  let text = '';
  for (let index = 0; index < length; index += 1) text += Math.floor(random() * 16).toString(16);
  return upper ? text.toUpperCase() : text;
}

function base64(random: Random, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let text = '';
  for (let index = 0; index < length; index += 1) text += alphabet[Math.floor(random() * 64)];
  return `${text}=`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (value: number) => String(value).padStart(2, '0');

/** `[06/Feb/2019:00:00:38 +0000]` for a second of the day. */
function clfTime(date: string, second: number): string {
  const [year, month, day] = date.split('-');
  const time = `${two(Math.floor(second / 3600))}:${two(Math.floor(second / 60) % 60)}:${two(second % 60)}`;
  return `[${day}/${MONTHS[Number(month) - 1]}/${year}:${time} +0000]`;
}

/** The clients of one account and region: a few busy ones, many occasional, some IPv6. */
function clientsOf(random: Random, place: Place): Client[] {
  const clients: Client[] = [];
  for (let index = 0; index < 150; index += 1) {
    const kind = random();
    const ip =
      kind < 0.12
        ? `2001:db8:${hex(random, 4, false)}::${hex(random, 3, false)}`
        : kind < 0.3
          ? `10.${randomInt(random, 0, 255)}.${randomInt(random, 0, 255)}.${randomInt(random, 1, 254)}`
          : `${pick(random, ['192.0.2', '198.51.100', '203.0.113'])}.${randomInt(random, 1, 254)}`;
    const who = random();
    const requester =
      who < 0.35
        ? '-'
        : who < 0.6
          ? `arn:aws:iam::${place.account}:user/${pick(random, ['deploy', 'analyst', 'backup', 'etl'])}`
          : who < 0.9
            ? `arn:aws:sts::${place.account}:assumed-role/${pick(random, ['app-role', 'lambda-exec', 'ci'])}/${hex(random, 8, false)}`
            : place.owner;
    clients.push({ ip, requester, userAgent: pick(random, USER_AGENTS) });
  }
  return clients;
}

/** The record fields from Version Id on, in the current format (or cut short, as old records were). */
function tail(random: Random, place: Place, client: Client, versionId: string, website = false): string {
  const signed = client.requester !== '-';
  const https = !website && random() < 0.97;
  const fields = [
    versionId,
    base64(random, 75),
    signed ? 'SigV4' : '-',
    https ? pick(random, ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256']) : '-',
    signed ? pick(random, ['AuthHeader', 'AuthHeader', 'QueryString']) : '-',
    website
      ? `${place.bucket}.s3-website-${place.region}.amazonaws.com`
      : `${place.bucket}.s3.${place.region}.amazonaws.com`,
    https ? pick(random, ['TLSv1.2', 'TLSv1.3']) : '-',
    random() < 0.05 ? `arn:aws:s3:${place.region}:${place.account}:accesspoint/demo-ap` : '-',
    random() < 0.03 ? 'Yes' : '-',
    place.region,
  ];
  // About 1% old-style records: they end after Version Id or after TLS version.
  const cut = random();
  const kept = cut < 0.005 ? 1 : cut < 0.01 ? 7 : fields.length;
  return fields.slice(0, kept).join(' ');
}

function objectKeySampler(random: Random): () => { key: string; size: number } {
  const keys = Array.from({ length: 400 }, (_, index) => {
    const key = `${pick(random, FOLDERS)}/item-${index}-${hex(random, 6, false)}.${pick(random, EXTENSIONS)}`;
    return { key, size: Math.floor(1000 + Math.pow(random(), 3) * 50_000_000) };
  });
  const rank = zipfSampler(random, keys.length);
  return () => keys[rank()] ?? { key: 'index.html', size: 1024 };
}

/** Records of one request (two for a copy, several for a batch delete). */
function recordsOf(
  random: Random,
  place: Place,
  date: string,
  second: number,
  client: Client,
  object: { key: string; size: number },
  operation: Operation,
): TimedRecord[] {
  const time = clfTime(date, second);
  const ua = (agent: string) => `"${agent}"`;
  const referrer = random() < 0.2 ? `"${pick(random, REFERRERS)}"` : random() < 0.5 ? '"-"' : '-';
  const head = (requester: string, op: string, key: string) =>
    `${place.owner} ${place.bucket} ${time} ${client.ip} ${requester} ${hex(random, 16)} ${op} ${key}`;
  const turnaround = randomInt(random, 2, 60);
  const total = turnaround + randomInt(random, 0, 400);
  const line = (text: string): TimedRecord => ({ second, text });
  switch (operation) {
    case 'get': {
      const roll = random();
      if (roll < 0.06) {
        return [
          line(
            `${head(client.requester, 'REST.GET.OBJECT', object.key)} "GET /${object.key} HTTP/1.1" 404 NoSuchKey 298 - ${total} - ${referrer} ${ua(client.userAgent)} ${tail(random, place, client, '-')}`,
          ),
        ];
      }
      if (roll < 0.1) {
        return [
          line(
            `${head(client.requester, 'REST.GET.OBJECT', object.key)} "GET /${object.key} HTTP/1.1" 403 AccessDenied 243 - ${total} - ${referrer} ${ua(client.userAgent)} ${tail(random, place, client, '-')}`,
          ),
        ];
      }
      if (roll < 0.16) {
        return [
          line(
            `${head(client.requester, 'REST.GET.OBJECT', object.key)} "GET /${object.key} HTTP/1.1" 304 - - ${object.size} ${total} ${turnaround} ${referrer} ${ua(client.userAgent)} ${tail(random, place, client, '-')}`,
          ),
        ];
      }
      const ranged = roll < 0.3 && object.size > 2_000_000;
      const sent = ranged ? Math.min(object.size, 1_048_576 * randomInt(random, 1, 8)) : object.size;
      return [
        line(
          `${head(client.requester, 'REST.GET.OBJECT', object.key)} "GET /${object.key}${random() < 0.1 ? '?x-user=demo' : ''} HTTP/1.1" ${ranged ? 206 : 200} - ${sent} ${object.size} ${total} ${turnaround} ${referrer} ${ua(client.userAgent)} ${tail(random, place, client, '-')}`,
        ),
      ];
    }
    case 'head': {
      const status = pick(random, [200, 200, 200, 304, 404]);
      const error = status === 404 ? 'NoSuchKey' : '-';
      const size = status === 404 ? '-' : object.size;
      return [
        line(
          `${head(client.requester, 'REST.HEAD.OBJECT', object.key)} "HEAD /${object.key} HTTP/1.1" ${status} ${error} - ${size} ${total} ${turnaround} "-" ${ua(client.userAgent)} ${tail(random, place, client, '-')}`,
        ),
      ];
    }
    case 'put': {
      const denied = client.requester === '-';
      return [
        line(
          `${head(client.requester, 'REST.PUT.OBJECT', object.key)} "PUT /${object.key} HTTP/1.1" ${denied ? '403 AccessDenied 243' : '200 - -'} ${denied ? '-' : object.size} ${total} ${turnaround} "-" ${ua(client.userAgent)} ${tail(random, place, client, denied ? '-' : hex(random, 22, false))}`,
        ),
      ];
    }
    case 'website': {
      const missing = random() < 0.05;
      return [
        line(
          `${head('-', 'WEBSITE.GET.OBJECT', object.key)} "GET /${object.key} HTTP/1.1" ${missing ? '404 NoSuchKey 512 -' : `200 - ${object.size} ${object.size}`} ${total} ${turnaround} ${referrer} ${ua(client.userAgent)} ${tail(random, place, client, '-', true)}`,
        ),
      ];
    }
    case 'copy': {
      // A copy logs its PUT part and its GET part (the GET part has no request line of its own).
      const target = `backup/${object.key}`;
      return [
        line(
          `${head(client.requester, 'REST.COPY.OBJECT', target)} "PUT /${target} HTTP/1.1" 200 - 234 ${object.size} ${total} ${turnaround} "-" ${ua(client.userAgent)} ${tail(random, place, client, '-')}`,
        ),
        line(
          `${head(client.requester, 'REST.COPY.OBJECT_GET', object.key)} - 200 - - ${object.size} - - "-" ${ua(client.userAgent)} ${tail(random, place, client, '-')}`,
        ),
      ];
    }
    case 'list':
      return [
        line(
          `${head(client.requester, 'REST.GET.BUCKET', '-')} "GET /?list-type=2&prefix=${pick(random, FOLDERS).replace('/', '%2F')}%2F&encoding-type=url HTTP/1.1" 200 - ${randomInt(random, 400, 90_000)} - ${total} ${turnaround} "-" ${ua(client.userAgent)} ${tail(random, place, client, '-')}`,
        ),
      ];
    case 'get-acl':
      return [
        line(
          `${head(client.requester, 'REST.GET.ACL', object.key)} "GET /${object.key}?acl HTTP/1.1" 200 - 550 - ${total} ${turnaround} "-" ${ua(client.userAgent)} ${tail(random, place, client, '-')}`,
        ),
      ];
    case 'batch-delete': {
      const records = [
        line(
          `${head(client.requester, 'REST.POST.MULTI_OBJECT_DELETE', '-')} "POST /?delete HTTP/1.1" 200 - 412 - ${total} ${turnaround} "-" ${ua(client.userAgent)} ${tail(random, place, client, '-')}`,
        ),
      ];
      for (let entry = 0; entry < randomInt(random, 1, 4); entry += 1) {
        records.push(
          line(
            `${head(client.requester, 'BATCH.DELETE.OBJECT', `tmp/${hex(random, 8, false)}.part`)} - 204 - - - - - - - ${tail(random, place, client, '-')}`,
          ),
        );
      }
      return records;
    }
  }
}

function pickOperation(random: Random): Operation {
  let roll = random();
  for (const [operation, weight] of OPERATIONS) {
    roll -= weight;
    if (roll < 0) return operation;
  }
  return 'get';
}

/**
 * Writes one day of realistic S3 server access logs for one account and region, as S3 delivers
 * them with date-based partitioning (so no configuration is needed):
 * `s3-access-logs/<account>/<region>/<bucket>/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-<UNIQUE>`,
 * uncompressed, for two source buckets. About 3,000 records (× `scale`): GET (200/206/304/403/404),
 * HEAD, PUT, website GETs, copies (both records), listings, batch deletes; user agents with
 * spaces and quotes; IPv6 clients; about 1% old-style records that end early.
 */
export async function writeS3AccessDay(rawRoot: string, options: DemoDayOptions): Promise<GeneratedObject[]> {
  const { account, region, date } = options;
  const random = seededRandom((options.seed ?? 1) ^ hashOf(`s3_access/${account}/${region}/${date}`));
  // Clients, buckets and objects belong to the account and region: the same every day.
  const stable = seededRandom(hashOf(`s3_access/${account}/${region}`));
  const owner = hex(stable, 64, false);
  const buckets = ['media', 'exports'].map((name) => `demo-${name}-${account.slice(-4)}-${region}`);
  const places: Place[] = buckets.map((bucket) => ({ account, region, bucket, owner }));
  const clients = places.map((place) => clientsOf(stable, place));
  const objects = places.map(() => objectKeySampler(stable));
  const clientRank = zipfSampler(stable, 150, 1.2);

  const perBucket = places.map((): TimedRecord[] => []);
  const total = Math.max(1, Math.round(RECORDS_PER_DAY * (options.scale ?? 1)));
  let written = 0;
  while (written < total) {
    const bucketIndex = random() < 0.7 ? 0 : 1;
    const place = places[bucketIndex];
    const client = clients[bucketIndex]?.[clientRank()];
    const object = objects[bucketIndex]?.();
    if (!place || !client || !object) continue;
    const second = Math.floor(random() * 86_400);
    const records = recordsOf(random, place, date, second, client, object, pickOperation(random));
    perBucket[bucketIndex]?.push(...records);
    written += records.length;
  }

  const [year, month, day] = date.split('-');
  const result: GeneratedObject[] = [];
  for (const [bucketIndex, place] of places.entries()) {
    const records = (perBucket[bucketIndex] ?? []).sort((a, b) => a.second - b.second);
    // Each object holds a window of the day; it is delivered some minutes after the window ends.
    for (let part = 0; part < OBJECTS_PER_BUCKET; part += 1) {
      const from = (part * 86_400) / OBJECTS_PER_BUCKET;
      const to = ((part + 1) * 86_400) / OBJECTS_PER_BUCKET;
      const lines = records.filter((record) => record.second >= from && record.second < to);
      if (lines.length === 0) continue;
      const delivered = Math.min(86_399, (lines.at(-1)?.second ?? from) + randomInt(random, 60, 600));
      const stamp = `${date}-${two(Math.floor(delivered / 3600))}-${two(Math.floor(delivered / 60) % 60)}-${two(delivered % 60)}`;
      const key = `${S3_ACCESS_DEMO_PREFIX}${account}/${region}/${place.bucket}/${year}/${month}/${day}/${stamp}-${hex(random, 16)}`;
      const text = `${lines.map((record) => record.text).join('\n')}\n`;
      const path = join(rawRoot, ...key.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
      result.push({ key, lines: lines.length, bytes: Buffer.byteLength(text) });
    }
  }
  return result;
}
