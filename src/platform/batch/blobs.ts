import { PassThrough, type Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { writeText } from '../tabular/index.js';

const BLOCK_BYTES = 4 * 1024 * 1024;

/** Text streamed into one block blob; nothing is visible until `close()` commits the block list. */
export interface BlobWriter {
  write(text: string): Promise<void>;
  close(): Promise<void>;
  abort(error: Error): Promise<void>;
}

/**
 * Opens a streaming upload of `path` (overwriting it on commit). Memory stays at a few blocks however
 * much is written; a writer killed before `close()` leaves only uncommitted blocks, never a partial blob.
 */
export function openBlobWriter(container: ContainerClient, path: string, contentType: string): BlobWriter {
  const stream = new PassThrough({ highWaterMark: BLOCK_BYTES });
  const upload = container
    .getBlockBlobClient(path)
    .uploadStream(stream, BLOCK_BYTES, 2, { blobHTTPHeaders: { blobContentType: contentType } });
  upload.catch((error: unknown) => stream.destroy(error as Error));
  return {
    write: (text) => (text === '' ? Promise.resolve() : writeText(stream, text)),
    async close() {
      stream.end();
      await upload;
    },
    async abort(error) {
      stream.destroy(error);
      await upload.catch(() => undefined);
    },
  };
}

/** The readable body of a download, or a clear error. */
export function body(response: { readableStreamBody?: NodeJS.ReadableStream }, what: string): Readable {
  if (response.readableStreamBody === undefined) throw new Error(`${what}: the download has no body`);
  return response.readableStreamBody as Readable;
}

/** Reads a small blob as JSON, or undefined when it does not exist. */
export async function readJsonBlob<T>(container: ContainerClient, path: string): Promise<T | undefined> {
  try {
    const buffer = await container.getBlobClient(path).downloadToBuffer();
    return JSON.parse(buffer.toString('utf8')) as T;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}
