import { createRng } from '../random/index.js';
import type { Dataset } from './dataset.js';
import { sigmoid } from './float32.js';

export interface SyntheticOptions {
  rows: number;
  cols: number;
  seed: number;
  /**
   * `linear`: logit linear in the features; `nonlinear`: thresholds, squares and interactions;
   * `xor`: the label depends only on the sign of x0·x1 (no linear signal at all).
   */
  shape: 'linear' | 'nonlinear' | 'xor';
  /** Intercept of the logit, shifting the positive rate (default −1). */
  offset?: number;
}

/**
 * A deterministic labelled matrix for tests and benchmarks: columns cycle through normal, uniform,
 * 0/1 and heavy-tailed (log1p of exponential) features, float32, row-major.
 */
export function syntheticDataset(options: SyntheticOptions): Dataset & { cols: number } {
  const { rows, cols, seed, shape } = options;
  const offset = options.offset ?? -1;
  const rng = createRng(seed);
  const X = new Float32Array(rows * cols);
  const y = new Uint8Array(rows);
  const x = new Float64Array(Math.max(cols, 6));
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      let v: number;
      switch (j % 4) {
        case 0:
          v = rng.normal();
          break;
        case 1:
          v = rng.next() * 4 - 2;
          break;
        case 2:
          v = rng.next() < 0.3 ? 1 : 0;
          break;
        default:
          v = Math.log1p(-Math.log(1 - rng.next()));
      }
      v = Math.fround(v);
      X[r * cols + j] = v;
      x[j] = v;
    }
    const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = x;
    let logit = offset;
    if (shape === 'linear') {
      for (let j = 0; j < cols; j++) logit += ((j % 3) - 1) * 0.6 * (x[j] as number);
    } else if (shape === 'xor') {
      logit = a > 0 !== b > 0 ? 2.5 : -2.5;
    } else {
      logit +=
        1.2 * a -
        0.8 * b * b +
        1.5 * c * (e > 0.7 ? 1 : -0.5) +
        (d > 1 ? 1.2 : 0) +
        Math.sin(2 * f) +
        0.3 * a * b;
    }
    y[r] = rng.next() < sigmoid(logit) ? 1 : 0;
  }
  return { X, y, rows, cols };
}
