import { CommanderError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ddlText } from '../../bin/cli/ddl-command.js';
import { buildProgram } from '../../bin/cli/program.js';
import { UsageError } from '../../shared/errors.js';
import { AVAILABLE_SOURCES } from '../../shared/sources/index.js';
import { runCli } from '../fixtures/cli-runner.js';
import { expectOneValidStatement, hive } from './athena-parsers.js';

/** The statements of a printed script: comment lines dropped, split at the `;` ending each. */
function statementsOf(text: string): string[] {
  return text
    .split(';\n')
    .map((chunk) =>
      chunk
        .split('\n')
        .filter((line) => !line.startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter((statement) => statement !== '');
}

async function runInProcess(...args: string[]): Promise<{ code: number | undefined; stdout: string }> {
  let code: number | undefined;
  let stdout = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await buildProgram((exit) => (code = exit)).parseAsync(['node', 'athena-logs', 'ddl', ...args]);
  } finally {
    write.mockRestore();
  }
  return { code, stdout };
}

afterEach(() => vi.restoreAllMocks());

describe('athena-logs ddl', () => {
  it('prints every table of every source, each statement valid Hive, placeholders clearly marked', async () => {
    const { code, stdout } = await runInProcess();
    expect(code).toBe(0);
    expect(stdout).toBe(ddlText({}));
    expect(stdout).toMatch(
      /^-- PLACEHOLDER LOCATIONS: replace s3:\/\/<raw-bucket>\/ and s3:\/\/<lake-bucket>\/ with your buckets/m,
    );
    const statements = statementsOf(stdout);
    expect(statements[0]).toBe('CREATE DATABASE IF NOT EXISTS `athena_logs`');
    expect(statements).toHaveLength(1 + 3 * AVAILABLE_SOURCES.length);
    const created = statements.map(
      (sql) => /^CREATE EXTERNAL TABLE IF NOT EXISTS `athena_logs`\.`([a-z0-9_]+)` \(/.exec(sql)?.[1],
    );
    expect(created.slice(1)).toEqual(
      AVAILABLE_SOURCES.flatMap((name) => [`${name}_raw`, `${name}_raw_lines`, name]),
    );
    for (const sql of statements) expectOneValidStatement(hive, sql);
  });

  it('--source, --database, --raw and --lake: one source, the given database and S3 locations', async () => {
    const { stdout } = await runInProcess(
      '--source',
      'alb',
      '--database',
      'logs_db',
      '--raw',
      's3://my-raw/logs',
      '--lake',
      's3://my-lake',
    );
    expect(stdout).not.toContain('PLACEHOLDER');
    expect(stdout).not.toContain('<raw-bucket>');
    const statements = statementsOf(stdout);
    expect(statements.map((sql) => sql.split('\n')[0])).toEqual([
      'CREATE DATABASE IF NOT EXISTS `logs_db`',
      'CREATE EXTERNAL TABLE IF NOT EXISTS `logs_db`.`alb_raw` (',
      'CREATE EXTERNAL TABLE IF NOT EXISTS `logs_db`.`alb_raw_lines` (',
      'CREATE EXTERNAL TABLE IF NOT EXISTS `logs_db`.`alb` (',
    ]);
    expect(stdout).toContain("LOCATION 's3://my-raw/logs/'");
    expect(stdout).toContain("LOCATION 's3://my-lake/_manifests/alb/'");
    expect(stdout).toContain("LOCATION 's3://my-lake/alb/'");
  });

  it('--projection: projected where the keys have day folders, else the reason and the manifest table', async () => {
    const vpc = await runInProcess('--source', 'vpc_flow', '--projection');
    expect(vpc.stdout).toContain("'projection.enabled'='true'");
    expect(vpc.stdout).toContain(
      "'storage.location.template'='s3://<raw-bucket>/AWSLogs/${account}/vpcflowlogs/${region}/${year}/${month}/${day}/'",
    );
    const cloudfront = await runInProcess('--source', 'cloudfront', '--projection');
    expect(cloudfront.stdout).toMatch(/^-- cloudfront cannot use partition projection: /m);
    expect(cloudfront.stdout).toMatch(/date is only in the file name/);
    expect(cloudfront.stdout).not.toContain('projection.enabled');
    for (const sql of statementsOf(cloudfront.stdout)) expectOneValidStatement(hive, sql);
  });

  it.each<[string[], RegExp]>([
    [['--source', 'nginx'], /Unknown source "nginx"/],
    [['--database', 'Bad-Name'], /not a valid identifier/],
    [['--database', 'x`; DROP DATABASE y; --'], /not a valid identifier/],
    [['--raw', '/local/folder'], /--raw must be an S3 URL/],
    [['--lake', 's3://'], /--lake must be an S3 URL/],
  ])('bad usage %j is a UsageError (exit 2)', async (args, message) => {
    await expect(runInProcess(...args)).rejects.toThrow(UsageError);
    await expect(runInProcess(...args)).rejects.toThrow(message);
  });

  it('an unknown flag is a commander usage error (exit 2)', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await expect(runInProcess('--nope')).rejects.toThrow(CommanderError);
  });

  it('the built CLI exits 0 with the DDL, and 2 on bad usage', async () => {
    const ok = await runCli(['ddl', '--source', 'elb']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(ddlText({ source: 'elb' }));
    const bad = await runCli(['ddl', '--source', 'nginx']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Unknown source "nginx"');
  });
});
