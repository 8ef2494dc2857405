import { parseArgs } from 'node:util';

/** Parses `--name value` flags with numeric defaults; benchmarks take only numbers and paths. */
/** Prints what went wrong and the flags there are, then exits 2 (bad usage). */
function refuse(message: string, defaults: Record<string, string | number>): never {
  const usage = Object.entries(defaults)
    .map(
      ([name, value]) =>
        `--${name} ${typeof value === 'number' ? `<number, default ${value}>` : `<text${value ? `, default ${value}` : ''}>`}`,
    )
    .join(' ');
  console.error(`${message}\nusage: ${usage}`);
  process.exit(2);
}

export function benchArgs<T extends Record<string, string | number>>(defaults: T): T {
  const options = Object.fromEntries(
    Object.keys(defaults).map((name) => [name, { type: 'string' as const }]),
  );
  let values: Record<string, string | boolean | undefined> = {};
  try {
    ({ values } = parseArgs({ options, allowPositionals: false }));
  } catch (error) {
    refuse((error as Error).message, defaults);
  }
  const result: Record<string, string | number> = { ...defaults };
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (typeof defaults[name] === 'number') {
      const number = Number(value);
      if (!Number.isFinite(number) || number <= 0)
        refuse(`--${name} must be a positive number, not "${value}".`, defaults);
      result[name] = number;
    } else result[name] = String(value);
  }
  return result as T;
}
