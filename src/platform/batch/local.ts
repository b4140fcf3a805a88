import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { LoadedModel } from '../scoring/index.js';
import { columnKinds, fileFormatOf, readTabularFile, writeText } from '../tabular/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { addCounts, createRowScorer, csvHeader, emptyCounts } from './rows.js';
import type { ChunkCounts, ScoreObserver } from './types.js';

export interface ScoreFileOptions {
  useCase: AnyUseCase;
  model: LoadedModel;
  input: string;
  /** `.csv` or `.jsonl` decides the output format. */
  output: string;
  /** Rejects as JSON lines; default `<output>.rejects.jsonl`. */
  rejects?: string;
  scoreRows?: number;
  observe?: ScoreObserver;
  onProgress?: (counts: ChunkCounts) => void;
}

/** Scores a local file with the batch chunk path (same reader, validation, features and ONNX run), no Azure needed. */
export async function scoreFile(options: ScoreFileOptions): Promise<ChunkCounts> {
  const { useCase, model } = options;
  const format = fileFormatOf(options.output).format;
  const out = createWriteStream(options.output);
  const rejects = createWriteStream(options.rejects ?? `${options.output}.rejects.jsonl`);
  const score = createRowScorer({ useCase, model, format, observe: options.observe });
  const counts = emptyCounts();
  const size = options.scoreRows ?? 8192;
  try {
    if (format === 'csv') await writeText(out, csvHeader(useCase));
    let pending: Parameters<typeof score>[0][number][] = [];
    const flush = async () => {
      const scored = await score(pending, options.input);
      pending = [];
      addCounts(counts, scored.counts);
      await writeText(out, scored.output);
      await writeText(rejects, scored.rejects);
      options.onProgress?.(counts);
      await yieldToLoop();
    };
    for await (const batch of readTabularFile(options.input, { kinds: columnKinds(useCase) })) {
      for (const item of batch) pending.push(item);
      if (pending.length >= size) await flush();
    }
    if (pending.length > 0) await flush();
  } finally {
    out.end();
    rejects.end();
    await Promise.all([once(out, 'close'), once(rejects, 'close')]);
  }
  return counts;
}
