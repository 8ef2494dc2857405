import { isUtf8 } from 'node:buffer';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { UnreadableObjectError } from '../../errors.js';
import { openRawText } from './magic-bytes.js';

const NEWLINE = 0x0a;
const NUL = 0x00;
const CARRIAGE_RETURN = 0x0d;
/** Reject records keep at most this much of an oversized line: the raw object stays the source of truth. */
export const MAX_REJECT_TEXT = 65_536;
/**
 * Longest line handed to the engine. DuckDB silently skips lines over its own limit (2 MiB), so
 * longer ones are quarantined here; no real log record comes near either.
 */
export const MAX_LINE_BYTES = 1_048_576;
/**
 * Lines longer than this have their fields counted here: DuckDB's cost for a line with far too
 * many fields grows faster than linearly (100,000 fields: 28 s and 2.4 GB), and such a line can
 * only be garbage.
 */
export const FIELD_CHECK_BYTES = 4_096;

/** The most fields a record of the format can have, and the byte between them. */
export interface FieldLimit {
  delimiter: number;
  maxFields: number;
}

/** What the engine's reader cannot take, or the format treats apart, screened here. */
export interface LineScreen {
  /**
   * Lines starting with this byte are comments (CloudFront's `#Version`/`#Fields`): blanked in the
   * copy, counted apart and kept (the first few) for the header.
   */
  commentStart?: number;
  /** The byte the engine's single-column reader uses as its delimiter: a line holding it is quarantined. */
  forbiddenByte?: number;
  /** Records only, no header line (regex and JSON formats): an over-long first line is just quarantined. */
  noHeaderLine?: boolean;
  /** Quarantine lines that are not valid UTF-8 here (a single-column read would fail on them). */
  validUtf8?: boolean;
}

/** Comment lines kept for the caller (a header directive comes first). */
const KEPT_COMMENTS = 16;
const UNIT_SEPARATOR = 0x1f;
export const SINGLE_COLUMN_SCREEN: LineScreen = {
  forbiddenByte: UNIT_SEPARATOR,
  noHeaderLine: true,
  validUtf8: true,
};

/** A line refused before the engine sees it (the engine sees a blank line in its place). */
export interface EarlyReject {
  line: number;
  reason: string;
  text: string;
}

/** Per-line check run in JavaScript only when a format needs it (e.g. the vpc_flow region rule). */
export type LineCheck = (line: string) => string | undefined;

export interface StagedText {
  /** Physical lines, the header included, blank lines included. */
  lines: number;
  /** Empty lines: they hold no record and are neither rows nor rejects. */
  blankLines: number;
  /** The first line (the header of a flow-log object), undefined for an empty object. */
  firstLine: string | undefined;
  /** Comment lines (blanked in the copy; neither rows nor rejects). */
  commentLines: number;
  /** The first comment lines, in order. */
  comments: string[];
  earlyRejects: EarlyReject[];
  bytesIn: number;
  bytesOut: number;
}

/** What an object holds before any of it is read. */
export function emptyStagedText(): StagedText {
  return {
    lines: 0,
    blankLines: 0,
    firstLine: undefined,
    commentLines: 0,
    comments: [],
    earlyRejects: [],
    bytesIn: 0,
    bytesOut: 0,
  };
}

/**
 * Counts newlines (the line count is measured here, on its own, not derived from the engine's)
 * and finds the longest run between them; `lead` bytes of the first line came in earlier chunks.
 */
function scanNewlines(buffer: Buffer, lead: number): { count: number; longest: number } {
  let count = 0;
  let longest = 0;
  let lineStart = -lead;
  for (let at = buffer.indexOf(NEWLINE); at !== -1; at = buffer.indexOf(NEWLINE, at + 1)) {
    count += 1;
    if (at - lineStart > longest) longest = at - lineStart;
    lineStart = at + 1;
  }
  return { count, longest };
}

/** Empty lines, also CRLF ones ("\r\n"); the first counts only when `complete` starts a line. */
function countBlankLines(complete: Buffer, startsLine: boolean): number {
  const blankFirst = complete[0] === NEWLINE || (complete[0] === CARRIAGE_RETURN && complete[1] === NEWLINE);
  let blanks = startsLine && blankFirst ? 1 : 0;
  for (let at = complete.indexOf('\n\n'); at !== -1; at = complete.indexOf('\n\n', at + 1)) blanks += 1;
  for (let at = complete.indexOf('\n\r\n'); at !== -1; at = complete.indexOf('\n\r\n', at + 1)) blanks += 1;
  return blanks;
}

