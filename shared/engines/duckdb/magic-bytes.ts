import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Whether a file starts with gzip's magic bytes (delivered names do not say: S3 and ELB logs arrive plain). */
export async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Whether a file starts with Parquet's magic bytes (flow logs delivered in Parquet format). */
export async function isParquet(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const magic = Buffer.alloc(4);
    const { bytesRead } = await handle.read(magic, 0, 4, 0);
    return bytesRead === 4 && magic.toString('latin1') === 'PAR1';
  } finally {
    await handle.close();
  }
}

/**
 * A raw object's text as a stream, inflated when it is gzip (sniffed before streaming: a flowing
 * stream would lose the chunks read while we look); `input.bytesRead` is the object's size read.
 */
export async function openRawText(path: string): Promise<{ input: ReadStream; text: Readable }> {
  const gzipped = await isGzip(path);
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  const text = gzipped ? input.pipe(createGunzip({ chunkSize: 1 << 20 })) : input;
  input.on('error', (error) => text.destroy(error));
  return { input, text };
}
