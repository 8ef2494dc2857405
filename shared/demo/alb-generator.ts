import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { pick, randomInt, seededRandom, zipfSampler, type Random } from './random.js';
import type { DemoDayOptions, GeneratedObject } from './types.js';
import { hashOf } from './vpc-flow-generator.js';

const gzipAsync = promisify(gzip);

/** Requests per account, region and day at scale 1. */
const LINES_PER_DAY = 3000;
/** Objects per day: ALB delivers a file per node and 5-minute window; the demo keeps a few. */
const OBJECTS_PER_DAY = 6;
const WINDOW_SECONDS = 300;

/** Paths a site serves, most requested first (Zipf), with their usual response size. */
/** A path the demo site serves: its usual response size, whether it is an API (or Lambda) call. */
interface SitePath {
  path: string;
  bytes: number;
  api?: true;
  lambda?: true;
}

const PATHS: readonly SitePath[] = [
  { path: '/', bytes: 18_400 },
  { path: '/static/app.js', bytes: 412_000 },
  { path: '/static/app.css', bytes: 96_000 },
  { path: '/api/v1/items', bytes: 5_200, api: true },
  { path: '/images/logo.png', bytes: 24_800 },
  { path: '/api/v1/cart', bytes: 1_900, api: true },
  { path: '/favicon.ico', bytes: 1_150 },
  { path: '/api/v1/items/{id}', bytes: 2_300, api: true },
  { path: '/search?q={q}', bytes: 22_600 },
  { path: '/products/{id}', bytes: 31_000 },
  { path: '/api/v1/session', bytes: 640, api: true },
  { path: '/login', bytes: 9_800 },
  { path: '/api/v1/thumbnails/{id}', bytes: 48_000, api: true, lambda: true },
  { path: '/images/banner-{id}.jpg', bytes: 182_000 },
  { path: '/robots.txt', bytes: 120 },
  { path: '/api/v1/orders', bytes: 3_700, api: true },
  { path: '/downloads/catalog.pdf', bytes: 2_480_000 },
  { path: '/wp-login.php', bytes: 0 },
];

const SOCKET_PATH: SitePath = { path: '/live/socket?v=2', bytes: 0 };

const GRPC_PATHS: readonly SitePath[] = [
  { path: '/shop.Inventory/GetItem', bytes: 420, api: true },
  { path: '/shop.Inventory/Reserve', bytes: 96, api: true },
  { path: '/shop.Pricing/Quote', bytes: 210, api: true },
];

const USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'okhttp/4.12.0',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'python-requests/2.31.0',
  'curl/8.5.0',
  'Amazon CloudFront',
  '-',
];

const TLS: readonly [string, string][] = [
  ['ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2'],
  ['TLS_AES_128_GCM_SHA256', 'TLSv1.3'],
  ['ECDHE-RSA-AES256-GCM-SHA384', 'TLSv1.2'],
];

/** Listener types of an ALB (the `type` field), with how often each is seen. */
const TYPES: readonly [string, number][] = [
  ['https', 0.55],
  ['h2', 0.3],
  ['http', 0.08],
  ['wss', 0.03],
  ['ws', 0.02],
  ['grpcs', 0.02],
];

/** How a request ended: status codes, whether a target answered, the actions taken. */
interface Outcome {
  elbStatus: number;
  /** The target's status, or undefined when no target answered. */
  targetStatus?: number;
  /** No target was chosen (`-`): redirects, fixed responses, WAF blocks, no healthy target. */
  noTarget?: true;
  /** The processing times are -1: the request was never dispatched (or the target timed out). */
  notDispatched?: true;
  actions: string;
}

const FORWARD_OUTCOMES: readonly [Outcome, number][] = [
  [{ elbStatus: 200, targetStatus: 200, actions: 'forward' }, 0.78],
  [{ elbStatus: 304, targetStatus: 304, actions: 'forward' }, 0.05],
  [{ elbStatus: 404, targetStatus: 404, actions: 'forward' }, 0.06],
  [{ elbStatus: 401, targetStatus: 401, actions: 'forward' }, 0.015],
  [{ elbStatus: 500, targetStatus: 500, actions: 'forward' }, 0.02],
  [{ elbStatus: 502, notDispatched: true, actions: 'forward' }, 0.015],
  [{ elbStatus: 503, noTarget: true, notDispatched: true, actions: 'forward' }, 0.01],
  [{ elbStatus: 504, notDispatched: true, actions: 'forward' }, 0.005],
  [{ elbStatus: 460, notDispatched: true, actions: 'forward' }, 0.01],
  [{ elbStatus: 403, noTarget: true, notDispatched: true, actions: 'waf' }, 0.015],
  [{ elbStatus: 400, noTarget: true, notDispatched: true, actions: '-' }, 0.005],
];

