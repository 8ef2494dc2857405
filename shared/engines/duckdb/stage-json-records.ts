import { isUtf8 } from 'node:buffer';
import { stat, writeFile } from 'node:fs/promises';
import { Semaphore } from '../../concurrency.js';
import { UnreadableObjectError } from '../../errors.js';
import { openRawText } from './magic-bytes.js';
import {
  emptyStagedText,
  MAX_LINE_BYTES,
  MAX_REJECT_TEXT,
  type EarlyReject,
  type StagedText,
} from './stage-raw-text.js';

/**
 * Largest JSON document parsed whole. CloudTrail delivers files of a few MB; parsing costs about
 * five times the text in heap, so this bounds one parse to a few hundred MB.
 */
export const MAX_JSON_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** Documents larger than this are parsed one at a time in the process, so big ones never add up. */
const LARGE_DOCUMENT_BYTES = 8 * 1024 * 1024;
const largeDocuments = new Semaphore(1);

class TooLarge extends Error {}
class NotUtf8 extends Error {}

async function readWhole(path: string): Promise<{ text: string; bytesIn: number }> {
  const { input, text: stream } = await openRawText(path);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_DOCUMENT_BYTES) {
      stream.destroy();
      throw new TooLarge();
    }
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  // Decoding would turn invalid bytes into U+FFFD silently: such a document is quarantined instead.
  if (!isUtf8(bytes)) throw new NotUtf8();
  return { text: bytes.toString('utf8').replace(/^\uFEFF/, ''), bytesIn: input.bytesRead };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Stages a JSON document holding its records under `recordsKey` (CloudTrail's `{"Records":[…]}`)
 * as one record per line, so the engine reads records as it reads lines. Record i is "line" i of
 * the object. A document that is not JSON, holds no records array or is too large is one rejected
 * "line" (line 1) — quarantined, not dropped; a record that is not a JSON object is rejected too.
 */
export async function stageJsonRecords(
  sourcePath: string,
  key: string,
  targetPath: string,
  recordsKey: string,
): Promise<StagedText> {
  // The object's own size tells nothing of a gzip bomb, but a big compressed one is surely big.
  const { size } = await stat(sourcePath);
  if (size > LARGE_DOCUMENT_BYTES / 8)
    return largeDocuments.run(() => stageDocument(sourcePath, key, targetPath, recordsKey));
  return stageDocument(sourcePath, key, targetPath, recordsKey);
}

async function stageDocument(
  sourcePath: string,
  key: string,
  targetPath: string,
  recordsKey: string,
): Promise<StagedText> {
  const result = emptyStagedText();
  const wholeReject = async (reason: string, text: string): Promise<StagedText> => {
    await writeFile(targetPath, '');
    return {
      ...result,
      lines: 1,
      firstLine: '',
      earlyRejects: [{ line: 1, reason, text: text.slice(0, MAX_REJECT_TEXT) }],
    };
  };
  let document: { text: string; bytesIn: number };
  try {
    document = await readWhole(sourcePath);
  } catch (error) {
    if (error instanceof TooLarge)
      return wholeReject(
        `document is larger than ${MAX_JSON_DOCUMENT_BYTES} bytes, too large for a log file`,
        '',
      );
    if (error instanceof NotUtf8) return wholeReject('document is not valid UTF-8', '');
    const detail = error instanceof Error ? error.message : String(error);
    throw new UnreadableObjectError(`Raw object ${key} cannot be read: ${detail}.`, { key, cause: error });
  }
  result.bytesIn = document.bytesIn;
  if (document.text.trim() === '') {
    await writeFile(targetPath, '');
    return result;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(document.text);
  } catch (error) {
    return {
      ...(await wholeReject(`not a JSON document: ${(error as Error).message}`, document.text)),
      bytesIn: document.bytesIn,
    };
  }
  const records = isRecord(parsed) ? parsed[recordsKey] : undefined;
  if (!Array.isArray(records)) {
    const reason = `JSON document without a "${recordsKey}" array`;
    return { ...(await wholeReject(reason, document.text)), bytesIn: document.bytesIn };
  }
  const lines: string[] = [];
  const rejects: EarlyReject[] = [];
  records.forEach((record: unknown, index) => {
    const text = JSON.stringify(record) ?? String(record);
    if (!isRecord(record)) {
      rejects.push({
        line: index + 1,
        reason: 'record is not a JSON object',
        text: text.slice(0, MAX_REJECT_TEXT),
      });
      lines.push('');
    } else if (text.length > MAX_LINE_BYTES) {
      rejects.push({
        line: index + 1,
        reason: `record of ${text.length} characters is longer than the ${MAX_LINE_BYTES} limit`,
        text: text.slice(0, MAX_REJECT_TEXT),
      });
      lines.push('');
    } else lines.push(text);
  });
  const staged = lines.length ? `${lines.join('\n')}\n` : '';
  await writeFile(targetPath, staged);
  return {
    ...result,
    lines: records.length,
    firstLine: records.length ? (lines[0] ?? '') : undefined,
    earlyRejects: rejects,
    bytesOut: Buffer.byteLength(staged),
  };
}
