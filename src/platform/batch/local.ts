import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { LoadedModel } from '../scoring/index.js';
import { columnKinds, fileFormatOf, readTabularFile, writeText } from '../tabular/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { createOnnxOffload } from './onnx-offload.js';
import { batchesOf, scoreBatches } from './pipeline.js';
import { addCounts, createBatchScorer, csvHeader, emptyCounts } from './rows.js';
import { createStageClock } from './stages.js';
import type { ChunkCounts, ScoreObserver } from './types.js';

/** Rows per ONNX run when none is given. */
export const DEFAULT_SCORE_ROWS = 2048;

export interface ScoreFileOptions {
  useCase: AnyUseCase;
  model: LoadedModel;
  input: string;
  /** `.csv` or `.jsonl` decides the output format. */
  output: string;
  /** Rejects as JSON lines; default `<output>.rejects.jsonl`. */
  rejects?: string;
  /** Rows per ONNX run; default `DEFAULT_SCORE_ROWS` (the `RISKOPS_BATCH_SCORE_ROWS` default). */
  scoreRows?: number;
  observe?: ScoreObserver;
  onProgress?: (counts: ChunkCounts) => void;
}

/**
 * Scores a local file with the batch chunk path (same reader, validation, features, ONNX runs on a worker
 * thread when the model carries its bytes, output lines), no Azure needed.
 */
export async function scoreFile(options: ScoreFileOptions): Promise<ChunkCounts> {
  const { useCase, model } = options;
  const format = fileFormatOf(options.output).format;
  const out = createWriteStream(options.output);
  const rejects = createWriteStream(options.rejects ?? `${options.output}.rejects.jsonl`);
  const offload = createOnnxOffload();
  const counts = emptyCounts();
  try {
    if (format === 'csv') await writeText(out, csvHeader(useCase));
    await scoreBatches({
      batches: batchesOf(
        readTabularFile(options.input, { kinds: columnKinds(useCase) }),
        options.scoreRows ?? DEFAULT_SCORE_ROWS,
      ),
      scorer: createBatchScorer({ useCase, model, format, observe: options.observe }),
      run: offload.runner(model),
      source: options.input,
      clock: createStageClock(),
      write: async (scored) => {
        addCounts(counts, scored.counts);
        await writeText(out, scored.output);
        await writeText(rejects, scored.rejects);
        options.onProgress?.(counts);
      },
    });
  } finally {
    await offload.close();
    out.end();
    rejects.end();
    await Promise.all([once(out, 'close'), once(rejects, 'close')]);
  }
  return counts;
}