/**
 * Decompresses one raw object (gzip recognised by its magic bytes, not its name) into a plain
 * text file for the engine, counting lines on the way. Lines with NUL bytes, and lines a
 * `lineCheck` refuses, are reported as early rejects and blanked in the copy, so line numbers the
 * engine reports still match the object's. An unreadable object throws UnreadableObjectError.
 */
export async function stageRawText(
  sourcePath: string,
  key: string,
  targetPath: string,
  lineCheck?: (firstLine: string) => LineCheck | undefined,
  fieldLimit?: FieldLimit,
  screen: LineScreen = {},
): Promise<StagedText> {
  // Without a field limit long lines need no look; with one, those over the threshold do.
  const longestUnchecked = fieldLimit ? FIELD_CHECK_BYTES : MAX_LINE_BYTES;
  const result = emptyStagedText();
  let output: WriteStream | undefined;
  let carry: Buffer = Buffer.alloc(0);
  let check: LineCheck | undefined;
  /** Whether complete lines may go to the engine unread: nothing to screen in them. */
  const passesAsItIs = (longest: number, ...pieces: Buffer[]): boolean =>
    check === undefined &&
    longest <= longestUnchecked &&
    // The pieces are consecutive and the first starts a line: a comment starts it or follows a newline.
    pieces.find((piece) => piece.length > 0)?.[0] !== screen.commentStart &&
    pieces.every(
      (piece) =>
        piece.indexOf(NUL) === -1 &&
        piece.indexOf(CARRIAGE_RETURN) === -1 &&
        (screen.forbiddenByte === undefined || piece.indexOf(screen.forbiddenByte) === -1) &&
        (!screen.validUtf8 || isUtf8(piece)) &&
        (screen.commentStart === undefined ||
          piece.indexOf(Buffer.from([NEWLINE, screen.commentStart])) === -1),
    );
  const write = async (buffer: Buffer): Promise<void> => {
    result.bytesOut += buffer.length;
    if (output && !output.write(buffer)) await once(output, 'drain');
  };
  const accept = async (complete: Buffer): Promise<void> => {
    if (result.firstLine === undefined) {
      result.firstLine = complete.subarray(0, complete.indexOf(NEWLINE)).toString('utf8').replace(/\r$/, '');
      check = lineCheck?.(result.firstLine);
    }
    const firstLineNumber = result.lines + 1;
    const scan = scanNewlines(complete, 0);
    result.lines += scan.count;
    result.blankLines += countBlankLines(complete, true);
    if (passesAsItIs(scan.longest, complete)) return write(complete);
    return write(screenLines(complete, firstLineNumber, check, result, fieldLimit, screen));
  };
  try {
    const { input, text: stream } = await openRawText(sourcePath);
    // A failed write (missing folder, full disk) ends the read loop instead of going uncaught.
    output = createWriteStream(targetPath, { highWaterMark: 1 << 20 });
    output.on('error', (error) => stream.destroy(error));
    // An over-long line is not kept whole: its first bytes (for the reject) and its length are.
    let overlong: { prefix: Buffer; length: number } | undefined;
    const endOverlong = async (): Promise<void> => {
      if (!overlong) return;
      result.lines += 1;
      result.earlyRejects.push({
        line: result.lines,
        reason: `line of ${overlong.length} bytes is longer than the ${MAX_LINE_BYTES}-byte limit`,
        text: overlong.prefix.toString('utf8'),
      });
      overlong = undefined;
      await write(Buffer.from('\n'));
    };
    for await (const received of stream as AsyncIterable<Buffer>) {
      let chunk = received;
      if (overlong) {
        const end = chunk.indexOf(NEWLINE);
        overlong.length += end === -1 ? chunk.length : end;
        if (end === -1) continue;
        await endOverlong();
        chunk = chunk.subarray(end + 1);
      }
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline === -1) {
        carry = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
        if (carry.length > MAX_LINE_BYTES) {
          if (result.firstLine === undefined && screen.noHeaderLine)
            result.firstLine = carry.subarray(0, MAX_REJECT_TEXT).toString('utf8');
          if (result.firstLine === undefined) {
            throw new Error(`its first line is longer than ${MAX_LINE_BYTES} bytes, so it holds no header`);
          }
          overlong = { prefix: Buffer.from(carry.subarray(0, MAX_REJECT_TEXT)), length: carry.length };
          carry = Buffer.alloc(0);
        }
        continue;
      }
      const head = chunk.subarray(0, lastNewline + 1);
      const scan = scanNewlines(head, carry.length);
      if (result.firstLine !== undefined && passesAsItIs(scan.longest, carry, head)) {
        // The fast path copies nothing: the partial line carried over and this chunk's complete
        // lines are written as they are (nearly every chunk of every object).
        result.lines += scan.count;
        result.blankLines += countBlankLines(head, carry.length === 0);
        if (carry.length > 0) await write(carry);
        await write(head);
      } else {
        await accept(carry.length === 0 ? head : Buffer.concat([carry, head]));
      }
      carry = chunk.subarray(lastNewline + 1);
    }
    // A last line without its newline is still a line.
    await endOverlong();
    if (carry.length > 0) await accept(Buffer.concat([carry, Buffer.from('\n')]));
    result.bytesIn = input.bytesRead;
    output.end();
    await once(output, 'finish');
    return result;
  } catch (error) {
    output?.destroy();
    const detail = error instanceof Error ? error.message : String(error);
    throw new UnreadableObjectError(`Raw object ${key} cannot be read: ${detail}.`, { key, cause: error });
  }
}

