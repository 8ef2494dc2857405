import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobDefinitions, jobSource } from '../../shared/engines/glue/job-definitions.js';
import { SOURCES } from '../../shared/sources/index.js';

const SOURCES_JSON = resolve(import.meta.dirname, '..', '..', 'jobs', 'sources.json');

describe('jobs/sources.json', () => {
  it('is what `npm run export:sources` writes from the source modules today', () => {
    const committed = JSON.parse(readFileSync(SOURCES_JSON, 'utf8')) as unknown;
    // A failure here: run `npm run export:sources` and commit jobs/sources.json.
    expect(committed).toEqual(jobDefinitions());
  });

  it.each(Object.values(SOURCES))('carries every column and the exact pattern of $name', (source) => {
    const exported = jobSource(source);
    expect(exported.columns.map((column) => column.name)).toEqual(
      source.columns.map((column) => column.name),
    );
    expect(exported.clusterBy).toEqual(source.clusterBy);
    if (source.format.kind === 'regex' && exported.format.kind === 'regex')
      expect(exported.format.pattern).toBe(source.format.pattern);
    expect(JSON.stringify(exported)).not.toContain('description');
  });
});
