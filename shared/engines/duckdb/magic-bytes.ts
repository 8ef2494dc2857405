import { open } from 'node:fs/promises';

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
