import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ContainerClient } from '@azure/storage-blob';
import { RiskopsError } from '../errors/index.js';
import type { LoadedModel } from '../scoring/index.js';
import {
  type ByteSource,
  byteRange,
  columnKinds,
  decode,
  readTabular,
  type TabularItem,
} from '../tabular/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { body, openBlobWriter } from './blobs.js';
import { outputPath, rejectsPath, runPrefix } from './paths.js';
import { addCounts, createRowScorer, csvHeader, emptyCounts } from './rows.js';
import type { ChunkCounts, ChunkState, OutputFormat, RunState, ScoreObserver } from './types.js';

/** The decoded bytes of a chunk: a ranged download, or (gzip) the decompressed file cut to the range. */
export async function* chunkBytes(inputs: ContainerClient, chunk: ChunkState): AsyncGenerator<Buffer> {
  if (chunk.format === 'csv') yield Buffer.from(chunk.header ?? '');
  if (chunk.end <= chunk.start) return;
  const blob = inputs.getBlobClient(chunk.file);
  if (!chunk.gzip) {
    const stream = body(await blob.download(chunk.start, chunk.end - chunk.start), chunk.file);
    for await (const piece of stream) yield piece as Buffer;
    return;
  }
  const stream = decode(body(await blob.download(), chunk.file), true);
  yield* byteRange(stream as ByteSource, chunk.start, chunk.end);
}

export interface ScoreChunkOptions {
  useCase: AnyUseCase;
  model: LoadedModel;
  run: RunState;
  chunk: ChunkState;
  inputs: ContainerClient;
  outputs: ContainerClient;
  /** Rows per ONNX run. */
  scoreRows: number;
  observe?: ScoreObserver | undefined;
}

/** Reads one chunk's records as batches of about `scoreRows`. */
async function* batchesOf(source: AsyncIterable<TabularItem[]>, size: number): AsyncGenerator<TabularItem[]> {
  let pending: TabularItem[] = [];
  for await (const batch of source) {
    for (const item of batch) pending.push(item);
    if (pending.length >= size) {
      yield pending;
      pending = [];
    }
  }
  if (pending.length > 0) yield pending;
}

/**
 * Scores one chunk into `part-{n}` and `rejects/part-{n}.jsonl` under the run's folder: streamed, scored in
 * large ONNX runs with a yield to the event loop between them, and committed only when complete. The
 * names depend on the chunk alone, so a retried chunk overwrites its own outputs.
 */
export async function scoreChunkRows(options: ScoreChunkOptions): Promise<ChunkCounts> {
  const { useCase, model, run, chunk } = options;
  if (model.sha256 !== run.modelSha256) {
    throw new RiskopsError(
      'integrity_error',
      `Run ${run.runId} pinned ${run.modelVersion} with sha256 ${run.modelSha256}, but the registry serves ${model.sha256}`,
    );
  }
  const format: OutputFormat = run.outputFormat;
  const prefix = runPrefix(run.useCase, run.date, run.runId);
  const output = openBlobWriter(
    options.outputs,
    outputPath(prefix, chunk.chunk, format),
    format === 'csv' ? 'text/csv' : 'application/x-ndjson',
  );
  const rejects = openBlobWriter(options.outputs, rejectsPath(prefix, chunk.chunk), 'application/x-ndjson');
  const score = createRowScorer({
    useCase,
    model,
    format,
    observe: options.observe,
    writer: `${run.runId}-${chunk.chunk}`,
    date: run.date,
  });
  const counts = emptyCounts();
  try {
    if (format === 'csv') await output.write(csvHeader(useCase));
    const records = readTabular(chunkBytes(options.inputs, chunk), chunk.format, {
      source: chunk.file,
      kinds: columnKinds(useCase),
      lineOffset: chunk.format === 'csv' ? chunk.firstLine - 2 : chunk.firstLine - 1,
    });
    for await (const batch of batchesOf(records, options.scoreRows)) {
      const scored = await score(batch, chunk.file);
      addCounts(counts, scored.counts);
      await Promise.all([output.write(scored.output), rejects.write(scored.rejects)]);
      await yieldToLoop();
    }
    await Promise.all([output.close(), rejects.close()]);
  } catch (error) {
    await Promise.all([output.abort(error as Error), rejects.abort(error as Error)]);
    throw error;
  }
  return counts;
}