function tooManyFields(line: Buffer, limit: FieldLimit): string | undefined {
  let fields = 1;
  for (let at = line.indexOf(limit.delimiter); at !== -1; at = line.indexOf(limit.delimiter, at + 1))
    fields += 1;
  return fields > limit.maxFields
    ? `line has ${fields} fields, more than the ${limit.maxFields} a record can have`
    : undefined;
}

/** The slow path: splits lines to blank out those with NUL bytes or refused by the check. */
function screenLines(
  complete: Buffer,
  firstLineNumber: number,
  check: LineCheck | undefined,
  result: StagedText,
  fieldLimit: FieldLimit | undefined,
  screen: LineScreen,
): Buffer {
  const rejects = result.earlyRejects;
  const pieces: Buffer[] = [];
  let start = 0;
  let lineNumber = firstLineNumber;
  while (start < complete.length) {
    const end = complete.indexOf(NEWLINE, start);
    // A CRLF line ending is a line ending: the engine sees LF only, whatever the mix in the object.
    const crlf = end > start && complete[end - 1] === CARRIAGE_RETURN;
    const line = complete.subarray(start, crlf ? end - 1 : end);
    let reason: string | undefined;
    if (
      screen.commentStart !== undefined &&
      line[0] === screen.commentStart &&
      line.length <= MAX_LINE_BYTES
    ) {
      result.commentLines += 1;
      if (result.comments.length < KEPT_COMMENTS) result.comments.push(line.toString('utf8'));
      pieces.push(Buffer.from('\n'));
      start = end + 1;
      lineNumber += 1;
      continue;
    }
    if (line.length > MAX_LINE_BYTES)
      reason = `line of ${line.length} bytes is longer than the ${MAX_LINE_BYTES}-byte limit`;
    else if (line.indexOf(NUL) !== -1) reason = 'line contains a NUL byte';
    else if (line.indexOf(CARRIAGE_RETURN) !== -1) reason = 'line contains a carriage return';
    else if (screen.validUtf8 && !isUtf8(line)) reason = 'line is not valid UTF-8';
    else if (screen.forbiddenByte !== undefined && line.indexOf(screen.forbiddenByte) !== -1)
      reason = `line contains the control byte 0x${screen.forbiddenByte.toString(16).padStart(2, '0')}`;
    else if (fieldLimit && line.length > FIELD_CHECK_BYTES) reason = tooManyFields(line, fieldLimit);
    else if (check && line.length > 0 && lineNumber > 1) reason = check(line.toString('utf8'));
    if (reason === undefined)
      pieces.push(crlf ? Buffer.concat([line, Buffer.from('\n')]) : complete.subarray(start, end + 1));
    else {
      rejects.push({ line: lineNumber, reason, text: line.subarray(0, MAX_REJECT_TEXT).toString('utf8') });
      pieces.push(Buffer.from('\n'));
    }
    start = end + 1;
    lineNumber += 1;
  }
  return Buffer.concat(pieces);
}
