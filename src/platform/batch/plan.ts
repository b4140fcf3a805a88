import type { ContainerClient } from '@azure/storage-blob';
import { RiskopsError } from '../errors/index.js';
import { type ByteSource, decode, fileFormatOf, layoutRecords } from '../tabular/index.js';
import { body } from './blobs.js';
import { inputPrefix } from './paths.js';
import type { ChunkPlan } from './types.js';

export interface InputFile {
  name: string;
  bytes: number;
}

/** A day's input files for a use case, by name; files starting with `_` or `.` and unknown extensions are skipped. */
export async function listInputs(
  inputs: ContainerClient,
  useCase: string,
  date: string,
): Promise<{ files: InputFile[]; skipped: string[] }> {
  const files: InputFile[] = [];
  const skipped: string[] = [];
  const prefix = inputPrefix(useCase, date);
  if (!(await inputs.exists())) return { files, skipped };
  for await (const blob of inputs.listBlobsFlat({ prefix })) {
    const base = blob.name.slice(prefix.length);
    if (base.startsWith('_') || base.startsWith('.') || base.includes('/')) {
      skipped.push(blob.name);
      continue;
    }
    try {
      fileFormatOf(blob.name);
      files.push({ name: blob.name, bytes: blob.properties.contentLength ?? 0 });
    } catch {
      skipped.push(blob.name);
    }
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, skipped };
}

/**
 * Splits each file into chunks of `chunkRows` records, aligned to record ends (one streaming pass per
 * file), numbered across the day in file-name order.
 */
export async function planChunks(
  inputs: ContainerClient,
  files: readonly InputFile[],
  chunkRows: number,
): Promise<ChunkPlan[]> {
  const chunks: ChunkPlan[] = [];
  for (const file of files) {
    const { format, gzip } = fileFormatOf(file.name);
    let layout: Awaited<ReturnType<typeof layoutRecords>>;
    try {
      const stream = decode(body(await inputs.getBlobClient(file.name).download(), file.name), gzip);
      layout = await layoutRecords(stream as ByteSource, { format, recordsPerSegment: chunkRows });
    } catch (error) {
      throw new RiskopsError('data_contract', `Cannot read input ${file.name}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    for (const segment of layout.segments) {
      const chunk: ChunkPlan = {
        chunk: chunks.length,
        file: file.name,
        gzip,
        format,
        start: segment.start,
        end: segment.end,
        firstLine: segment.firstLine,
        plannedRecords: segment.records,
      };
      if (layout.header !== undefined) chunk.header = layout.header;
      chunks.push(chunk);
    }
  }
  return chunks;
}
