import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { readZip, type ZipEntry } from './zip.js';
import type { Template } from './cfn.js';

/** The repository root, where serverless.yml is. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** The longest a packaging may take before the test gives up (it takes seconds). */
export const PACKAGE_TIMEOUT_MS = 120_000;

export interface PackagedService {
  template: Template;
  /** Every zip of the package, by file name, with its entries. */
  zips: Map<string, ZipEntry[]>;
  /** How long `serverless package` took, in ms. */
  ms: number;
}

/**
 * The environment of an offline packaging: no AWS credentials, profile or configuration, so that
 * a step that needed AWS would fail here rather than pass on a developer's machine.
 */
function offlineEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_')) env[name] = value;
  return {
    ...env,
    AWS_SDK_LOAD_CONFIG: '0',
    AWS_CONFIG_FILE: join(tmpdir(), 'athena-logs-no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'athena-logs-no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * Runs `serverless package` (osls, offline) into a temporary folder with the given extra arguments
 * (`--stage`, `--param k=v`) and reads the CloudFormation template and the zips it wrote.
 */
export async function packageService(args: readonly string[] = []): Promise<PackagedService> {
  const out = await mkdtemp(join(tmpdir(), 'athena-logs-package-'));
  try {
    const started = Date.now();
    await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'), 'package', '--package', out, ...args],
      { cwd: ROOT, env: offlineEnvironment(), timeout: PACKAGE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: unknown) => {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`serverless package ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error });
    });
    const ms = Date.now() - started;
    const template = JSON.parse(
      await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as Template;
    const zips = new Map<string, ZipEntry[]>();
    for (const name of await readdir(out)) {
      if (name.endsWith('.zip')) zips.set(name, readZip(await readFile(join(out, name))));
    }
    return { template, zips, ms };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
