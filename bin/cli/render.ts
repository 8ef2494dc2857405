import type { PartitionOutcome } from '../../shared/pipeline/types.js';

/** One value as text: NULL as `-`, timestamps in ISO 8601 (UTC), as `--json` writes them. */
function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object'
    ? JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? String(inner) : inner))
    : String(value);
}

/** Formats a table of rows with aligned columns (numbers right-aligned). */
export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((row) => row.map(formatCell));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const numeric = headers.map(
    (_, column) =>
      rows.length > 0 &&
      rows.every(
        (row) => typeof row[column] === 'number' || typeof row[column] === 'bigint' || row[column] === null,
      ),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, column) =>
        numeric[column] ? value.padStart(widths[column] ?? 0) : value.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/** The per-partition summary a person reads after a run. */
export function formatSummary(outcomes: readonly PartitionOutcome[]): string {
  const rows = outcomes.map((outcome) => [
    outcome.source,
    outcome.account,
    outcome.region,
    outcome.date,
    outcome.action,
    outcome.rowsIn,
    outcome.rowsOut,
    outcome.rowsRejected,
    outcome.seconds === null ? null : Number(outcome.seconds.toFixed(2)),
    outcome.error ?? outcome.reason ?? '',
  ]);
  return formatTable(
    ['source', 'account', 'region', 'date', 'result', 'rows in', 'rows out', 'rejected', 'seconds', 'note'],
    rows,
  );
}

/** One line per partition for logs and pipes (no terminal control characters). */
export function formatOutcomeLine(outcome: PartitionOutcome): string {
  const where = `${outcome.source} ${outcome.account} ${outcome.region} ${outcome.date}`;
  if (outcome.action === 'converted') {
    return `converted ${where}: ${outcome.rowsOut} rows, ${outcome.rowsRejected} rejected, in ${outcome.seconds?.toFixed(2)}s`;
  }
  if (outcome.action === 'failed') return `FAILED ${where}: ${outcome.error}`;
  return `${outcome.action} ${where}${outcome.reason ? `: ${outcome.reason}` : ''}`;
}

/** A one-line progress bar, redrawn in place on a terminal. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} partitions`;
}
