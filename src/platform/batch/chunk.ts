import { performance } from 'node:perf_hooks';
import type { ContainerClient } from '@azure/storage-blob';
import { RiskopsError } from '../errors/index.js';
import { type LoadedModel, runModel } from '../scoring/index.js';
import { type ByteSource, byteRange, columnKinds, decode, readTabular } from '../tabular/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { body, openBlobWriter, readAhead } from './blobs.js';
import type { ModelRunner } from './onnx-offload.js';
import { outputPath, rejectsPath, runPrefix } from './paths.js';
import { batchesOf, scoreBatches } from './pipeline.js';
import { addCounts, createBatchScorer, csvHeader, emptyCounts } from './rows.js';
import { createStageClock, type StageClock } from './stages.js';
import type { ChunkCounts, ChunkState, OutputFormat, RunState, ScoreObserver } from './types.js';

/** Yields what `source` yields, telling `waited` how long each piece took to arrive. */
async function* timed<T>(source: AsyncIterable<T>, waited: (ms: number) => void): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const started = performance.now();
      const next = await iterator.next();
      waited(performance.now() - started);
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

/**
 * The decoded bytes of a chunk: a ranged download, or (gzip) the decompressed file cut to the range.
 * `waited`, when given, is told the milliseconds spent waiting for each downloaded (and decompressed) piece.
 */
export async function* chunkBytes(
  inputs: ContainerClient,
  chunk: ChunkState,
  waited?: (ms: number) => void,
): AsyncGenerator<Buffer> {
  if (chunk.format === 'csv') yield Buffer.from(chunk.header ?? '');
  if (chunk.end <= chunk.start) return;
  const blob = inputs.getBlobClient(chunk.file);
  const started = performance.now();
  const pieces = async (): Promise<AsyncIterable<Buffer>> => {
    if (!chunk.gzip)
      return readAhead(body(await blob.download(chunk.start, chunk.end - chunk.start), chunk.file));
    const stream = decode(readAhead(body(await blob.download(), chunk.file)), true);
    return byteRange(stream as ByteSource, chunk.start, chunk.end);
  };
  const source = await pieces();
  waited?.(performance.now() - started);
  yield* waited === undefined ? source : timed(source, waited);
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
  /** Runs ONNX for a batch (a worker thread, see `createOnnxOffload`); default on this thread. */
  onnx?: ModelRunner | undefined;
  observe?: ScoreObserver | undefined;
  /** Charged with where the chunk's time goes (see `ChunkStages`); a private clock when not given. */
  clock?: StageClock | undefined;
}

/** Drift writes of a chunk that may still be on their way while the next batches are scored. */
const DRIFT_IN_FLIGHT = 4;

/**
 * Scores one chunk into `part-{n}` and `rejects/part-{n}.jsonl` under the run's folder: streamed, scored in
 * ONNX runs of `scoreRows` rows with the next batch read meanwhile (`scoreBatches`), and committed only when
 * complete. The names depend on the chunk alone, so a retried chunk overwrites its own outputs.
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
  const clock = options.clock ?? createStageClock();
  const stages = clock.seconds;
  // The observer counts a batch at once; what it then writes (drift partials) overlaps the next batches, at
  // most DRIFT_IN_FLIGHT of them waiting, and the chunk commits its outputs only after every one landed.
  const observed: Promise<void>[] = [];
  const observing = async (batch: Parameters<ScoreObserver>[0]): Promise<void> => {
    const started = performance.now();
    const pending = (async () => options.observe?.(batch))();
    clock.charge('drift', performance.now() - started);
    pending.catch(() => undefined); // awaited below or before the commit; never unhandled meanwhile
    observed.push(pending);
    if (observed.length > DRIFT_IN_FLIGHT) await clock.time('driftWrites', async () => observed.shift());
  };
  const scorer = createBatchScorer({
    useCase,
    model,
    format,
    // `observing` charges its own time: `drift` for the counting, `driftWrites` for waits on earlier writes.
    observe: options.observe === undefined ? undefined : observing,
    writer: `${run.runId}-${chunk.chunk}`,
    date: run.date,
  });
  const counts = emptyCounts();
  const download = stages.download;
  try {
    if (format === 'csv') await output.write(csvHeader(useCase));
    const bytes = chunkBytes(options.inputs, chunk, (ms) => clock.charge('download', ms));
    const records = readTabular(bytes, chunk.format, {
      source: chunk.file,
      kinds: columnKinds(useCase),
      lineOffset: chunk.format === 'csv' ? chunk.firstLine - 2 : chunk.firstLine - 1,
    });
    // Reading is charged to `parse` less what the download waits took meanwhile.
    await scoreBatches({
      batches: timed(batchesOf(records, options.scoreRows), (ms) => clock.charge('parse', ms)),
      scorer,
      run: options.onnx ?? ((matrix, rows) => runModel(model, matrix, rows)),
      source: chunk.file,
      clock,
      write: async (scored) => {
        addCounts(counts, scored.counts);
        await Promise.all([output.write(scored.output), rejects.write(scored.rejects)]);
      },
    });
    await clock.time('driftWrites', () => Promise.all(observed.splice(0)));
    await clock.time('commit', () => Promise.all([output.close(), rejects.close()]));
    stages.parse -= stages.download - download;
  } catch (error) {
    await Promise.allSettled(observed);
    await Promise.all([output.abort(error as Error), rejects.abort(error as Error)]);
    throw error;
  }
  return counts;
}
