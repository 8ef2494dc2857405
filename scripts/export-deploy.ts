/**
 * Writes deploy/named-queries.json and deploy/dashboard.json, the CloudFormation fragments that
 * serverless.yml includes, from scripts/deploy-fragments.ts (`npm run export:deploy`).
 * test/deploy/fragments.test.ts fails when they are stale.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { dashboardResources, namedQueryResources } from './deploy-fragments.js';

const deploy = resolve(import.meta.dirname, '..', 'deploy');
const fragments: [string, unknown][] = [
  ['named-queries.json', namedQueryResources()],
  ['dashboard.json', dashboardResources()],
];
for (const [name, fragment] of fragments) {
  const target = resolve(deploy, name);
  // Formatted as `prettier --check` (part of npm test) expects it.
  const options = (await resolveConfig(target)) ?? {};
  await writeFile(target, await format(JSON.stringify(fragment), { ...options, filepath: target }));
  console.log(`Wrote ${target}.`);
}
