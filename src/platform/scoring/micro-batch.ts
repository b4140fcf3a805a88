import type { LoadedModel } from './ports.js';
import { runModel } from './score.js';

interface Pending {
  matrix: Float32Array;
  rows: number;
  resolve(probabilities: Float32Array): void;
  reject(error: unknown): void;
}

/**
 * Micro-batching: ONNX runs requested for the same model within one turn of the event loop are joined into one
 * `run()` over the stacked matrices, and each caller gets its own rows back. An experiment: kept behind
 * RISKOPS_SCORE_MICROBATCH because the benchmark decides whether it wins.
 */
export function createMicroBatcher(width: (model: LoadedModel) => number) {
  const queues = new Map<LoadedModel, Pending[]>();
  const flush = (model: LoadedModel): void => {
    const pending = queues.get(model) ?? [];
    queues.delete(model);
    if (pending.length === 1) {
      const only = pending[0] as Pending;
      runModel(model, only.matrix, only.rows).then(only.resolve, only.reject);
      return;
    }
    const w = width(model);
    const total = pending.reduce((n, p) => n + p.rows, 0);
    const stacked = new Float32Array(total * w);
    let offset = 0;
    for (const p of pending) {
      stacked.set(p.matrix, offset * w);
      offset += p.rows;
    }
    runModel(model, stacked, total).then(
      (probabilities) => {
        let at = 0;
        for (const p of pending) {
          p.resolve(probabilities.slice(at, at + p.rows));
          at += p.rows;
        }
      },
      (error: unknown) => {
        for (const p of pending) p.reject(error);
      },
    );
  };
  return {
    run(model: LoadedModel, matrix: Float32Array, rows: number): Promise<Float32Array> {
      return new Promise((resolve, reject) => {
        let queue = queues.get(model);
        if (queue === undefined) {
          queue = [];
          queues.set(model, queue);
          setImmediate(() => flush(model));
        }
        queue.push({ matrix, rows, resolve, reject });
      });
    },
  };
}
