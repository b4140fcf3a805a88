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

/** Reads CSV or JSON Lines from decoded bytes as batches of rows and rejects. */
export function readTabular(
  input: ByteSource,
  format: DataFormat,
  options: CsvReadOptions = {},
): AsyncGenerator<TabularItem[]> {
  return format === 'csv' ? readCsv(input, options) : readJsonl(input, options);
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
