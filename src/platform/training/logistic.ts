import { RiskopsError } from '../errors/index.js';
import type { Explainer } from '../model/index.js';
import type { LogisticParams } from '../use-case/index.js';
import { checkDataset, type Labels } from './dataset.js';
import { sigmoid, sigmoid32, softplus } from './float32.js';
import { choleskySolve } from './linalg.js';

/** A fitted logistic regression on raw encoded features (the standardisation is folded in). */
export interface LogisticModel {
  readonly algorithm: 'logistic_regression';
  readonly params: LogisticParams;
  readonly cols: number;
  /** Per raw feature, already rounded to float32 as the ONNX file stores them. */
  readonly coefficients: Float64Array;
  readonly intercept: number;
  /** Training means and standard deviations used for standardisation (std 0 is stored as 1). */
  readonly means: Float64Array;
  readonly stds: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** Final penalised objective: mean log loss + l2/2 · ‖β‖² on standardised coefficients. */
  readonly objective: number;
  /** Probabilities of the positive class, computed as onnxruntime computes them (float32). */
  predict(X: Float32Array, rows: number): Float64Array;
  explainer(): Explainer;
}

function checkParams(params: LogisticParams): void {
  const bad: string[] = [];
  if (!(params.l2 >= 0)) bad.push('l2 must be ≥ 0');
  if (!(Number.isInteger(params.maxIterations) && params.maxIterations >= 1))
    bad.push('maxIterations must be ≥ 1');
  if (!(params.tolerance > 0)) bad.push('tolerance must be > 0');
  if (bad.length > 0) throw new RiskopsError('invalid_settings', `logistic params: ${bad.join('; ')}`);
}

function standardisation(
  X: Float32Array,
  rows: number,
  cols: number,
): { means: Float64Array; stds: Float64Array } {
  const means = new Float64Array(cols);
  const stds = new Float64Array(cols);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++) means[j] = (means[j] as number) + (X[r * cols + j] as number);
  for (let j = 0; j < cols; j++) means[j] = (means[j] as number) / rows;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const d = (X[r * cols + j] as number) - (means[j] as number);
      stds[j] = (stds[j] as number) + d * d;
    }
  }
  for (let j = 0; j < cols; j++) {
    const sd = Math.sqrt((stds[j] as number) / rows);
    stds[j] = sd > 1e-12 ? sd : 1;
  }
  return { means, stds };
}

/**
 * Fits L2-regularised logistic regression by Newton's method (Cholesky solves, backtracking line search)
 * on standardised features, minimising mean log loss + l2/2 · ‖β‖² (the intercept is not penalised).
 * Deterministic: the same data and params give the same model. `seed` is accepted for a uniform
 * trainer signature and does not affect the fit.
 * @throws RiskopsError `data_contract` on mismatched shapes, `invalid_settings` on bad params.
 */
