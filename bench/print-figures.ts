/**
 * Prints a benchmark's figures: one `name value` line each (names padded to one column), then
 * the same figures as one JSON line for scripts.
 */
export function printFigures(
  figures: Record<string, unknown>,
  json: Record<string, unknown> = figures,
): void {
  const width = Math.max(...Object.keys(figures).map((name) => name.length)) + 1;
  console.log(
    Object.entries(figures)
      .map(([name, value]) => `${name.padEnd(width)} ${String(value)}`)
      .join('\n'),
  );
  console.log(JSON.stringify(json));
}
