import { readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { RawObject } from '../engines/types.js';

/**
 * Lists every file below `root` as a raw object whose key is its path relative to the root with
 * '/' separators — the same key the object has in its S3 bucket. Hidden files and folders
 * (starting with '.') are skipped: they are never AWS deliveries.
 */
export async function listLocalObjects(root: string): Promise<RawObject[]> {
  const objects: RawObject[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.name.startsWith('.')) return;
        const path = join(folder, entry.name);
        const key = prefix + entry.name;
        if (entry.isDirectory()) return walk(path, `${key}/`);
        if (!entry.isFile()) return;
        const info = await stat(path);
        objects.push({ key, size: info.size, lastModified: info.mtime });
      }),
    );
  };
  await walk(root, '');
  return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The local path of a key below `root`. */
export function localPathOf(root: string, key: string): string {
  return join(root, ...key.split('/'))
    .split('/')
    .join(sep);
}