/** The item at `index`, which the caller knows exists (a sampler's rank, a modulo). */
export function itemAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item ${index} in a list of ${items.length}`);
  return item;
}

/** Picks an item by weight. */
export function weighted<T>(random: Random, items: readonly [T, number][]): T {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let target = random() * total;
  for (const [item, weight] of items) {
    target -= weight;
    if (target < 0) return item;
  }
  const last = items[items.length - 1];
  if (last === undefined) throw new RangeError('weighted() needs a non-empty list');
  return last[0];
}

/** `count` random hex digits. */
export function hex(random: Random, count: number): string {
  let text = '';
  for (let index = 0; index < count; index += 1) text += Math.floor(random() * 16).toString(16);
  return text;
}

/** ISO 8601 with microseconds, as ELB writes it (`2018-07-02T22:23:00.186641Z`). */
export function isoMicros(epochMicros: number): string {
  const millis = Math.floor(epochMicros / 1000);
  const micros = String(Math.floor(epochMicros % 1_000_000)).padStart(6, '0');
  return `${new Date(millis).toISOString().slice(0, 19)}.${micros}Z`;
}

/** The `<end-time>` of a file name: `20140215T2340Z`. */
export function fileStamp(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
}

/** A pool of client addresses: public IPv4 mostly, some IPv6 (written without brackets). */
export function clientPool(random: Random, size: number): string[] {
  const pool: string[] = [];
  for (let index = 0; index < size; index += 1) {
    pool.push(
      random() < 0.1
        ? `2001:db8:${hex(random, 4)}:${hex(random, 2)}::${hex(random, 3)}`
        : `${pick(random, [203, 198, 192, 81, 90, 151, 176])}.${randomInt(random, 0, 255)}.${randomInt(random, 0, 255)}.${randomInt(random, 1, 254)}`,
    );
  }
  return pool;
}

/** Seconds with `digits` decimals, as ELB writes them. */
function seconds(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** Writes an object under the raw root; returns what was written. */
export async function writeObject(
  rawRoot: string,
  key: string,
  lines: readonly string[],
  compress: boolean,
): Promise<GeneratedObject> {
  const text = `${lines.join('\n')}\n`;
  const path = join(rawRoot, ...key.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, compress ? await gzipAsync(text) : text);
  return { key, lines: lines.length, bytes: Buffer.byteLength(text) };
}

/** One account and region's Application Load Balancer and what stands behind it. */
interface AlbSite {
  account: string;
  region: string;
  /** `app/<name>/<id>`. */
  resourceId: string;
  host: string;
  targets: readonly string[];
  targetGroup: string;
  lambdaGroup: string;
  certificate: string;
  clients: readonly string[];
}

function albSite(account: string, region: string): AlbSite {
  const random = seededRandom(hashOf(`alb/${account}/${region}`));
  const name = `shop-web-${hex(random, 4)}`;
  const vpc = randomInt(random, 0, 250);
  const arn = (kind: string) => `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/${kind}`;
  return {
    account,
    region,
    resourceId: `app/${name}/${hex(random, 16)}`,
    host: `shop${account.slice(-4)}.example.com`,
    targets: Array.from(
      { length: 4 },
      (_, index) => `10.${vpc}.${index % 2}.${randomInt(random, 10, 250)}:${pick(random, [80, 8080])}`,
    ),
    targetGroup: arn(`web-targets/${hex(random, 16)}`),
    lambdaGroup: arn(`thumbnails/${hex(random, 16)}`),
    certificate: `arn:aws:acm:${region}:${account}:certificate/${hex(random, 8)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 12)}`,
    clients: clientPool(random, 400),
  };
}

/** One access log entry of the current format (through `request_transform_status`). */
function albLine(site: AlbSite, random: Random, at: number, pools: Samplers): string {
  const type = weighted(random, TYPES);
  const secure = type !== 'http' && type !== 'ws';
  const websocket = type === 'ws' || type === 'wss';
  // gRPC calls are POSTs to /<package>.<Service>/<Method>; WebSockets upgrade on one path.
  const path =
    type === 'grpcs'
      ? itemAt(GRPC_PATHS, randomInt(random, 0, GRPC_PATHS.length - 1))
      : websocket
        ? SOCKET_PATH
        : itemAt(PATHS, pools.path());
  const url = path.path
    .replace('{id}', String(randomInt(random, 1, 5000)))
    .replace('{q}', pick(random, ['shoes', 'red+dress', 'gift%20card']));
  const port = secure ? 443 : 80;
  const scheme = secure ? 'https' : 'http';
  const verb =
    type === 'grpcs'
      ? 'POST'
      : websocket
        ? 'GET'
        : path.api
          ? weighted(random, VERBS_API)
          : weighted(random, VERBS_WEB);
  const proto = type === 'h2' || type === 'grpcs' ? 'HTTP/2.0' : 'HTTP/1.1';
  const client = itemAt(site.clients, pools.client());
  const [cipher, protocol] = secure ? pick(random, TLS) : ['-', '-'];

  let outcome: Outcome;
  if (type === 'http' && random() < 0.7) {
    outcome = { elbStatus: 301, noTarget: true, notDispatched: true, actions: 'redirect' };
  } else if (websocket) {
    outcome = { elbStatus: 101, targetStatus: 101, actions: 'forward' };
  } else {
    outcome = weighted(random, FORWARD_OUTCOMES);
  }
  // A request the load balancer could not parse: no verb, the URL cut short, no protocol.
  const malformed = outcome.actions === '-';
  const agent = malformed
    ? '-'
    : type === 'grpcs'
      ? 'grpc-java-netty/1.63.0'
      : itemAt(USER_AGENTS, pools.agent());
  const lambda = path.lambda === true && outcome.actions === 'forward' && !outcome.noTarget;
  let errorReason = '-';
  if (lambda && outcome.elbStatus >= 500) {
    errorReason = pick(random, ['LambdaUnhandled', 'LambdaInvalidResponse', 'LambdaThrottling']);
    outcome = { elbStatus: 502, actions: 'forward' };
  }
  const target = outcome.noTarget || lambda ? '-' : pick(random, site.targets);
  const targetStatus = outcome.targetStatus === undefined ? '-' : String(outcome.targetStatus);

  const requestSeconds = 0.0005 + random() * 0.002;
  const targetSeconds = 0.002 + Math.pow(random(), 6) * 4;
  const responseSeconds = random() * 0.0008;
  const times = outcome.notDispatched
    ? outcome.elbStatus === 502 || outcome.elbStatus === 504
      ? `${seconds(requestSeconds, 3)} -1 -1`
      : '-1 -1 -1'
    : `${seconds(requestSeconds, 3)} ${seconds(targetSeconds, 3)} ${seconds(responseSeconds, 3)}`;
  // A WebSocket entry is written when the connection closes: it was opened minutes before.
  const total = outcome.notDispatched
    ? 0.001
    : requestSeconds + targetSeconds + responseSeconds + (websocket ? 20 + random() * 600 : 0);
  const created = Math.round((at - total) * 1000) * 1000;

  // WebSockets count every byte of the connection.
  const received = websocket
    ? randomInt(random, 500, 60_000)
    : (verb === 'POST' || verb === 'PUT' ? 900 : 180) + randomInt(random, 0, 700);
  const sent = websocket
    ? randomInt(random, 2_000, 900_000)
    : outcome.elbStatus === 200 && verb !== 'HEAD'
      ? Math.round(path.bytes * (0.9 + random() * 0.2)) + 300
      : outcome.elbStatus === 304
        ? 180
        : randomInt(random, 150, 700);
  const redirect = outcome.actions === 'redirect' ? `https://${site.host}:443${url}` : '-';
  const group =
    outcome.noTarget && outcome.actions !== 'forward' ? '-' : lambda ? site.lambdaGroup : site.targetGroup;
  const rule = outcome.actions === 'redirect' ? '1' : lambda ? '2' : outcome.actions === '-' ? '-' : '0';
  const actions = outcome.actions === 'forward' && random() < 0.3 ? 'waf,forward' : outcome.actions;
  const [classification, reason] =
    random() < 0.01 ? ['Ambiguous', 'UndefinedContentLengthSemantics'] : ['-', '-'];
  const traceSeconds = Math.floor(at).toString(16);
  const clientPort = randomInt(random, 1024, 65535);
  const certificate = secure ? (random() < 0.2 ? 'session-reused' : site.certificate) : '-';
  return [
    type,
    isoMicros(Math.round(at * 1_000_000)),
    site.resourceId,
    `${client}:${clientPort}`,
    target,
    times,
    String(outcome.elbStatus),
    targetStatus,
    String(received),
    String(sent),
    malformed
      ? `"- ${scheme}://${site.host}:${port}- -"`
      : `"${verb} ${scheme}://${site.host}:${port}${url} ${proto}"`,
    `"${agent}"`,
    cipher,
    protocol,
    group,
    malformed ? '"-"' : `"Root=1-${traceSeconds}-${hex(random, 24)}"`,
    `"${secure ? site.host : '-'}"`,
    `"${certificate}"`,
    rule,
    isoMicros(created),
    `"${actions}"`,
    `"${redirect}"`,
    `"${errorReason}"`,
    `"${target}"`,
    `"${targetStatus}"`,
    `"${classification}"`,
    `"${reason}"`,
    `TID_${hex(random, 32)}`,
    '"-"',
    '"-"',
    '"-"',
  ].join(' ');
}

