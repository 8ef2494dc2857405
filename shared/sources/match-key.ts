import type { FlatLayoutPartition, LogSource } from './types.js';

/** The partition value of flat-layout objects whose account or region nobody configured. */
export const UNCONFIGURED = 'unknown';

/** Where one raw object belongs: its partition values, read from its key. */
export interface KeyMatch {
  layout: string;
  account: string;
  region: string;
  /** YYYY-MM-DD */
  date: string;
}

/**
 * Reads account, region and date from a raw key (relative to the raw root), or undefined. Keys of
 * flat layouts name no account (S3 access simple prefix, CloudFront) or no region: those come from
 * the layout's fixed region, then from `flat` (configuration), else `unknown`.
 */
export function matchKey(
  source: LogSource,
  key: string,
  flat: FlatLayoutPartition = {},
): KeyMatch | undefined {
  for (const layout of source.layouts) {
    const match = layout.pattern.exec(key);
    if (!match) continue;
    const group = (index: number): string => match[index] ?? '';
    const date = `${group(layout.groups.year)}-${group(layout.groups.month)}-${group(layout.groups.day)}`;
    if (!isRealDate(date)) return undefined;
    return {
      layout: layout.name,
      account:
        layout.groups.account === undefined ? (flat.account ?? UNCONFIGURED) : group(layout.groups.account),
      region:
        layout.groups.region === undefined
          ? (layout.fixedRegion ?? flat.region ?? UNCONFIGURED)
          : group(layout.groups.region),
      date,
    };
  }
  return undefined;
}

/** True for a YYYY-MM-DD that names a day of the calendar (no 2024-02-30). */
export function isRealDate(date: string): boolean {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}
