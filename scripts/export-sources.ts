/**
 * Writes jobs/sources.json, the source definitions the Glue job parses with, from the TypeScript
 * modules (`npm run export:sources`). test/jobs/sources-json.test.ts fails when it is stale.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { jobDefinitions } from '../shared/engines/glue/job-definitions.js';

const target = resolve(import.meta.dirname, '..', 'jobs', 'sources.json');
// Formatted as `prettier --check` (part of npm test) expects it.
const options = (await resolveConfig(target)) ?? {};
const text = await format(JSON.stringify(jobDefinitions()), { ...options, filepath: target });
await writeFile(target, text);
console.log(`Wrote ${target}.`);
