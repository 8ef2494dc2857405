import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** An AWS SDK v3 command the source constructs: `s3:ListObjectsV2` from `@aws-sdk/client-s3`. */
export interface SourceCommand {
  /** `<client>:<operation>`, e.g. `dynamodb:UpdateItem`. */
  key: string;
  /** The command class, e.g. `UpdateItemCommand`. */
  className: string;
  /** The files that construct it (or call its paginator), relative to the root. */
  files: string[];
}

function typeScriptFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g;

/**
 * Every SDK command the code under `folders` can send: each `new XCommand(` of a class imported
 * from an `@aws-sdk/client-*` package, and each `paginateX` imported from one (it sends XCommand).
 */
export function sourceCommands(root: string, folders: readonly string[]): SourceCommand[] {
  const found = new Map<string, SourceCommand>();
  for (const file of folders.flatMap((folder) => typeScriptFiles(join(root, folder)))) {
    const text = readFileSync(file, 'utf8');
    const clientOf = new Map<string, string>();
    for (const [, names = '', client = ''] of text.matchAll(IMPORT)) {
      for (const name of names.split(',').map((part) => part.replace(/^\s*type\s+/, '').trim())) {
        const local = name.split(/\s+as\s+/).pop() ?? name;
        if (/^[A-Za-z0-9]+Command$/.test(name) || /^paginate[A-Za-z0-9]+$/.test(name))
          clientOf.set(local, `${client}|${name.split(/\s+as\s+/)[0] ?? name}`);
      }
    }
    const used = new Set<string>();
    for (const [local, origin] of clientOf) {
      const escaped = local.replace(/[$]/g, '\\$');
      const constructed = new RegExp(`new\\s+${escaped}\\s*\\(`).test(text);
      const paginated = local.startsWith('paginate') && new RegExp(`\\b${escaped}\\s*\\(`).test(text);
      if (constructed || paginated) used.add(origin);
    }
    for (const origin of used) {
      const [client = '', imported = ''] = origin.split('|');
      const operation = imported.startsWith('paginate')
        ? imported.slice('paginate'.length)
        : imported.slice(0, -'Command'.length);
      const key = `${client}:${operation}`;
      const entry = found.get(key) ?? { key, className: `${operation}Command`, files: [] };
      entry.files.push(relative(root, file));
      found.set(key, entry);
    }
  }
  return [...found.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** The command classes a bundle constructs (`new XCommand(`, also when esbuild renamed it `XCommand2`). */
export function bundledCommandClasses(bundle: string): Set<string> {
  return new Set([...bundle.matchAll(/new ([A-Za-z0-9]+?Command)\d*\(/g)].map((match) => match[1] ?? ''));
}
