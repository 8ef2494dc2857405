import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isDeadLocalRunner, newRunnerId } from '../../shared/pipeline/runner-id.js';

describe('runner ids', () => {
  it('name this host and process', () => {
    expect(newRunnerId()).toMatch(new RegExp(`^${hostname()}:${process.pid}:[0-9a-f]{8}$`));
  });

  it('judge dead only a finished process of this host', () => {
    const finished = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const deadPid = Number(finished.stdout);

    expect(isDeadLocalRunner(`${hostname()}:${deadPid}:abcd1234`)).toBe(true);
    expect(isDeadLocalRunner(newRunnerId())).toBe(false);
    expect(isDeadLocalRunner(`${hostname()}:1:abcd1234`)).toBe(false);
    expect(isDeadLocalRunner(`another-host:${deadPid}:abcd1234`)).toBe(false);
    expect(isDeadLocalRunner('not-a-runner-id')).toBe(false);
  });
});
