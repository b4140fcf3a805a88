import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import type { z } from 'zod';
import { RiskopsError } from '../errors/index.js';

/** The HTTP status of a storage SDK error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  const status = (error as { statusCode: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** A conditional write lost: the blob exists (If-None-Match: *) or changed (If-Match). */
export function isConditionFailure(error: unknown): boolean {
  const status = statusOf(error);
  return status === 409 || status === 412;
}

/** Creates the container once per process, on first use. */
export function lazyContainer(container: ContainerClient): () => Promise<ContainerClient> {
  let ready: Promise<ContainerClient> | undefined;
  return () => {
    ready ??= container.createIfNotExists().then(
      () => container,
      (error: unknown) => {
        ready = undefined;
        throw new RiskopsError(
          'storage_unavailable',
          `Cannot reach the models container ${container.containerName}`,
          {
            cause: error,
          },
        );
      },
    );
    return ready;
  };
}

/** Reads and parses a JSON blob with its ETag; `null` when it does not exist. */
export async function readJsonBlob<T>(
  blob: BlockBlobClient,
  schema: z.ZodType<T>,
): Promise<{ value: T; etag: string } | null> {
  let buffer: Buffer;
  let etag: string | undefined;
  try {
    const response = await blob.download();
    etag = response.etag;
    buffer = await streamToBuffer(response.readableStreamBody);
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
  const parsed = schema.safeParse(JSON.parse(buffer.toString('utf8')));
  if (!parsed.success || etag === undefined) {
    throw new RiskopsError('integrity_error', `${blob.name} is not a valid registry document`, {
      cause: parsed.success ? undefined : parsed.error,
    });
  }
  return { value: parsed.data, etag };
}

/**
 * Writes a JSON blob only if it does not exist (`etag` null) or still has `etag`.
 * @returns the new ETag, or `null` when the condition failed (someone else wrote first).
 */
export async function writeJsonBlobIf(
  blob: BlockBlobClient,
  value: unknown,
  etag: string | null,
): Promise<string | null> {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const response = await blob.upload(body, Buffer.byteLength(body), {
      conditions: etag === null ? { ifNoneMatch: '*' } : { ifMatch: etag },
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    return response.etag ?? '';
  } catch (error) {
    if (isConditionFailure(error)) return null;
    throw error;
  }
}

async function streamToBuffer(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (stream === undefined) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Downloads a whole blob; `null` when it does not exist. */
export async function downloadOrNull(blob: BlockBlobClient): Promise<Buffer | null> {
  try {
    return await blob.downloadToBuffer();
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}
