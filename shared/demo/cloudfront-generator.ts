import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { CLOUDFRONT_FIELDS } from '../sources/cloudfront-fields.js';
import { pick, randomInt, seededRandom, zipfSampler, type Random } from './random.js';
import type { DemoDayOptions, GeneratedObject } from './types.js';
import { hashOf } from './vpc-flow-generator.js';

const gzipAsync = promisify(gzip);

/** Every field, as today's `#Fields:` directive names them. */
const ALL_FIELDS = CLOUDFRONT_FIELDS.map((field) => field.header);
/** Field lists of older files: up to cs-protocol-version (before field-level encryption), then up to fle-encrypted-fields. */
const OLDER_FIELD_COUNTS = [24, 26] as const;

/** Objects written per distribution and day; one hour gets two objects, as busy hours do. */
const HOURS = [1, 4, 7, 9, 9, 13, 17, 21] as const;
/** Lines per day of the default demo, over both distributions. */
const LINES_PER_DAY = 3000;

interface Resource {
  path: string;
  contentType: string;
  size: number;
  /** Requests with a query string, when the resource takes one. */
  query?: () => string;
  /** Served in ranges (206 responses). */
  ranged?: boolean;
  /** Accepts POST (an API or a form). */
  post?: boolean;
}

interface Site {
  label: string;
  alternateDomain: string;
  resources: readonly Resource[];
}

/** A page site and a static-asset site, each a distribution of its own. */
const SITES: readonly Site[] = [
  {
    label: 'www',
    alternateDomain: 'www.example.com',
    resources: [
      { path: '/', contentType: 'text/html', size: 18_342 },
      { path: '/index.html', contentType: 'text/html', size: 18_342 },
      {
        path: '/search',
        contentType: 'text/html;charset=UTF-8',
        size: 9_120,
        query: () => 'q=cdn%20caching&page=2',
        post: true,
      },
      { path: '/products/widget', contentType: 'text/html', size: 25_003 },
      { path: '/blog/2024/edge-caching.html', contentType: 'text/html', size: 31_877 },
      // Non-ASCII and space in a path: delivered URL-encoded, and kept so.
      { path: '/blog/caf%C3%A9-au-lait.html', contentType: 'text/html', size: 12_400 },
      { path: '/docs/getting%20started.html', contentType: 'text/html', size: 40_210 },
      { path: '/api/v1/cart', contentType: 'application/json', size: 734, post: true },
      { path: '/login', contentType: 'text/html', size: 6_050, post: true },
      { path: '/favicon.ico', contentType: 'image/x-icon', size: 15_086 },
      { path: '/robots.txt', contentType: 'text/plain', size: 68 },
    ],
  },
  {
    label: 'static',
    alternateDomain: 'static.example.com',
    resources: [
      { path: '/css/site.3f9a1c.css', contentType: 'text/css', size: 48_221, query: () => 'v=3' },
      { path: '/js/app.8d2e4b.js', contentType: 'application/javascript', size: 312_554 },
      { path: '/img/hero.jpg', contentType: 'image/jpeg', size: 284_911 },
      { path: '/img/logo.svg', contentType: 'image/svg+xml', size: 4_310 },
      { path: '/fonts/inter-var.woff2', contentType: 'font/woff2', size: 96_004 },
      { path: '/video/intro.mp4', contentType: 'video/mp4', size: 38_502_113, ranged: true },
    ],
  },
];

const EDGE_LOCATIONS = [
  'IAD89-C1',
  'IAD55-P4',
  'FRA56-P2',
  'LHR61-C2',
  'NRT57-C3',
  'SEA19-C2',
  'CDG52-P1',
  'GRU3-C1',
  'SIN2-C1',
  'SYD62-P1',
] as const;

// URL-encoded as CloudFront delivers them (spaces as %20).
const USER_AGENTS = [
  'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/124.0.0.0%20Safari/537.36',
  'Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2014_4)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.4%20Safari/605.1.15',
  'Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_4%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.4%20Mobile/15E148%20Safari/604.1',
  'Mozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:125.0)%20Gecko/20100101%20Firefox/125.0',
  'curl/8.5.0',
  'Googlebot/2.1%20(+http://www.google.com/bot.html)',
] as const;

const ERRORS = [
  { status: '404', detailed: 'Error' },
  { status: '403', detailed: 'Error' },
  { status: '502', detailed: 'OriginDnsError' },
  { status: '502', detailed: 'OriginConnectError' },
  { status: '503', detailed: 'AbortedOrigin' },
  { status: '504', detailed: 'OriginReadError' },
] as const;

