import { parseArgs } from 'node:util';

/** Parses `--name value` flags with numeric defaults; benchmarks take only numbers and paths. */
export function benchArgs<T extends Record<string, string | number>>(defaults: T): T {
  const options = Object.fromEntries(
    Object.keys(defaults).map((name) => [name, { type: 'string' as const }]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ options, allowPositionals: false }));
  } catch (error) {
    const usage = Object.entries(defaults)
      .map(
        ([name, value]) =>
          `--${name} ${typeof value === 'number' ? `<number, default ${value}>` : `<text${value ? `, default ${value}` : ''}>`}`,
      )
      .join(' ');
    console.error(`${(error as Error).message}\nusage: ${usage}`);
    process.exit(2);
  }
  const result: Record<string, string | number> = { ...defaults };
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (typeof defaults[name] === 'number') {
      const number = Number(value);
      if (!Number.isFinite(number) || number <= 0)
        throw new Error(`--${name} must be a positive number, not "${value}".`);
      result[name] = number;
    } else result[name] = String(value);
  }
  return result as T;
}
