import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { mapWithConcurrency } from '../concurrency.js';
import type { RawObject } from '../engines/types.js';

/** Enough parallel `stat` calls to hide latency, few enough to keep memory flat on huge trees. */
const STAT_CONCURRENCY = 32;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-[0-9]+$/;

export interface ListOptions {
  /** Only these days (YYYY-MM-DD) are wanted: date folders of other days are not entered. */
  dates?: ReadonlySet<string>;
}

/**
 * Whether a folder (its path segments relative to the raw root) can hold objects of the wanted
 * days. Only the date folders of AWS layouts are judged — `<region>/YYYY/MM/DD` and
 * `aws-region=…/year=YYYY/month=MM/day=DD` — so a night's run never walks years of history.
 */
export function folderMayHoldDays(
  segments: readonly string[],
  dates: ReadonlySet<string> | undefined,
): boolean {
  if (!dates) return true;
  for (let regionAt = segments.length - 1; regionAt >= Math.max(0, segments.length - 4); regionAt -= 1) {
    const region = segments[regionAt] ?? '';
    const hive = region.startsWith('aws-region=');
    if (!REGION.test(hive ? region.slice('aws-region='.length) : region)) continue;
    const parts = segments.slice(regionAt + 1).map((segment, index) => {
      const prefix = hive ? (['year=', 'month=', 'day='][index] ?? '') : '';
      return segment.startsWith(prefix) ? segment.slice(prefix.length) : '';
    });
    const [year, month, day] = parts;
    if (parts.some((part, index) => !/^[0-9]+$/.test(part) || part.length !== (index === 0 ? 4 : 2)))
      return true;
    const prefix = [year, month, day].filter((part) => part !== undefined).join('-');
    return [...dates].some((date) => date.startsWith(prefix));
  }
  return true;
}

/**
 * Lists every file below `root` as a raw object whose key is its path relative to the root with
 * '/' separators — the same key the object has in its S3 bucket. Symbolic links are followed
 * (each real folder once); hidden files and folders (starting with '.') are skipped: they are
 * never AWS deliveries.
 */
export async function listLocalObjects(root: string, options: ListOptions = {}): Promise<RawObject[]> {
  const objects: RawObject[] = [];
  const seenFolders = new Set<string>();
  const walk = async (folder: string, segments: string[]): Promise<void> => {
    const real = await realpath(folder).catch(() => folder);
    if (seenFolders.has(real)) return;
    seenFolders.add(real);
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const visible = entries.filter((entry) => !entry.name.startsWith('.'));
    const folders: string[] = [];
    await mapWithConcurrency(visible, STAT_CONCURRENCY, async (entry) => {
      const path = join(folder, entry.name);
      const info = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : undefined;
      const isFolder = entry.isDirectory() || info?.isDirectory() === true;
      const isFile = entry.isFile() || info?.isFile() === true;
      if (isFolder) {
        if (folderMayHoldDays([...segments, entry.name], options.dates)) folders.push(entry.name);
        return;
      }
      if (!isFile) return;
      const fileInfo = info ?? (await stat(path));
      objects.push({
        key: [...segments, entry.name].join('/'),
        size: fileInfo.size,
        lastModified: fileInfo.mtime,
      });
    });
    for (const name of folders.sort()) await walk(join(folder, name), [...segments, name]);
  };
  await walk(root, []);
  return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The local path of a key below `root`. */
export function localPathOf(root: string, key: string): string {
  return join(root, ...key.split('/'))
    .split('/')
    .join(sep);
}
