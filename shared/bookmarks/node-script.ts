import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The `node` arguments that run a script: `[script]` for compiled JavaScript, and
 * `['--import', <tsx loader>, script]` for TypeScript source (tests, tsx). The loader is resolved
 * to an absolute file URL because Node resolves `--import` specifiers from the child's working
 * directory, which need not sit inside this project.
 */
export function nodeArgsFor(script: URL): string[] {
  const path = fileURLToPath(script);
  if (!path.endsWith('.ts')) return [path];
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsxLoader, path];
}

/**
 * A script beside the calling module: `name.js` when the caller runs from dist/, `name.ts` when it
 * runs from source (vitest, tsx), so the same code spawns whichever form exists.
 */
export function siblingScript(callerUrl: string, name: string): URL {
  const extension = new URL(callerUrl).pathname.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, callerUrl);
}
