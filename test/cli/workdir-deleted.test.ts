import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPidAlive } from '../../shared/process.js';
import { runCli, stopBookmarkServer } from '../fixtures/cli-runner.js';
import { flowKey, flowLine, V2_HEADER, writeRawObject } from '../fixtures/raw-objects.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

const ACCOUNT = '055555555555';
const serverPid = async (workdir: string) =>
  (JSON.parse(await readFile(join(workdir, 'bookmarks', 'server.json'), 'utf8')) as { pid: number }).pid;

// A user deletes the workdir while its idle bookmark server still runs: the old server must
// leave, never share the folder with the new one (their bookmarks would disagree).
describe('a workdir deleted under its bookmark server', () => {
  let root: string;
  let raw: string;
  let workdir: string;

  beforeAll(async () => {
    root = await makeTempDir('deleted');
    raw = join(root, 'raw');
    workdir = join(root, 'work');
    await writeRawObject(
      raw,
      flowKey(ACCOUNT, 'us-east-1', '2026-07-01', 'a'),
      [V2_HEADER, flowLine(ACCOUNT, 1)].join('\n') + '\n',
    );
  });

  afterAll(async () => {
    await stopBookmarkServer(workdir);
    await removeTempDir(root);
  });

  it('makes the old server exit, and the new one keeps the new bookmarks', async () => {
    const args = [
      'backfill',
      '--from',
      '2026-07-01',
      '--to',
      '2026-07-01',
      '--raw',
      raw,
      '--workdir',
      workdir,
    ];
    expect((await runCli(args)).code).toBe(0);
    const oldPid = await serverPid(workdir);

    await rm(workdir, { recursive: true, force: true });
    const afresh = await runCli(args);
    await sleep(2_500);
    const again = await runCli([...args, '--json']);

    expect(afresh.stdout).toMatch(/Converted 1,/);
    expect(isPidAlive(oldPid)).toBe(false);
    expect(await serverPid(workdir)).not.toBe(oldPid);
    expect(JSON.parse(again.stdout).partitions.map((entry: { action: string }) => entry.action)).toEqual([
      'up-to-date',
    ]);
  });
});