export function trainLogistic(
  X: Float32Array,
  y: Labels,
  rows: number,
  cols: number,
  params: LogisticParams,
  _seed?: number,
): LogisticModel {
  checkParams(params);
  checkDataset(X, y, rows, cols);
  const { means, stds } = standardisation(X, rows, cols);
  const d = cols + 1; // θ[0] is the intercept
  const theta = new Float64Array(d);
  const z = new Float64Array(d);
  const grad = new Float64Array(d);
  const hess = new Float64Array(d * d);
  const l2 = params.l2;

  const standardise = (r: number): void => {
    z[0] = 1;
    const base = r * cols;
    for (let j = 0; j < cols; j++)
      z[j + 1] = ((X[base + j] as number) - (means[j] as number)) / (stds[j] as number);
  };
  const objectiveAt = (t: Float64Array): number => {
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      standardise(r);
      let m = 0;
      for (let j = 0; j < d; j++) m += (t[j] as number) * (z[j] as number);
      loss += softplus(m) - (y[r] as number) * m;
    }
    let penalty = 0;
    for (let j = 1; j < d; j++) penalty += (t[j] as number) ** 2;
    return loss / rows + (l2 / 2) * penalty;
  };

  let objective = objectiveAt(theta);
  let iterations = 0;
  let converged = false;
  while (iterations < params.maxIterations) {
    iterations++;
    grad.fill(0);
    hess.fill(0);
    for (let r = 0; r < rows; r++) {
      standardise(r);
      let m = 0;
      for (let j = 0; j < d; j++) m += (theta[j] as number) * (z[j] as number);
      const p = sigmoid(m);
      const g = p - (y[r] as number);
      const w = Math.max(p * (1 - p), 1e-12);
      for (let j = 0; j < d; j++) {
        const zj = z[j] as number;
        grad[j] = (grad[j] as number) + g * zj;
        const wz = w * zj;
        const row = j * d;
        for (let k = j; k < d; k++) hess[row + k] = (hess[row + k] as number) + wz * (z[k] as number);
      }
    }
    for (let j = 0; j < d; j++) {
      grad[j] = (grad[j] as number) / rows + (j > 0 ? l2 * (theta[j] as number) : 0);
      for (let k = j; k < d; k++) {
        const v = (hess[j * d + k] as number) / rows + (j === k ? (j > 0 ? l2 : 0) + 1e-10 : 0);
        hess[j * d + k] = v;
        hess[k * d + j] = v;
      }
    }
    let gradNorm = 0;
    for (let j = 0; j < d; j++) gradNorm = Math.max(gradNorm, Math.abs(grad[j] as number));
    if (gradNorm < params.tolerance) {
      converged = true;
      break;
    }
    const step = choleskySolve(hess, grad, d);
    // Backtracking line search on θ - t·step (Armijo), so separable data cannot diverge.
    let directional = 0;
    for (let j = 0; j < d; j++) directional += (grad[j] as number) * (step[j] as number);
    let t = 1;
    const candidate = new Float64Array(d);
    let next = objective;
    for (let tries = 0; tries < 30; tries++) {
      for (let j = 0; j < d; j++) candidate[j] = (theta[j] as number) - t * (step[j] as number);
      next = objectiveAt(candidate);
      if (next <= objective - 1e-4 * t * directional) break;
      t /= 2;
    }
    if (!(next < objective)) {
      converged = true; // no further decrease possible in floating point
      break;
    }
    theta.set(candidate);
    const change = objective - next;
    objective = next;
    if (change < params.tolerance * 1e-3 * Math.max(1, Math.abs(objective))) {
      converged = true;
      break;
    }
  }

  const coefficients = new Float64Array(cols);
  let intercept = theta[0] as number;
  for (let j = 0; j < cols; j++) {
    const beta = (theta[j + 1] as number) / (stds[j] as number);
    coefficients[j] = Math.fround(beta);
    intercept -= beta * (means[j] as number);
  }
  return createLogisticModel({
    params: { ...params },
    coefficients,
    intercept: Math.fround(intercept),
    means,
    stds,
    iterations,
    converged,
    objective,
  });
}

type LogisticState = Omit<LogisticModel, 'algorithm' | 'cols' | 'predict' | 'explainer'>;

/** Wraps fitted (or stored) coefficients as a model. */
export function createLogisticModel(state: LogisticState): LogisticModel {
  const cols = state.coefficients.length;
  const { coefficients, intercept } = state;
  return {
    algorithm: 'logistic_regression',
    cols,
    ...state,
    predict(X, rows) {
      if (X.length !== rows * cols)
        throw new RiskopsError('data_contract', `matrix has ${X.length} values, expected ${rows} × ${cols}`);
      const out = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let m = intercept;
        const base = r * cols;
        for (let j = 0; j < cols; j++) m += (coefficients[j] as number) * (X[base + j] as number);
        out[r] = sigmoid32(m);
      }
      return out;
    },
    explainer() {
      return {
        kind: 'linear',
        featureMeans: Array.from(state.means),
        coefficients: Array.from(coefficients),
        intercept,
      };
    },
  };
}
