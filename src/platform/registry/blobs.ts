import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import type { z } from 'zod';
import { RiskopsError } from '../errors/index.js';

/** The HTTP status of a storage SDK error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  const status = (error as { statusCode: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Failures that answer 409/412 but are not a lost condition (a lease held by someone else). */
const NOT_CONDITIONS = new Set([
  'LeaseIdMissing',
  'LeaseIdMismatchWithBlobOperation',
  'LeaseNotPresentWithBlobOperation',
]);

/** A conditional write lost: the blob exists (If-None-Match: *) or changed (If-Match). */
export function isConditionFailure(error: unknown): boolean {
  const status = statusOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  return (status === 409 || status === 412) && !(typeof code === 'string' && NOT_CONDITIONS.has(code));
}

/** Reads a blob's bytes and ETag; `null` when it does not exist. */
export async function readBlobWithEtag(
  blob: BlockBlobClient,
): Promise<{ bytes: Buffer; etag: string } | null> {
  try {
    const response = await blob.download();
    const bytes = await streamToBuffer(response.readableStreamBody);
    return { bytes, etag: response.etag ?? '' };
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** Parses a registry JSON document; a description of what is wrong when it is not one. */
export function parseJsonDocument<T>(
  bytes: Buffer,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, problem: `not a valid document (${issues.join('; ')})` };
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
  const read = await readBlobWithEtag(blob);
  if (read === null) return null;
  const parsed = parseJsonDocument(read.bytes, schema);
  if (!parsed.ok) {
    throw new RiskopsError('integrity_error', `${blob.name} is ${parsed.problem}`);
  }
  return { value: parsed.value, etag: read.etag };
}

/**
 * Writes a JSON blob only if it does not exist (`etag` null) or still has `etag`.
 * @returns the new ETag, or `null` when the condition failed (someone else wrote first).
 */
export async function writeJsonBlobIf(
  blob: BlockBlobClient,
  value: unknown,
  etag: string | null,
  abortSignal?: AbortSignal,
): Promise<string | null> {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const response = await blob.upload(body, Buffer.byteLength(body), {
      ...(abortSignal === undefined ? {} : { abortSignal }),
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
