import { numericBin } from '../drift/bins.js';
import { RiskopsError } from '../errors/index.js';

/** Rows used to fit bin edges; larger inputs are sampled at a fixed stride (deterministic). */
const MAX_BINNING_ROWS = 200_000;

/**
 * Quantile bins per feature. Thresholds are float32 values taken from the data, and a value goes to
 * the first bin whose threshold it does not exceed (`x <= t`), the last bin being open: the same rule,
 * on the same float32 values, as onnxruntime's BRANCH_LEQ nodes. NaN falls into the last bin, as
 * onnxruntime sends NaN down the false branch.
 */
export interface BinMapper {
  readonly cols: number;
  /** Per feature: ascending float32 thresholds; the feature has `thresholds.length + 1` bins. */
  readonly thresholds: readonly Float32Array[];
  /** Largest bin count over the features (≤ maxBins). */
  readonly maxBinCount: number;
  /** Bin codes of a row-major matrix, row-major. */
  encode(X: Float32Array, rows: number): Uint8Array;
}

function featureThresholds(values: Float32Array, maxBins: number): Float32Array {
  values.sort(); // numeric for typed arrays, NaN last
  let n = values.length;
  while (n > 0 && Number.isNaN(values[n - 1] as number)) n--;
  if (n === 0) return new Float32Array(0);
  const sorted = values.subarray(0, n);
  const max = sorted[n - 1] as number;
  const distinct: number[] = [];
  for (let i = 0; i < n && distinct.length <= maxBins; i++) {
    const v = sorted[i] as number;
    if (distinct.length === 0 || v !== distinct[distinct.length - 1]) distinct.push(v);
  }
  if (distinct.length <= maxBins) return Float32Array.from(distinct.slice(0, -1));
  const out: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    const v = sorted[Math.ceil((k * n) / maxBins) - 1] as number;
    if (v < max && (out.length === 0 || v > (out[out.length - 1] as number))) out.push(v);
  }
  return Float32Array.from(out);
}

/** Index of the first threshold `x` does not exceed, else the number of thresholds (drift bins' rule). */
export const binOf: (thresholds: Float32Array, x: number) => number = numericBin;

/**
 * Fits quantile bins (at most `maxBins` per feature, at most 256) on a row-major matrix.
 * @throws RiskopsError `invalid_settings` when maxBins is outside [2, 256].
 */
export function fitBins(X: Float32Array, rows: number, cols: number, maxBins: number): BinMapper {
  if (!(Number.isInteger(maxBins) && maxBins >= 2 && maxBins <= 256))
    throw new RiskopsError('invalid_settings', `maxBins must be an integer in [2, 256], got ${maxBins}`);
  const stride = Math.max(1, Math.ceil(rows / MAX_BINNING_ROWS));
  const sampled = Math.ceil(rows / stride);
  const column = new Float32Array(sampled);
  const thresholds: Float32Array[] = [];
  for (let j = 0; j < cols; j++) {
    for (let i = 0, r = 0; r < rows; i++, r += stride) column[i] = X[r * cols + j] as number;
    thresholds.push(featureThresholds(column, maxBins));
  }
  const maxBinCount = thresholds.reduce((m, t) => Math.max(m, t.length + 1), 1);
  return {
    cols,
    thresholds,
    maxBinCount,
    encode(matrix, n) {
      if (matrix.length !== n * cols)
        throw new RiskopsError(
          'data_contract',
          `matrix has ${matrix.length} values, expected ${n} × ${cols}`,
        );
      const codes = new Uint8Array(n * cols);
      for (let j = 0; j < cols; j++) {
        const t = thresholds[j] as Float32Array;
        for (let r = 0; r < n; r++) codes[r * cols + j] = binOf(t, matrix[r * cols + j] as number);
      }
      return codes;
    },
  };
}