const VERBS_WEB: readonly [string, number][] = [
  ['GET', 0.92],
  ['HEAD', 0.03],
  ['POST', 0.05],
];
const VERBS_API: readonly [string, number][] = [
  ['GET', 0.6],
  ['POST', 0.22],
  ['PUT', 0.08],
  ['DELETE', 0.05],
  ['OPTIONS', 0.05],
];

interface Samplers {
  path: () => number;
  client: () => number;
  agent: () => number;
}

/**
 * Writes one day of realistic Application Load Balancer access logs for one account and region
 * under `rawRoot`, as AWS delivers them (gzip, current format, every field through
 * `request_transform_status`):
 * `AWSLogs/<account>/elasticloadbalancing/<region>/YYYY/MM/DD/<account>_elasticloadbalancing_<region>_app.<name>.<id>_<end-time>_<node-ip>_<random>.log.gz`.
 * Traffic mixes listener types (https, h2, http redirects, WebSockets, gRPC), Zipf-popular
 * clients, paths and user agents, 4xx/5xx outcomes, WAF blocks, `-` targets and -1 times.
 */
export async function writeAlbDay(rawRoot: string, options: DemoDayOptions): Promise<GeneratedObject[]> {
  const { account, region, date } = options;
  const random = seededRandom((options.seed ?? 1) ^ hashOf(`alb/${account}/${region}/${date}`));
  const site = albSite(account, region);
  const pools: Samplers = {
    path: zipfSampler(random, PATHS.length),
    client: zipfSampler(random, site.clients.length, 0.9),
    agent: zipfSampler(random, USER_AGENTS.length),
  };
  const [year, month, day] = date.split('-');
  const dayStart = Date.parse(`${date}T00:00:00Z`) / 1000;
  const perObject = Math.max(1, Math.round((LINES_PER_DAY * (options.scale ?? 1)) / OBJECTS_PER_DAY));
  const nodes = [
    `172.31.${randomInt(random, 0, 63)}.${randomInt(random, 1, 254)}`,
    `172.31.${randomInt(random, 64, 127)}.${randomInt(random, 1, 254)}`,
  ];
  const objects: GeneratedObject[] = [];
  for (let index = 0; index < OBJECTS_PER_DAY; index += 1) {
    // Windows spread over the day; each object holds the requests of its 5 minutes, in order.
    const end =
      dayStart + Math.floor(((index + 0.5) * 86_400) / OBJECTS_PER_DAY / WINDOW_SECONDS) * WINDOW_SECONDS;
    const times = Array.from(
      { length: perObject },
      () => end - WINDOW_SECONDS + random() * WINDOW_SECONDS,
    ).sort((a, b) => a - b);
    const lines = times.map((at) => albLine(site, random, at, pools));
    const node = itemAt(nodes, index % nodes.length);
    const name = `${account}_elasticloadbalancing_${region}_${site.resourceId.replace(/\//g, '.')}_${fileStamp(end)}_${node}_${hex(random, 8)}.log.gz`;
    const key = `AWSLogs/${account}/elasticloadbalancing/${region}/${year}/${month}/${day}/${name}`;
    objects.push(await writeObject(rawRoot, key, lines, true));
  }
  return objects;
}
