import { clientPool, fileStamp, hex, isoMicros, itemAt, weighted, writeObject } from './alb-generator.js';
import { pick, randomInt, seededRandom, zipfSampler, type Random } from './random.js';
import type { DemoDayOptions, GeneratedObject } from './types.js';
import { hashOf } from './vpc-flow-generator.js';

/** Requests (TCP/SSL: connections) per account, region and day at scale 1. */
const LINES_PER_DAY = 3000;
/** Objects per day: a classic load balancer publishes every 60 minutes (or 5) per node. */
const OBJECTS_PER_DAY = 4;
const INTERVAL_SECONDS = 3600;

/** The four listener protocols of a classic load balancer, with how often each is seen. */
type Listener = 'HTTP' | 'HTTPS' | 'TCP' | 'SSL';
const LISTENERS: readonly [Listener, number][] = [
  ['HTTP', 0.4],
  ['HTTPS', 0.35],
  ['TCP', 0.15],
  ['SSL', 0.1],
];

const PATHS: readonly { path: string; bytes: number }[] = [
  { path: '/', bytes: 14_200 },
  { path: '/index.php', bytes: 14_900 },
  { path: '/assets/site.css', bytes: 61_000 },
  { path: '/assets/site.js', bytes: 238_000 },
  { path: '/api/status', bytes: 310 },
  { path: '/account/login', bytes: 7_400 },
  { path: '/images/header.jpg', bytes: 121_000 },
  { path: '/report?id={id}', bytes: 52_000 },
  { path: '/export/data.csv', bytes: 1_350_000 },
];

const USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
  'Apache-HttpClient/4.5.14 (Java/17.0.10)',
  'curl/7.88.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
];

/** HTTP outcomes: load balancer and backend codes; a missing backend code means `-`. */
const HTTP_OUTCOMES: readonly [{ elb: number; backend?: number; noBackend?: true }, number][] = [
  [{ elb: 200, backend: 200 }, 0.82],
  [{ elb: 302, backend: 302 }, 0.04],
  [{ elb: 404, backend: 404 }, 0.06],
  [{ elb: 500, backend: 500 }, 0.02],
  [{ elb: 502, backend: 502 }, 0.02],
  [{ elb: 503, noBackend: true }, 0.02],
  [{ elb: 504, noBackend: true }, 0.01],
  [{ elb: 408, noBackend: true }, 0.01],
];

/** One account and region's classic load balancer and its registered instances. */
interface ClassicSite {
  name: string;
  host: string;
  backends: readonly string[];
  clients: readonly string[];
}

function classicSite(account: string, region: string): ClassicSite {
  const random = seededRandom(hashOf(`elb/${account}/${region}`));
  const vpc = randomInt(random, 0, 250);
  return {
    // Classic names are letters, digits and hyphens: no dots, unlike ALB (`app.…`) file names.
    name: `legacy-web-${hex(random, 4)}`,
    host: `legacy${account.slice(-4)}.example.com`,
    backends: Array.from(
      { length: 3 },
      () => `10.${vpc}.${randomInt(random, 0, 3)}.${randomInt(random, 10, 250)}`,
    ),
    clients: clientPool(random, 250),
  };
}

