import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { DEMO_WRITERS } from '../shared/demo/seed-demo.js';
import type { SourceName } from '../shared/sources/types.js';
import { addDays } from '../shared/plan/dates.js';
import { writeVpcFlowDay } from '../shared/demo/vpc-flow-generator.js';

export interface CorpusShape {
  sizeMb: number;
  files: number;
  accounts: number;
  regions: number;
  days: number;
  firstDay: string;
  interfaces: number;
}

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1', 'us-west-2', 'eu-central-1', 'sa-east-1'];

/** All files below a folder, recursively. */
export async function filesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The days the corpus covers. */
export function corpusDays(shape: CorpusShape): string[] {
  return Array.from({ length: shape.days }, (_, index) => addDays(shape.firstDay, index));
}

/**
 * Writes a realistic low-entropy VPC flow corpus (hundreds of interfaces per account and region,
 * Zipf-distributed peers and ports, NODATA lines) of about `sizeMb` MB uncompressed in `files`
 * gzip objects spread over accounts × regions × days, unless the folder already holds it.
 */
export async function ensureCorpus(folder: string, shape: CorpusShape): Promise<string[]> {
  const existing = await filesBelow(folder);
  if (existing.length > 0) return existing;
  const partitions = shape.accounts * shape.regions * shape.days;
  const filesPerPartition = Math.max(1, Math.round(shape.files / partitions));
  const bytesPerFile = (shape.sizeMb * 1e6) / (partitions * filesPerPartition);
  for (let account = 0; account < shape.accounts; account += 1) {
    const accountId = String(100000000000 + account * 111111111)
      .padStart(12, '0')
      .replace(/^1/, account % 2 ? '0' : '1');
    for (const region of REGIONS.slice(0, shape.regions)) {
      for (const date of corpusDays(shape)) {
        await writeVpcFlowDay(folder, {
          account: accountId,
          region,
          date,
          files: filesPerPartition,
          bytesPerFile,
          interfaces: shape.interfaces,
        });
      }
    }
  }
  return filesBelow(folder);
}

const gzipAsync = promisify(gzip);

/**
 * Writes a corpus of another source's demo logs of about `sizeMb` MB of text, gzip-compressed in
 * place (names kept: the engine knows gzip by its magic bytes) so the gzip floor compares alike.
 * The generator's scale is calibrated on one partition first.
 */
export async function ensureDemoCorpus(
  folder: string,
  source: SourceName,
  shape: CorpusShape,
): Promise<string[]> {
  const existing = await filesBelow(folder);
  if (existing.length > 0) return existing;
  const write = DEMO_WRITERS[source];
  const probeFolder = join(folder, '.probe');
  const probe = await write(probeFolder, {
    account: '123456789012',
    region: 'us-east-1',
    date: shape.firstDay,
  });
  await rm(probeFolder, { recursive: true, force: true });
  const bytesPerPartition = probe.reduce((sum, object) => sum + object.bytes, 0);
  const partitions = shape.accounts * shape.regions * shape.days;
  const scale = (shape.sizeMb * 1e6) / (partitions * Math.max(1, bytesPerPartition));
  for (let account = 0; account < shape.accounts; account += 1) {
    const accountId = String(100000000000 + account * 111111111).padStart(12, '0');
    for (const region of REGIONS.slice(0, shape.regions)) {
      for (const date of corpusDays(shape)) {
        const written = await write(folder, { account: accountId, region, date, scale });
        for (const object of written) {
          const path = join(folder, object.key);
          const content = await readFile(path);
          if (content[0] !== 0x1f || content[1] !== 0x8b) await writeFile(path, await gzipAsync(content));
        }
      }
    }
  }
  return filesBelow(folder);
}
