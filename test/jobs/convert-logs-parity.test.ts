import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManifest, jobArguments, runObjects } from '../../shared/engines/glue/manifest.js';
import type { RemoteConvertRequest } from '../../shared/engines/remote-types.js';
import { SOURCES } from '../../shared/sources/index.js';
import { DuckDBReader } from '../fixtures/duckdb-reader.js';
import { EngineHarness } from '../fixtures/engine-harness.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';
import { castProbes, expectationOf, type CaseExpectation } from './duckdb-expectations.js';
import { parityCases, type ParityCase } from './parity-cases.js';

/**
 * The Glue job's pure-Python parsers against the embedded DuckDB engine: the engine converts every
 * shared fixture (and objects of lines its stager screens); its rows, rejects and counts, and its
 * answers to typed-conversion probes, are written as JSON; then python3's unittest
 * (jobs/test_convert_logs.py) parses the same bytes with jobs/convert_logs.py and compares.
 */
const REPOSITORY = resolve(import.meta.dirname, '..', '..');

let root: string;
let harness: EngineHarness;
let duck: DuckDBReader;

beforeAll(async () => {
  root = await makeTempDir('glue-parity');
  harness = new EngineHarness(join(root, 'engine'));
  duck = await DuckDBReader.open();
});

afterAll(async () => {
  duck?.close();
  await harness?.close();
  await removeTempDir(root);
});

/**
 * A job run as the Glue engine starts it for one case: its argv (the StartJobRun arguments), the
 * manifest it writes, and which local file holds each object the manifest names.
 */
function engineRun(parity: ParityCase, expectation: CaseExpectation, index: number) {
  const raw = { bucket: 'central-logs', prefix: 'raw/' };
  const request: RemoteConvertRequest = {
    source: SOURCES[parity.source],
    partition: parity.partition,
    objects: parity.objects.map((object) => ({
      key: object.key,
      size: object.content.length,
      lastModified: new Date(0),
    })),
    raw,
    stagingData: { bucket: 'lake', prefix: `lake/${parity.source}/v=run-parity/` },
    stagingRejects: { bucket: 'lake', prefix: `lake/_rejects/${parity.source}/v=run-parity/` },
    runId: 'run-parity',
  };
  const objects = runObjects({ bucket: 'lake', prefix: 'lake/_staging/glue/' }, request);
  const manifest = buildManifest(request, objects);
  return {
    case: index,
    argv: Object.entries(jobArguments(manifest, objects)).flat(),
    manifest,
    files: Object.fromEntries(expectation.objects.map((object) => [`raw/${object.key}`, object.file])),
  };
}

function runPythonTests(expected: string) {
  return spawnSync(
    'python3',
    ['-m', 'unittest', 'discover', '--start-directory', 'jobs', '--pattern', 'test_convert_logs.py', '-v'],
    {
      cwd: REPOSITORY,
      encoding: 'utf8',
      env: { ...process.env, ATHENA_LOGS_EXPECTED: expected, PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 120_000,
    },
  );
}

describe('the Glue job parses like the embedded engine', () => {
  it('matches DuckDB on every fixture line, reject reason and count (python3 unittest)', async () => {
    const expected = join(root, 'expected');
    const cases: CaseExpectation[] = [];
    for (const [index, parity] of parityCases().entries())
      cases.push(await expectationOf(harness, duck, parity, expected, index));
    await writeFile(join(expected, 'cases.json'), JSON.stringify(cases));
    await writeFile(join(expected, 'casts.json'), JSON.stringify(await castProbes(duck)));
    const runs = parityCases().map((parity, index) =>
      engineRun(parity, cases[index] as CaseExpectation, index),
    );
    await writeFile(join(expected, 'engine-runs.json'), JSON.stringify(runs));

    // Prepare checks: the cases exercise rows and rejects of every source.
    expect(new Set(cases.map((parity) => parity.source)).size).toBe(6);
    for (const source of new Set(cases.map((parity) => parity.source))) {
      const ofSource = cases.filter((parity) => parity.source === source);
      expect(
        ofSource.some((parity) => parity.rows.length > 0),
        source,
      ).toBe(true);
      expect(
        ofSource.some((parity) => parity.rejects.length > 0),
        source,
      ).toBe(true);
    }

    const run = runPythonTests(expected);
    const report = `${run.stdout}\n${run.stderr}`;
    expect(run.error, report).toBeUndefined();
    expect(run.status, report).toBe(0);
    // unittest reports to stderr; every test ran (none skipped for want of expectations).
    expect(run.stderr, report).toMatch(/\nOK\n?$/);
    expect(run.stderr, report).not.toMatch(/skipped/);
    expect(run.stderr, report).toMatch(/test_cases_match_the_embedded_engine .* ok/);
    expect(run.stderr, report).toMatch(/test_conversions_match_duckdb .* ok/);
    expect(run.stderr, report).toMatch(/test_the_engine_manifest_and_arguments_drive_the_job .* ok/);
  });
});