// Hit-heavy, as a cached site is; weights by repetition keep the draw a plain pick.
const RESULT_WEIGHTS = [
  ...Array<string>(62).fill('Hit'),
  ...Array<string>(22).fill('Miss'),
  ...Array<string>(6).fill('RefreshHit'),
  ...Array<string>(10).fill('Error'),
];
const HTTP_VERSIONS = [
  ...Array<string>(11).fill('HTTP/2.0'),
  ...Array<string>(6).fill('HTTP/1.1'),
  'HTTP/3.0',
];

const REQUEST_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** The viewers of a demo day: a Zipf-popular pool, about a third of them IPv6. */
function viewerPool(random: Random, size: number): string[] {
  const prefixes = ['192.0.2', '198.51.100', '203.0.113'];
  return Array.from({ length: size }, (_, index) =>
    index % 3 === 2
      ? `2001:db8:${randomInt(random, 1, 0xffff).toString(16)}:${randomInt(random, 0, 0xff).toString(16)}::${randomInt(random, 1, 0xfff).toString(16)}`
      : `${pick(random, prefixes)}.${randomInt(random, 1, 254)}`,
  );
}

/** A distribution ID (`E` and 13 upper-case letters or digits) and its domain, stable per account and site. */
function distributionOf(account: string, site: Site): { id: string; domain: string } {
  const a = hashOf(`${account}/${site.label}`).toString(36);
  const b = hashOf(`${site.label}/${account}`).toString(36);
  const tail = (a + b).toUpperCase().padEnd(13, '0').slice(0, 13);
  return { id: `E${tail}`, domain: `d${(b + a).padEnd(13, '7').slice(0, 13)}.cloudfront.net` };
}

/** 54 URL-safe base64 characters and `==`, the shape of CloudFront's request ids. */
function requestId(random: Random): string {
  let id = '';
  for (let index = 0; index < 54; index += 1) {
    id += REQUEST_ID_ALPHABET.charAt(Math.floor(random() * REQUEST_ID_ALPHABET.length));
  }
  return `${id}==`;
}

function seconds(random: Random, min: number, max: number): number {
  return Math.round((min + random() * (max - min)) * 1000) / 1000;
}

/**
 * One request of a site as the 33 fields of a record, in `#Fields:` order: a mix of cache hits,
 * misses, refreshes, redirects and errors (a few with 000: the viewer left), HTTP/1.1, 2 and 3.
 */
function recordOf(
  random: Random,
  context: {
    date: string;
    hour: number;
    site: Site;
    domain: string;
    resource: Resource;
    viewer: string;
  },
): string[] {
  const { site, resource } = context;
  const time = `${String(context.hour).padStart(2, '0')}:${String(randomInt(random, 0, 59)).padStart(2, '0')}:${String(randomInt(random, 0, 59)).padStart(2, '0')}`;
  const https = random() < 0.95;
  const roll = random();
  const method =
    resource.post && random() < 0.4 ? 'POST' : roll < 0.03 ? 'HEAD' : roll < 0.05 ? 'OPTIONS' : 'GET';
  const result = !https ? 'Redirect' : method === 'POST' ? 'Miss' : pick(random, RESULT_WEIGHTS);
  let status = '200';
  let detailed = result;
  let responseResult = result;
  let contentType = resource.contentType;
  let contentLength = method === 'OPTIONS' ? 0 : resource.size;
  let rangeStart = '-';
  let rangeEnd = '-';
  if (result === 'Redirect') {
    status = '301';
    contentType = 'text/html';
    contentLength = 167;
  } else if (result === 'Error') {
    const error = pick(random, ERRORS);
    status = error.status;
    detailed = error.detailed;
    contentType = 'text/html';
    contentLength = 915;
    if (random() < 0.15) {
      // The viewer left before a response: status 000, though the cache held the object.
      status = '000';
      detailed = 'ClientCommError';
      responseResult = 'Hit';
      contentType = resource.contentType;
      contentLength = resource.size;
    }
  } else if (resource.ranged && method === 'GET') {
    status = '206';
    const start = randomInt(random, 0, 30) * 1_048_576;
    const end = Math.min(resource.size - 1, start + 1_048_575);
    rangeStart = String(start);
    rangeEnd = String(end);
    contentLength = end - start + 1;
  } else if (result === 'RefreshHit' && random() < 0.4) {
    status = '304';
    contentLength = 0;
  }
  const bodyBytes = method === 'HEAD' || status === '000' ? 0 : contentLength;
  const bytes = status === '000' ? randomInt(random, 0, 4096) : bodyBytes + randomInt(random, 280, 640);
  const slow = result !== 'Hit' && result !== 'Redirect';
  const timeTaken = slow ? seconds(random, 0.03, 1.8) : seconds(random, 0, 0.02);
  const firstByte = Math.min(timeTaken, slow ? seconds(random, 0.02, 0.6) : seconds(random, 0, 0.01));
  const tls13 = random() < 0.7;
  const version = https ? pick(random, HTTP_VERSIONS) : 'HTTP/1.1';
  const referrer =
    site.label === 'static'
      ? 'https://www.example.com/'
      : pick(random, [
          '-',
          '-',
          'https://www.google.com/',
          'https://www.example.com/blog/2024/edge-caching.html',
        ]);
  // A viewer behind a proxy: c-ip is the proxy, x-forwarded-for the viewer (and the proxy chain).
  const forwarded = random() < 0.05 ? `${context.viewer},10.0.${randomInt(random, 0, 9)}.12` : '-';
  return [
    context.date,
    time,
    pick(random, EDGE_LOCATIONS),
    String(bytes),
    context.viewer,
    method,
    context.domain,
    resource.path,
    status,
    referrer,
    pick(random, USER_AGENTS),
    resource.query && random() < 0.6 ? resource.query() : '-',
    '-',
    result,
    requestId(random),
    random() < 0.9 ? site.alternateDomain : context.domain,
    https ? 'https' : 'http',
    String(randomInt(random, 120, method === 'POST' ? 2400 : 900)),
    timeTaken.toFixed(3),
    forwarded,
    https ? (tls13 ? 'TLSv1.3' : 'TLSv1.2') : '-',
    https ? (tls13 ? 'TLS_AES_128_GCM_SHA256' : 'ECDHE-RSA-AES128-GCM-SHA256') : '-',
    responseResult,
    version,
    '-',
    '-',
    String(randomInt(random, 1024, 65535)),
    firstByte.toFixed(3),
    detailed,
    contentType,
    String(contentLength),
    rangeStart,
    rangeEnd,
  ];
}

