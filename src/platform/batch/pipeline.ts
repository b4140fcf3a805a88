import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { TabularItem } from '../tabular/index.js';
import type { ModelRunner } from './onnx-offload.js';
import type { BatchScorer, PreparedBatch, ScoredText } from './rows.js';
import type { StageClock } from './stages.js';

/** Regroups read records into batches of at least `size` (the last one smaller). */
export async function* batchesOf(
  source: AsyncIterable<TabularItem[]>,
  size: number,
): AsyncGenerator<TabularItem[]> {
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

export interface ScoreBatchesOptions {
  batches: AsyncIterable<readonly TabularItem[]>;
  scorer: BatchScorer;
  run: ModelRunner;
  /** The input file, named in rejects. */
  source: string;
  clock: StageClock;
  /** Takes each batch's output and reject lines, in input order. */
  write(scored: ScoredText): Promise<void>;
}

/**
 * Scores batches with one ONNX run in flight: while `run` scores batch k (on a worker thread, see
 * `createOnnxOffload`), batch k + 1 is read, validated and encoded here. Batch k's lines are written before
 * batch k + 1's, so the outputs are the same as scoring one batch after another.
 */
export async function scoreBatches(options: ScoreBatchesOptions): Promise<void> {
  const { scorer, run, clock } = options;
  const stages = clock.seconds;
  let flight: { prepared: PreparedBatch; probabilities: Promise<Float32Array> } | undefined;
  const land = async (landing: NonNullable<typeof flight>) => {
    const probabilities = await clock.time('onnx', () => landing.probabilities);
    // Scoring is charged to `score` less what the observer (drift) charged meanwhile.
    const drift = stages.drift + stages.driftWrites;
    const started = performance.now();
    const scored = await scorer.finish(landing.prepared, probabilities);
    clock.charge('score', performance.now() - started - (stages.drift + stages.driftWrites - drift) * 1000);
    await clock.time('write', () => options.write(scored));
  };
  for await (const batch of options.batches) {
    const started = performance.now();
    const prepared = scorer.prepare(batch, options.source);
    const probabilities = run(prepared.matrix, prepared.records.length);
    probabilities.catch(() => undefined); // awaited when its batch lands; never unhandled meanwhile
    clock.charge('score', performance.now() - started);
    if (flight !== undefined) await land(flight);
    flight = { prepared, probabilities };
    await yieldToLoop();
  }
  if (flight !== undefined) await land(flight);
}
