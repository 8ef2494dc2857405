import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  stageRawText,
  MAX_LINE_BYTES,
  MAX_REJECT_TEXT,
  type LineCheck,
} from '../../shared/engines/duckdb/stage-raw-text.js';
import { UnreadableObjectError } from '../../shared/errors.js';
import { V2_HEADER, textOf, v2Line } from '../fixtures/flow-log-lines.js';
import { makeTempDir, removeTempDir } from '../fixtures/temp-dir.js';

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await makeTempDir('stage');
});
afterAll(async () => {
  await removeTempDir(dir);
});

/** Writes `content` as a raw object under `name` and stages it; returns the result and staged text. */
async function stage(
  name: string,
  content: Buffer | string,
  lineCheck?: (firstLine: string) => LineCheck | undefined,
) {
  counter += 1;
  const source = join(dir, `${counter}-${name}`);
  const target = join(dir, `${counter}-staged.txt`);
  await writeFile(source, content);
  const result = await stageRawText(source, `AWSLogs/key/${name}`, target, lineCheck);
  return { result, staged: await readFile(target), source, target };
}

async function stageError(name: string, content: Buffer | string): Promise<unknown> {
  return stage(name, content).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('stageRawText', () => {
  const body = textOf([V2_HEADER, v2Line({ srcport: 1 }), v2Line({ srcport: 2 })]);

  it.each<[string, string, Buffer]>([
    ['gzip content named .log', 'object.log', gzipSync(body)],
    ['gzip content named .log.gz', 'object.log.gz', gzipSync(body)],
    ['plain content named .gz', 'object.log.gz', Buffer.from(body)],
    ['plain content with no extension', '2024-01-05-00-00-00-ABCDEF', Buffer.from(body)],
  ])('recognises gzip by its magic bytes: %s', async (_label, name, content) => {
    // Act
    const { result, staged, source } = await stage(name, content);
    // Assess: the staged copy is the plain text whatever the name said.
    expect(staged.toString('utf8')).toBe(body);
    expect(result.lines).toBe(3);
    expect(result.firstLine).toBe(V2_HEADER);
    expect(result.bytesIn).toBe((await stat(source)).size);
    expect(result.bytesOut).toBe(Buffer.byteLength(body));
  });

  it.each<[string, string, number, number]>([
    ['three lines', 'a\nb\nc\n', 3, 0],
    ['blank line in the middle', 'a\n\nb\n', 3, 1],
    ['two blank lines in a row', 'a\n\n\nb\n', 4, 2],
    ['blank first line', '\na\n', 2, 1],
    ['trailing blank line', 'a\nb\n\n', 3, 1],
    ['last line without newline', 'a\nb\nc', 3, 0],
    ['single line without newline', 'only', 1, 0],
    ['blank line then last line without newline', 'a\n\nc', 3, 1],
    ['only newlines', '\n\n\n', 3, 3],
  ])('counts lines and blank lines: %s', async (_label, text, lines, blankLines) => {
    // Act
    const { result, staged } = await stage('count.log', gzipSync(text));
    // Assess
    expect(result.lines).toBe(lines);
    expect(result.blankLines).toBe(blankLines);
    // The last line gets its newline in the staged copy.
    expect(staged.toString('utf8')).toBe(text.endsWith('\n') ? text : `${text}\n`);
  });

  it('counts lines and blank lines exactly across decompression chunk boundaries', async () => {
    // Prepare: ~6 MB, with blank lines scattered so that some fall on 1 MiB chunk edges.
    const lines: string[] = [];
    let blanks = 0;
    for (let index = 0; index < 60_000; index += 1) {
      if (index % 97 === 0) {
        lines.push('');
        blanks += 1;
      } else lines.push(`${index} ${'x'.repeat(index % 200)}`);
    }
    const text = textOf(lines);

    // Act
    const { result, staged } = await stage('big.log.gz', gzipSync(text));

    // Assess
    expect(result.lines).toBe(60_000);
    expect(result.blankLines).toBe(blanks);
    expect(staged.equals(Buffer.from(text))).toBe(true);
  });

  it.each(
    [-3, -2, -1, 0, 1, 2].flatMap((shift) => [
      [shift, 'plain'],
      [shift, 'gzip'],
    ]) as [number, 'plain' | 'gzip'][],
  )('counts a blank line sitting %i bytes from the 1 MiB read boundary (%s)', async (shift, kind) => {
    // Prepare: "\n\n" (a blank line) placed right at a 1 MiB chunk edge of the read stream.
    const edge = 1 << 20;
    const before = 'a'.repeat(edge + shift - 1);
    const text = `${before}\n\nb\n${'c'.repeat(100)}\n\n`;
    const expectedLines = text.split('\n').length - 1;
    const expectedBlanks = text
      .split('\n')
      .slice(0, -1)
      .filter((line) => line === '').length;

    // Act
    const { result } = await stage(`edge-${shift}.log`, kind === 'gzip' ? gzipSync(text) : Buffer.from(text));

    // Assess
    expect(expectedBlanks).toBe(2);
    expect(result.lines).toBe(expectedLines);
    expect(result.blankLines).toBe(expectedBlanks);
  });

  it('rejects a line holding a NUL byte early, with its line number, and blanks it in the copy', async () => {
    // Prepare
    const text = textOf([V2_HEADER, v2Line({ srcport: 1 }), `2 0123\u0000bad`, v2Line({ srcport: 3 })]);

    // Act
    const { result, staged } = await stage('nul.log', gzipSync(text));

    // Assess
    expect(result.earlyRejects).toEqual([
      { line: 3, reason: expect.stringMatching(/NUL/), text: '2 0123\u0000bad' },
    ]);
    expect(result.lines).toBe(4);
    expect(result.blankLines).toBe(0);
    expect(staged.toString('utf8')).toBe(
      textOf([V2_HEADER, v2Line({ srcport: 1 }), '', v2Line({ srcport: 3 })]),
    );
  });

  it('numbers a NUL line exactly when it sits deep in a multi-chunk object', async () => {
    // Prepare: ~3.5 MB of records, a NUL line at line 30002 and another on the very last line.
    const lines = [V2_HEADER, ...Array.from({ length: 30_000 }, (_, index) => v2Line({ srcport: index }))];
    lines.push('bad\u0000one');
    lines.push(...Array.from({ length: 9_998 }, (_, index) => v2Line({ dstport: index })));
    lines.push('\u0000last');
    const text = textOf(lines);

    // Act
    const { result, staged } = await stage('deep-nul.log.gz', gzipSync(text));

    // Assess
    expect(result.lines).toBe(40_001);
    expect(result.earlyRejects.map((reject) => reject.line)).toEqual([30_002, 40_001]);
    expect(staged.length).toBe(Buffer.byteLength(text) - 'bad\u0000one'.length - '\u0000last'.length);
    expect(result.bytesOut).toBe(staged.length);
  });

  it('runs the line check on records only (not the header, not blank lines) and blanks refused lines', async () => {
    // Prepare
    const seen: string[] = [];
    const check = (firstLine: string): LineCheck => {
      seen.push(`first:${firstLine}`);
      return (line) => {
        seen.push(line);
        return line.includes('bad') ? `refused ${line}` : undefined;
      };
    };
    const text = textOf(['h1 h2', 'ok 1', '', 'bad 2', 'ok 3']);

    // Act
    const { result, staged } = await stage('check.log', text, check);

    // Assess
    expect(seen).toEqual(['first:h1 h2', 'ok 1', 'bad 2', 'ok 3']);
    expect(result.earlyRejects).toEqual([{ line: 4, reason: 'refused bad 2', text: 'bad 2' }]);
    expect(staged.toString('utf8')).toBe(textOf(['h1 h2', 'ok 1', '', '', 'ok 3']));
  });

  it('keeps at most MAX_REJECT_TEXT characters of a rejected line', async () => {
    const long = `\u0000${'y'.repeat(MAX_REJECT_TEXT + 100)}`;
    const { result } = await stage('long-nul.log', textOf(['h', long]));

    expect(result.earlyRejects).toHaveLength(1);
    expect(result.earlyRejects[0]?.line).toBe(2);
    expect(result.earlyRejects[0]?.text.length).toBe(MAX_REJECT_TEXT);
  });

  it.each<[string, (gz: Buffer) => Buffer]>([
    ['truncated gzip', (gz) => gz.subarray(0, Math.floor(gz.length / 2))],
    ['gzip missing its trailer', (gz) => gz.subarray(0, gz.length - 4)],
    [
      'corrupt gzip (deflate data overwritten)',
      (gz) => {
        const copy = Buffer.from(gz);
        copy.fill(0xff, 10, Math.min(copy.length - 8, 40));
        return copy;
      },
    ],
    [
      'gzip with a wrong checksum',
      (gz) => {
        const copy = Buffer.from(gz);
        const at = copy.length - 8;
        copy[at] = (copy[at] ?? 0) ^ 0xff;
        return copy;
      },
    ],
    ['gzip magic bytes then garbage', () => Buffer.from([0x1f, 0x8b, 0x00, 0x01, 0x02, 0x03, 0x04])],
  ])('throws UnreadableObjectError naming the key for a %s', async (label, damage) => {
    // Prepare
    const lines = Array.from({ length: 2000 }, (_, index) => v2Line({ srcport: index }));
    const gz = gzipSync(textOf([V2_HEADER, ...lines]));
    const name = `${label.replace(/[^a-z]+/g, '-')}.log.gz`;

    // Act
    const error = await stageError(name, damage(gz));

    // Assess
    expect(error).toBeInstanceOf(UnreadableObjectError);
    expect((error as UnreadableObjectError).message).toContain(`AWSLogs/key/${name}`);
    expect((error as UnreadableObjectError).key).toBe(`AWSLogs/key/${name}`);
  });

  it('throws UnreadableObjectError naming the key when the object does not exist', async () => {
    const error = await stageRawText(
      join(dir, 'missing.log.gz'),
      'AWSLogs/missing.log.gz',
      join(dir, 'missing.txt'),
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UnreadableObjectError);
    expect((error as Error).message).toContain('AWSLogs/missing.log.gz');
  });

  it('settles with a rejection (no uncaught exception) when the staged copy cannot be written', async () => {
    // Prepare: run in a child process, since an uncaught exception would take the test runner down.
    const script = fileURLToPath(new URL('../fixtures/stage-into-missing-folder.ts', import.meta.url));

    // Act
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      timeout: 20_000,
    });

    // Assess
    const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      outcome: string;
      message?: string;
    };
    expect(report).toMatchObject({ outcome: 'rejected', message: expect.stringContaining('no-such-folder') });
  });

  it.each<[string, Buffer]>([
    ['zero-byte object', Buffer.alloc(0)],
    ['gzip of nothing', gzipSync('')],
  ])('reads a %s as 0 lines with no first line', async (_label, content) => {
    const { result, staged } = await stage('empty.log.gz', content);

    expect(result.lines).toBe(0);
    expect(result.blankLines).toBe(0);
    expect(result.firstLine).toBeUndefined();
    expect(result.earlyRejects).toEqual([]);
    expect(result.bytesIn).toBe(content.length);
    expect(staged.length).toBe(0);
  });

  it('reads every member of a concatenated multi-member gzip', async () => {
    // Prepare: three members, the middle one splitting a line across members.
    const part1 = textOf([V2_HEADER, v2Line({ srcport: 1 })]);
    const part2 = 'line-3-start';
    const part3 = ` line-3-end\n${v2Line({ srcport: 4 })}\n`;
    const content = Buffer.concat([gzipSync(part1), gzipSync(part2), gzipSync(part3)]);

    // Act
    const { result, staged } = await stage('multi.log.gz', content);

    // Assess
    expect(staged.toString('utf8')).toBe(part1 + part2 + part3);
    expect(result.lines).toBe(4);
    expect(result.bytesIn).toBe(content.length);
  });

  it('quarantines a 10 MB line early, keeping its number, its length and its first 64 KiB (gzip and plain, with and without newline)', async () => {
    // Prepare: DuckDB would skip such a line silently, so the stager must refuse it.
    const line = `2 ${'z'.repeat(10 * 1024 * 1024)}`;

    for (const content of [
      gzipSync(`${V2_HEADER}\n${line}\n${v2Line()}\n`),
      Buffer.from(`${V2_HEADER}\n${v2Line()}\n${line}`),
    ]) {
      // Act
      const { result, staged } = await stage('huge.log', content);
      // Assess
      expect(result.lines).toBe(3);
      expect(result.firstLine).toBe(V2_HEADER);
      expect(result.earlyRejects).toHaveLength(1);
      const [reject] = result.earlyRejects;
      expect(reject?.reason).toBe(
        `line of ${line.length} bytes is longer than the ${MAX_LINE_BYTES}-byte limit`,
      );
      expect(reject?.text).toBe(line.slice(0, MAX_REJECT_TEXT));
      // The engine sees a blank line in its place, so its line numbers still match the object's.
      expect(staged.toString().split('\n')).toHaveLength(4);
      expect(staged.length).toBe(V2_HEADER.length + v2Line().length + 3);
    }
    expect(MAX_LINE_BYTES).toBeLessThan(2 * 1024 * 1024);
  });

  it('refuses an object whose first line is over the limit: it holds no header', async () => {
    const line = 'q'.repeat(10 * 1024 * 1024);

    await expect(stage('huge-first.log.gz', gzipSync(line))).rejects.toThrow(
      /huge-first\.log\.gz.*first line is longer than/,
    );
  });

  it('drops a trailing carriage return from the first line', async () => {
    const { result } = await stage('crlf.log', `${V2_HEADER}\r\n${v2Line()}\r\n`);

    expect(result.firstLine).toBe(V2_HEADER);
    expect(result.lines).toBe(2);
  });
});