/**
 * Writes one realistic day of CloudFront standard logs for the account's two demo distributions
 * (a page site and a static-asset site), laid out as AWS delivers them with the logging prefix
 * `cloudfront/`: `cloudfront/<distribution ID>.YYYY-MM-DD-HH.<unique ID>.gz`, a few gzip objects
 * per day (~3,000 lines at scale 1), each starting with `#Version: 1.0` and `#Fields:`. The first
 * objects of the static site use the shorter field lists of older files. IPv4 and IPv6 viewers;
 * hits, misses, refreshes, redirects and errors. Reproducible from `seed`.
 */
export async function writeCloudfrontDay(
  rawRoot: string,
  options: DemoDayOptions,
): Promise<GeneratedObject[]> {
  const { account, date } = options;
  const random = seededRandom((options.seed ?? 1) ^ hashOf(`cloudfront/${account}/${date}`));
  const viewers = viewerPool(seededRandom(hashOf(`cloudfront/${account}`)), 400);
  const viewerRank = zipfSampler(random, viewers.length, 1.05);
  const perObject = Math.max(
    1,
    Math.round((LINES_PER_DAY * (options.scale ?? 1)) / (HOURS.length * SITES.length)),
  );
  const objects: GeneratedObject[] = [];
  for (const site of SITES) {
    const distribution = distributionOf(account, site);
    const resourceRank = zipfSampler(random, site.resources.length, 1.2);
    for (const [index, hour] of HOURS.entries()) {
      const fieldCount =
        site.label === 'static' && index < OLDER_FIELD_COUNTS.length
          ? (OLDER_FIELD_COUNTS[index] ?? ALL_FIELDS.length)
          : ALL_FIELDS.length;
      const lines = ['#Version: 1.0', `#Fields: ${ALL_FIELDS.slice(0, fieldCount).join(' ')}`];
      for (let line = 0; line < perObject; line += 1) {
        const record = recordOf(random, {
          date,
          hour,
          site,
          domain: distribution.domain,
          resource: site.resources[resourceRank()] ?? pick(random, site.resources),
          viewer: viewers[viewerRank()] ?? pick(random, viewers),
        });
        lines.push(record.slice(0, fieldCount).join('\t'));
      }
      const unique = hashOf(`${distribution.id}/${date}/${index}`).toString(36).padStart(7, '0');
      const stamp = `${date}-${String(hour).padStart(2, '0')}`;
      const key = `cloudfront/${distribution.id}.${stamp}.${unique}.gz`;
      const text = `${lines.join('\n')}\n`;
      const path = join(rawRoot, ...key.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await gzipAsync(text));
      objects.push({ key, lines: lines.length, bytes: Buffer.byteLength(text) });
    }
  }
  return objects;
}
