import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DEMO_WRITERS } from '../../shared/demo/seed-demo.js';
import { DuckDBEngine } from '../../shared/engines/duckdb/engine.js';
import type { RawObject } from '../../shared/engines/types.js';
import { discoverPartitions } from '../../shared/plan/discover.js';
import { AVAILABLE_SOURCES, PARTITION_COLUMNS, SOURCES, type LogSource } from '../../shared/sources/index.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

/** Constructs JavaScript, RE2 (DuckDB), Java (Athena) and Python (Glue) do not all read alike. */
const NOT_PORTABLE = [/\(\?[=!<]/, /\(\?P?</, /\\[1-9]/, /\(\?[a-z]+\)/, /\\[AZzbB]/];

function deliveredColumnsOf(source: LogSource): string[] {
  return source.columns.filter((column) => column.derive === undefined).map((column) => column.name);
}

/** The columns the raw format fills. */
function formatColumnsOf(source: LogSource): string[] {
  const format = source.format;
  switch (format.kind) {
    case 'regex':
      return format.groups.map((group) => group.column);
    case 'json-records':
      return format.fields.map((field) => field.column);
    case 'header-delimited':
      return format.fields
        .filter((field) => field.servedByPartition === undefined)
        .map((field) => field.name);
  }
}

async function listFiles(root: string, folder = root): Promise<RawObject[]> {
  const found: RawObject[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(root, path)));
    else {
      const info = await stat(path);
      found.push({
        key: relative(root, path).split('\\').join('/'),
        size: info.size,
        lastModified: info.mtime,
      });
    }
  }
  return found;
}

describe.each(AVAILABLE_SOURCES.map((name) => [name, SOURCES[name]] as const))(
  'source %s',
  (name, source) => {
    it('names its columns as Athena identifiers, once each, apart from the partition columns', () => {
      const names = source.columns.map((column) => column.name);
      expect(names.length).toBeGreaterThan(0);
      for (const column of source.columns) {
        expect(column.name).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(column.description.length).toBeGreaterThan(0);
      }
      expect(new Set(names).size).toBe(names.length);
      expect(names.filter((column) => (PARTITION_COLUMNS as readonly string[]).includes(column))).toEqual([]);
      expect(source.name).toBe(name);
    });

    it('fills every delivered column from its format exactly once, and derives the rest from real columns', () => {
      const filled = formatColumnsOf(source);
      expect(new Set(filled).size).toBe(filled.length);
      expect([...filled].sort()).toEqual([...deliveredColumnsOf(source)].sort());
      const names = new Set(source.columns.map((column) => column.name));
      for (const column of source.columns) {
        if (!column.derive) continue;
        expect(names.has(column.derive.from)).toBe(true);
        if (column.derive.kind === 'date-and-time') expect(names.has(column.derive.time)).toBe(true);
      }
      for (const clustered of source.clusterBy) expect(names.has(clustered)).toBe(true);
    });

    it('uses only portable, anchored patterns', () => {
      const patterns = source.layouts.map((layout) => layout.pattern.source);
      if (source.format.kind === 'regex') {
        patterns.push(source.format.pattern);
        const groups = new RegExp(`${source.format.pattern}|`).exec('')?.length ?? 0;
        expect(groups - 1).toBe(source.format.groups.length);
      }
      expect(source.layouts.length).toBeGreaterThan(0);
      for (const pattern of patterns) {
        expect(pattern.startsWith('^') && pattern.endsWith('$')).toBe(true);
        for (const construct of NOT_PORTABLE) expect(pattern).not.toMatch(construct);
      }
    });

    describe('demo data', () => {
      let dir: string;
      let engine: DuckDBEngine;

      beforeAll(async () => {
        dir = await makeTempDir(`demo-${name}-`);
        engine = new DuckDBEngine({
          tempDirectory: join(dir, 'duckdb-tmp'),
          memoryLimit: '256MB',
          parquetVersion: 'v2',
          rowGroupSize: 65_536,
          stagingConcurrency: 2,
        });
      });

      afterAll(async () => {
        await engine.close();
        await removeTempDir(dir);
      });

      it('lays out a day as AWS does, and converts it with no reject', async () => {
        const raw = join(dir, 'raw');
        const place =
          name === 'cloudfront'
            ? { account: '123456789012', region: 'global' }
            : { account: '123456789012', region: 'eu-west-1' };
        const generated = await DEMO_WRITERS[name](raw, { ...place, date: '2024-03-10' });
        expect(generated.length).toBeGreaterThan(0);

        const partitions = discoverPartitions([source], await listFiles(raw), {
          dates: new Set(['2024-03-10']),
          flatLayouts: { [name]: { account: place.account } },
        });
        expect(partitions.map((partition) => [partition.account, partition.region, partition.date])).toEqual([
          [place.account, place.region, '2024-03-10'],
        ]);
        const [partition] = partitions;
        if (!partition) throw new Error('no partition');
        const scratchDir = join(dir, 'scratch');
        await mkdir(scratchDir, { recursive: true });
        const result = await engine.convert({
          source,
          partition,
          objects: partition.objects,
          pathOf: (key) => join(raw, key),
          scratchDir,
          stagedDataFile: join(dir, 'out.parquet'),
        });
        expect(result.rejects.slice(0, 3)).toEqual([]);
        expect(result.rowsOut).toBeGreaterThan(0);
        expect(result.rowsIn).toBe(result.rowsOut);
      });
    });
  },
);
