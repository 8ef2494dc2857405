import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PartitionRef, RejectRecord } from '../../shared/engines/types.js';
import { commitPartition, stageRejects } from '../../shared/pipeline/commit.js';
import {
  DATA_FILE_NAME,
  REJECTS_FILE_NAME,
  dataFolder,
  partitionPath,
  rejectsFolder,
  stagingFolder,
} from '../../shared/pipeline/lake-layout.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const PARTITION: PartitionRef = { account: '012345678901', region: 'us-east-1', date: '2024-01-05' };
const PARTITION_DIR = 'account=012345678901/region=us-east-1/year=2024/month=01/day=05';
const REJECTS: RejectRecord[] = [
  {
    key: 'AWSLogs/012345678901/vpcflowlogs/us-east-1/2024/01/05/a.log.gz',
    line: 7,
    reason: 'cast: packets "ten"',
    text: '2 0123 … ten',
  },
  {
    key: 'AWSLogs/012345678901/vpcflowlogs/us-east-1/2024/01/05/b.log.gz',
    line: 2,
    reason: 'line contains a NUL byte',
    text: 'a\u0000b "quoted"',
  },
];

let root: string;
let lake: string;
let staging: string;

beforeEach(async () => {
  root = await makeTempDir('commit');
  lake = join(root, 'lake');
  staging = stagingFolder(lake, 'run-1');
  await mkdir(staging, { recursive: true });
});

afterEach(async () => {
  await removeTempDir(root);
});

/** Stages a data file (its content marks the version) and the rejects; returns the paths. */
async function stageVersion(version: string, rejects: readonly RejectRecord[] = []) {
  const stagedDataFile = join(staging, `${version}.parquet`);
  const stagedRejectsFile = join(staging, `${version}-rejects.jsonl`);
  await writeFile(stagedDataFile, `data ${version}`);
  await stageRejects(stagedRejectsFile, rejects);
  return { stagedDataFile, stagedRejectsFile, rejectCount: rejects.length };
}

async function commit(
  version: string,
  rejects: readonly RejectRecord[] = [],
  partition: PartitionRef = PARTITION,
) {
  const staged = await stageVersion(version, rejects);
  await commitPartition({ lake, source: 'vpc_flow', partition, ...staged });
  return staged;
}

describe('lake layout', () => {
  it.each<[PartitionRef, string]>([
    [PARTITION, PARTITION_DIR],
    [
      { account: '000000000001', region: 'ap-southeast-2', date: '2025-12-31' },
      'account=000000000001/region=ap-southeast-2/year=2025/month=12/day=31',
    ],
  ])('partitionPath(%j) = %s', (partition, expected) => {
    expect(partitionPath(partition)).toBe(expected);
  });

  it('puts data under <lake>/<source>/… and rejects under <lake>/_rejects/<source>/…', () => {
    expect(dataFolder('/lake', 'vpc_flow', PARTITION)).toBe(join('/lake', 'vpc_flow', PARTITION_DIR));
    expect(rejectsFolder('/lake', 'vpc_flow', PARTITION)).toBe(
      join('/lake', '_rejects', 'vpc_flow', PARTITION_DIR),
    );
    expect(stagingFolder('/lake', 'r1')).toBe(join('/lake', '_staging', 'r1'));
  });
});

