import { RiskopsError } from '../errors/index.js';
import { createRng } from '../random/index.js';

/** Labels: 0/1 bytes or numbers in [0, 1]. */
export type Labels = Uint8Array | Float64Array;

/** A row-major float32 feature matrix with its labels. */
export interface Dataset {
  X: Float32Array;
  y: Labels;
  rows: number;
}

/**
 * Checks a matrix and its labels agree on shape and that labels are in [0, 1].
 * @throws RiskopsError `data_contract`
 */
export function checkDataset(X: Float32Array, y: Labels, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || rows < 1)
    throw new RiskopsError('data_contract', `need at least one row, got ${rows}`);
  if (!Number.isInteger(cols) || cols < 1)
    throw new RiskopsError('data_contract', `need at least one column, got ${cols}`);
  if (X.length !== rows * cols)
    throw new RiskopsError('data_contract', `matrix has ${X.length} values, expected ${rows} × ${cols}`);
  if (y.length !== rows) throw new RiskopsError('data_contract', `${y.length} labels for ${rows} rows`);
  for (let i = 0; i < rows; i++) {
    const v = y[i] as number;
    if (!(v >= 0 && v <= 1))
      throw new RiskopsError('data_contract', `label at row ${i} is ${v}, not in [0, 1]`);
  }
}

/** Share of positive labels. */
export function positiveRate(y: Labels): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i] as number;
  return y.length === 0 ? 0 : sum / y.length;
}

export interface SplitFractions {
  validation: number;
  holdout: number;
}

export interface SplitIndices {
  train: Uint32Array;
  validation: Uint32Array;
  holdout: Uint32Array;
}

/** A seeded shuffle split of row indices; each part is sorted ascending. */
export function splitIndices(rows: number, fractions: SplitFractions, seed: number): SplitIndices {
  const { validation, holdout } = fractions;
  if (!(validation >= 0 && holdout >= 0 && validation + holdout < 1))
    throw new RiskopsError(
      'invalid_settings',
      'validation and holdout fractions must be ≥ 0 and sum below 1',
    );
  const order = Array.from({ length: rows }, (_, i) => i);
  createRng(seed).fork('split').shuffle(order);
  const nHoldout = Math.round(rows * holdout);
  const nValidation = Math.round(rows * validation);
  const part = (from: number, to: number): Uint32Array => Uint32Array.from(order.slice(from, to)).sort();
  return {
    holdout: part(0, nHoldout),
    validation: part(nHoldout, nHoldout + nValidation),
    train: part(nHoldout + nValidation, rows),
  };
}

/** Copies the given rows of a matrix and its labels. */
export function takeRows(X: Float32Array, y: Labels, cols: number, indices: ArrayLike<number>): Dataset {
  const rows = indices.length;
  const out = new Float32Array(rows * cols);
  const labels = y instanceof Uint8Array ? new Uint8Array(rows) : new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const r = indices[i] as number;
    out.set(X.subarray(r * cols, r * cols + cols), i * cols);
    labels[i] = y[r] as number;
  }
  return { X: out, y: labels, rows };
}
