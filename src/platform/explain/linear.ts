import { RiskopsError } from '../errors/index.js';
import { checkMatrix, type ModelExplainer } from './types.js';

export interface LinearExplainerOptions {
  coefficients: readonly number[];
  featureMeans: readonly number[];
  intercept: number;
}

/**
 * Exact contributions of a logistic model in log-odds: coefficient × (value − training mean). With standardised
 * coefficients this is the coefficient times the standardised deviation; the base value is the score at the mean.
 * @throws RiskopsError `contract_violation` when coefficients and means differ in length.
 */
export function createLinearExplainer(options: LinearExplainerOptions): ModelExplainer {
  const width = options.coefficients.length;
  if (options.featureMeans.length !== width) {
    throw new RiskopsError(
      'contract_violation',
      `linear explainer has ${width} coefficients but ${options.featureMeans.length} means`,
    );
  }
  const coef = Float64Array.from(options.coefficients);
  const mean = Float64Array.from(options.featureMeans);
  let base = options.intercept;
  for (let j = 0; j < width; j++) base += (coef[j] as number) * (mean[j] as number);
  const check = (X: Float32Array, rows: number): void => checkMatrix(X, rows, width);
  return {
    kind: 'linear',
    space: 'log-odds',
    baseValue: base,
    contributions(X, rows) {
      check(X, rows);
      const out = new Float64Array(rows * width);
      for (let i = 0; i < out.length; i++) {
        const j = i % width;
        out[i] = (coef[j] as number) * ((X[i] as number) - (mean[j] as number));
      }
      return out;
    },
    rawScores(X, rows) {
      check(X, rows);
      const out = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let s = options.intercept;
        for (let j = 0; j < width; j++) s += (coef[j] as number) * (X[r * width + j] as number);
        out[r] = s;
      }
      return out;
    },
  };
}