describe('commitPartition', () => {
  it('renames the staged data into <lake>/<source>/account=…/day=…/part-00000.snappy.parquet', async () => {
    // Act
    const { stagedDataFile } = await commit('v1');

    // Assess
    const target = join(lake, 'vpc_flow', PARTITION_DIR, 'part-00000.snappy.parquet');
    expect(DATA_FILE_NAME).toBe('part-00000.snappy.parquet');
    expect(await readFile(target, 'utf8')).toBe('data v1');
    expect(existsSync(stagedDataFile)).toBe(false);
    expect(await readdir(join(lake, 'vpc_flow', PARTITION_DIR))).toEqual([DATA_FILE_NAME]);
  });

  it('replaces the previous version', async () => {
    // Prepare
    await commit('v1');

    // Act
    await commit('v2');

    // Assess
    const folder = join(lake, 'vpc_flow', PARTITION_DIR);
    expect(await readdir(folder)).toEqual([DATA_FILE_NAME]);
    expect(await readFile(join(folder, DATA_FILE_NAME), 'utf8')).toBe('data v2');
  });

  it('writes rejects to <lake>/_rejects/<source>/…/rejects.jsonl when there are rejects', async () => {
    // Act
    const { stagedRejectsFile } = await commit('v1', REJECTS);

    // Assess
    const file = join(lake, '_rejects', 'vpc_flow', PARTITION_DIR, 'rejects.jsonl');
    expect(REJECTS_FILE_NAME).toBe('rejects.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(REJECTS);
    expect(existsSync(stagedRejectsFile)).toBe(false);
    // The rejects are outside the table's folder.
    expect(await readdir(join(lake, 'vpc_flow', PARTITION_DIR))).toEqual([DATA_FILE_NAME]);
  });

  it('writes no rejects file when there are none', async () => {
    await commit('v1');

    expect(existsSync(join(lake, '_rejects', 'vpc_flow', PARTITION_DIR, REJECTS_FILE_NAME))).toBe(false);
  });

  it('removes a stale rejects file when the new version has no rejects', async () => {
    // Prepare
    await commit('v1', REJECTS);
    const stale = join(lake, '_rejects', 'vpc_flow', PARTITION_DIR, REJECTS_FILE_NAME);
    expect(existsSync(stale)).toBe(true);

    // Act
    await commit('v2');

    // Assess
    expect(existsSync(stale)).toBe(false);
    expect(await readFile(join(lake, 'vpc_flow', PARTITION_DIR, DATA_FILE_NAME), 'utf8')).toBe('data v2');
  });

  it('replaces the rejects of the previous version with the new ones', async () => {
    await commit('v1', REJECTS);

    await commit('v2', [REJECTS[1] as RejectRecord]);

    const text = await readFile(join(lake, '_rejects', 'vpc_flow', PARTITION_DIR, REJECTS_FILE_NAME), 'utf8');
    expect(text).toBe(`${JSON.stringify(REJECTS[1])}\n`);
  });

  it('removes stray files and folders from the partition folder, and nothing elsewhere', async () => {
    // Prepare: a former layout's files in the partition, and a neighbouring partition.
    const folder = join(lake, 'vpc_flow', PARTITION_DIR);
    await mkdir(join(folder, 'version=old'), { recursive: true });
    await writeFile(join(folder, 'part-00001.snappy.parquet'), 'old');
    await writeFile(join(folder, 'version=old', 'data.parquet'), 'old');
    await writeFile(join(folder, '.hidden-crc'), 'old');
    const neighbour = { ...PARTITION, date: '2024-01-06' };
    await commit('neighbour', REJECTS, neighbour);

    // Act
    await commit('v1');

    // Assess
    expect(await readdir(folder)).toEqual([DATA_FILE_NAME]);
    expect(await readFile(join(folder, DATA_FILE_NAME), 'utf8')).toBe('data v1');
    expect(await readFile(join(dataFolder(lake, 'vpc_flow', neighbour), DATA_FILE_NAME), 'utf8')).toBe(
      'data neighbour',
    );
    expect(existsSync(join(rejectsFolder(lake, 'vpc_flow', neighbour), REJECTS_FILE_NAME))).toBe(true);
  });

  it('keeps partitions of other accounts and regions apart', async () => {
    await commit('a', [], PARTITION);
    await commit('b', [], { ...PARTITION, region: 'eu-west-1' });
    await commit('c', [], { ...PARTITION, account: '999999999999' });

    expect(await readdir(join(lake, 'vpc_flow'))).toEqual(['account=012345678901', 'account=999999999999']);
    expect((await readdir(join(lake, 'vpc_flow', 'account=012345678901'))).sort()).toEqual([
      'region=eu-west-1',
      'region=us-east-1',
    ]);
    expect(await readFile(join(lake, 'vpc_flow', PARTITION_DIR, DATA_FILE_NAME), 'utf8')).toBe('data a');
  });
});

describe('stageRejects', () => {
  it.each<[string, RejectRecord[], string]>([
    ['no rejects: an empty file', [], ''],
    [
      'one JSON object per line, newline-terminated',
      REJECTS,
      REJECTS.map((reject) => `${JSON.stringify(reject)}\n`).join(''),
    ],
  ])('%s', async (_label, rejects, expected) => {
    const file = join(staging, 'rejects.jsonl');

    await stageRejects(file, rejects);

    expect(await readFile(file, 'utf8')).toBe(expected);
  });
});
