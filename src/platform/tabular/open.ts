import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type CsvReadOptions, readCsv } from './csv.js';
import { type DataFormat, fileFormatOf } from './format.js';
import { readJsonl } from './jsonl.js';
import type { ByteSource, TabularItem } from './records.js';

/** The decoded bytes of a stream: gunzipped when `gzip`, errors of either side surfacing on the result. */
export function decode(stream: Readable, gzip: boolean): Readable {
  if (!gzip) return stream;
  const gunzip = createGunzip();
  stream.on('error', (error) => gunzip.destroy(error));
  return stream.pipe(gunzip);
}

/**
 * The most bytes the readers take in one synchronous step. A stream read with `for await` hands over all it has
 * buffered at once (a read-ahead buffer: 4 MiB, about 28,000 rows); parsed in one go, those rows would all be
 * alive together, surviving the garbage collector's young generation, and the event loop would wait 100–400 ms.
 */
export const READ_STEP_BYTES = 256 * 1024;

/** `input` with byte pieces larger than `size` cut into pieces of `size` (no copies); text passes as it is. */
export async function* inSteps(
  input: ByteSource,
  size = READ_STEP_BYTES,
): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of input) {
    if (typeof chunk === 'string' || chunk.length <= size) yield chunk;
    else for (let at = 0; at < chunk.length; at += size) yield chunk.subarray(at, at + size);
  }
}

/** Reads CSV or JSON Lines from decoded bytes as batches of rows and rejects, a bounded step at a time. */
export function readTabular(
  input: ByteSource,
  format: DataFormat,
  options: CsvReadOptions = {},
): AsyncGenerator<TabularItem[]> {
  const steps = inSteps(input);
  return format === 'csv' ? readCsv(steps, options) : readJsonl(steps, options);
}

/** Reads a local data file (.csv, .jsonl, .ndjson, optionally .gz) as batches of rows and rejects. */
export function readTabularFile(path: string, options: CsvReadOptions = {}): AsyncGenerator<TabularItem[]> {
  const { format, gzip } = fileFormatOf(path);
  return readTabular(decode(createReadStream(path, { highWaterMark: 256 * 1024 }), gzip), format, {
    source: path,
    ...options,
  });
}

/** One item at a time, for callers that do not batch. */
export async function* items(batches: AsyncIterable<TabularItem[]>): AsyncGenerator<TabularItem> {
  for await (const batch of batches) yield* batch;
}
