#!/usr/bin/env node
// The registry used here lacks DuckDB's binaries for other platforms, so `npm install` leaves
// them out of package-lock.json and `npm ci` then rejects the lock. This adds each missing
// optional platform package as a lock entry (version, os, cpu, optional) so `npm ci` skips it
// here and fetches it on the platform that needs it. Run after every dependency change.
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const platformOf = (name) => {
  const match = /-(darwin|linux|win32)-(x64|arm64)(-musl)?$/.exec(name);
  if (!match) return undefined;
  const [, os, cpu, musl] = match;
  return { os, cpu, libc: os === 'linux' ? (musl ? 'musl' : 'glibc') : undefined };
};

let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const platform = platformOf(name);
    const lockKey = `node_modules/${name}`;
    if (!platform || lock.packages[lockKey]) continue;
    lock.packages[lockKey] = {
      version,
      cpu: [platform.cpu],
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      optional: true,
      os: [platform.os],
    };
    added += 1;
    console.log(`added ${lockKey}@${version} (needed by ${path || 'root'})`);
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${added} platform package(s) added to package-lock.json`);
