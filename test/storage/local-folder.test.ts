import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderMayHoldDays, listLocalObjects } from '../../shared/storage/local-folder.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const DAYS = new Set(['2026-11-20', '2026-11-21']);

describe('folderMayHoldDays', () => {
  it.each([
    ['AWSLogs/123456789012/vpcflowlogs/us-east-1', true],
    ['AWSLogs/123456789012/vpcflowlogs/us-east-1/2026', true],
    ['AWSLogs/123456789012/vpcflowlogs/us-east-1/2025', false],
    ['AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11', true],
    ['AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/10', false],
    ['AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/21', true],
    ['AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/19', false],
    [
      'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=11/day=20',
      true,
    ],
    [
      'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=11/day=02',
      false,
    ],
    [
      'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=11/day=20/hour=05',
      true,
    ],
    ['some/prefix/us-east-1/not-a-date', true],
    ['AWSLogs/123456789012', true],
  ])('%s → %s', (path, expected) => {
    expect(folderMayHoldDays(path.split('/'), DAYS)).toBe(expected);
  });

  it('keeps every folder when no days are given', () => {
    expect(folderMayHoldDays('AWSLogs/1/vpcflowlogs/us-east-1/1999/01/01'.split('/'), undefined)).toBe(true);
  });
});

describe('listLocalObjects', () => {
  let root: string;
  const file = async (key: string) => {
    const path = join(root, 'raw', ...key.split('/'));
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, key);
  };

  beforeAll(async () => {
    root = await makeTempDir('listing');
    await file('AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/21/a.log.gz');
    await file('AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/19/old.log.gz');
    await file('AWSLogs/123456789012/vpcflowlogs/us-east-1/2025/01/01/older.log.gz');
    await file('.hidden/x.log.gz');
    // Symbolic links: to a file elsewhere, to a folder elsewhere, and one that points nowhere.
    await mkdir(join(root, 'elsewhere', 'day'), { recursive: true });
    await writeFile(join(root, 'elsewhere', 'linked.log.gz'), 'x');
    await writeFile(join(root, 'elsewhere', 'day', 'in-linked-folder.log.gz'), 'y');
    const day = join(root, 'raw', 'AWSLogs', '123456789012', 'vpcflowlogs', 'us-east-1', '2026', '11', '21');
    await symlink(join(root, 'elsewhere', 'linked.log.gz'), join(day, 'linked.log.gz'));
    await mkdir(join(root, 'raw', 'AWSLogs', '123456789012', 'vpcflowlogs', 'eu-west-1', '2026', '11'), {
      recursive: true,
    });
    await symlink(
      join(root, 'elsewhere', 'day'),
      join(root, 'raw', 'AWSLogs', '123456789012', 'vpcflowlogs', 'eu-west-1', '2026', '11', '20'),
    );
    await symlink(join(root, 'nowhere'), join(day, 'dangling.log.gz'));
  });

  afterAll(async () => {
    await removeTempDir(root);
  });

  it('follows symbolic links, skips hidden and dangling entries, and lists everything without days', async () => {
    const keys = (await listLocalObjects(join(root, 'raw'))).map((object) => object.key);

    expect(keys).toEqual([
      'AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/11/20/in-linked-folder.log.gz',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2025/01/01/older.log.gz',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/19/old.log.gz',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/21/a.log.gz',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/21/linked.log.gz',
    ]);
  });

  it('does not enter the date folders of other days', async () => {
    const keys = (await listLocalObjects(join(root, 'raw'), { dates: DAYS })).map((object) => object.key);

    expect(keys).toEqual([
      'AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/11/20/in-linked-folder.log.gz',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/21/a.log.gz',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/21/linked.log.gz',
    ]);
  });
});
