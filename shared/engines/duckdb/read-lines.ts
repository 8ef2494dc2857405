import { createReadStream } from 'node:fs';

const NEWLINE = 0x0a;

/**
 * The text of the given (1-based) lines of a file, each cut at `maxBytes` — read from our own
 * staged copy, because the engine's own record of a rejected line is cut short.
 */
export async function readLinesAt(
  path: string,
  wanted: ReadonlySet<number>,
  maxBytes: number,
): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  if (wanted.size === 0) return found;
  const last = Math.max(...wanted);
  let line = 1;
  let current: Buffer[] = [];
  let currentBytes = 0;
  const keep = (piece: Buffer) => {
    if (!wanted.has(line) || currentBytes >= maxBytes) return;
    const part = piece.subarray(0, maxBytes - currentBytes);
    current.push(part);
    currentBytes += part.length;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      keep(chunk.subarray(start, end));
      if (wanted.has(line)) found.set(line, Buffer.concat(current).toString('utf8'));
      current = [];
      currentBytes = 0;
      line += 1;
      start = end + 1;
      if (line > last) return found;
    }
    keep(chunk.subarray(start));
  }
  if (wanted.has(line) && current.length > 0) found.set(line, Buffer.concat(current).toString('utf8'));
  return found;
}
