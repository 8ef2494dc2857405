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

/**
 * The (1-based) numbers of the lines of a file whose text is one of `texts`, by text. The engine
 * reports a rejected line by its text; its number is found here, in our own staged copy. Only lines
 * whose byte length matches a wanted text are decoded.
 */
export async function lineNumbersOf(
  path: string,
  texts: ReadonlySet<string>,
): Promise<Map<string, number[]>> {
  const found = new Map<string, number[]>();
  if (texts.size === 0) return found;
  const lengths = new Set([...texts].map((text) => Buffer.byteLength(text)));
  let line = 1;
  let carry: Buffer = Buffer.alloc(0);
  const look = (bytes: Buffer) => {
    if (lengths.has(bytes.length)) {
      const text = bytes.toString('utf8');
      if (texts.has(text)) {
        const numbers = found.get(text);
        if (numbers) numbers.push(line);
        else found.set(text, [line]);
      }
    }
    line += 1;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      look(carry.length ? Buffer.concat([carry, chunk.subarray(start, end)]) : chunk.subarray(start, end));
      carry = Buffer.alloc(0);
      start = end + 1;
    }
    carry = Buffer.concat([carry, chunk.subarray(start)]);
  }
  if (carry.length > 0) look(carry);
  return found;
}