/** One access log entry, as the Classic Load Balancer reference lays it out. */
function elbLine(
  site: ClassicSite,
  random: Random,
  at: number,
  pools: { path: () => number; client: () => number },
): string {
  const listener = weighted(random, LISTENERS);
  const client = `${itemAt(site.clients, pools.client())}:${randomInt(random, 1024, 65535)}`;
  const backendIp = pick(random, site.backends);
  const [cipher, protocol] =
    listener === 'HTTPS' || listener === 'SSL'
      ? pick(random, [
          ['ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2'],
          ['ECDHE-RSA-AES256-SHA384', 'TLSv1.2'],
        ])
      : ['-', '-'];
  const stamp = isoMicros(Math.round(at * 1_000_000));
  if (listener === 'TCP' || listener === 'SSL') {
    // Layer 4: no status codes, the request is "- - - " and the user agent "-".
    const connected = random() > 0.02;
    const backend = connected ? `${backendIp}:${listener === 'SSL' ? 8443 : 3306}` : '-';
    const times = connected
      ? `${(0.0005 + random() * 0.001).toFixed(6)} ${(0.00001 + random() * 0.0001).toFixed(6)} ${(random() * 0.0001).toFixed(6)}`
      : '-1 -1 -1';
    const received = connected ? randomInt(random, 60, 4000) : 0;
    const sent = connected ? randomInt(random, 200, 90_000) : 0;
    return `${stamp} ${site.name} ${client} ${backend} ${times} - - ${received} ${sent} "- - - " "-" ${cipher} ${protocol}`;
  }
  const outcome = weighted(random, HTTP_OUTCOMES);
  const page = itemAt(PATHS, pools.path());
  const path = page.path.replace('{id}', String(randomInt(random, 1, 900)));
  const scheme = listener === 'HTTPS' ? 'https' : 'http';
  const port = listener === 'HTTPS' ? 443 : 80;
  const backend = outcome.noBackend ? '-' : `${backendIp}:80`;
  const times = outcome.noBackend
    ? '-1 -1 -1'
    : `${(0.00003 + random() * 0.0001).toFixed(6)} ${(0.001 + Math.pow(random(), 6) * 3).toFixed(6)} ${(random() * 0.0001).toFixed(6)}`;
  const verb = pick(random, ['GET', 'GET', 'GET', 'GET', 'POST', 'HEAD']);
  const received = verb === 'POST' ? randomInt(random, 200, 4000) : 0;
  const sent =
    outcome.elb === 200 && verb !== 'HEAD'
      ? Math.round(page.bytes * (0.9 + random() * 0.2))
      : randomInt(random, 0, 600);
  const agent = pick(random, USER_AGENTS);
  return `${stamp} ${site.name} ${client} ${backend} ${times} ${outcome.elb} ${outcome.backend ?? '-'} ${received} ${sent} "${verb} ${scheme}://${site.host}:${port}${path} HTTP/1.1" "${agent}" ${cipher} ${protocol}`;
}

/**
 * Writes one day of realistic Classic Load Balancer access logs for one account and region
 * under `rawRoot`, as AWS delivers them (plain text, 60-minute interval):
 * `AWSLogs/<account>/elasticloadbalancing/<region>/YYYY/MM/DD/<account>_elasticloadbalancing_<region>_<name>_<end-time>_<node-ip>_<random>.log`.
 * Traffic mixes HTTP, HTTPS, TCP and SSL listeners (`"- - - "` requests, `- -` status codes),
 * 4xx/5xx responses, `-` backends with -1 times.
 */
export async function writeElbDay(rawRoot: string, options: DemoDayOptions): Promise<GeneratedObject[]> {
  const { account, region, date } = options;
  const random = seededRandom((options.seed ?? 1) ^ hashOf(`elb/${account}/${region}/${date}`));
  const site = classicSite(account, region);
  const pools = {
    path: zipfSampler(random, PATHS.length),
    client: zipfSampler(random, site.clients.length, 0.9),
  };
  const [year, month, day] = date.split('-');
  const dayStart = Date.parse(`${date}T00:00:00Z`) / 1000;
  const perObject = Math.max(1, Math.round((LINES_PER_DAY * (options.scale ?? 1)) / OBJECTS_PER_DAY));
  const node = `172.31.${randomInt(random, 0, 127)}.${randomInt(random, 1, 254)}`;
  const objects: GeneratedObject[] = [];
  for (let index = 0; index < OBJECTS_PER_DAY; index += 1) {
    // Hours spread over the day; an object holds the requests of the hour its name ends.
    const end = dayStart + (Math.floor(((index + 0.5) * 24) / OBJECTS_PER_DAY) + 1) * INTERVAL_SECONDS;
    const times = Array.from(
      { length: perObject },
      () => end - INTERVAL_SECONDS + random() * (INTERVAL_SECONDS - 1),
    ).sort((a, b) => a - b);
    const lines = times.map((at) => elbLine(site, random, at, pools));
    const name = `${account}_elasticloadbalancing_${region}_${site.name}_${fileStamp(end)}_${node}_${hex(random, 8)}.log`;
    const key = `AWSLogs/${account}/elasticloadbalancing/${region}/${year}/${month}/${day}/${name}`;
    objects.push(await writeObject(rawRoot, key, lines, false));
  }
  return objects;
}
