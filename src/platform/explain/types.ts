import { RiskopsError } from '../errors/index.js';
/** What contributions are measured in: log-odds for logistic outputs, else the model's own output scale. */
export type ContributionSpace = 'log-odds' | 'probability' | 'score';

/** Exact additive attributions of a model's raw output to its encoded input columns. */
export interface ModelExplainer {
  readonly kind: 'linear' | 'tree';
  readonly space: ContributionSpace;
  /** The output with no feature known (training mean input for linear, cover-weighted leaves for trees). */
  readonly baseValue: number;
  /** Row-major `rows × width` contributions; each row sums with `baseValue` to `rawScores` of that row. */
  contributions(X: Float32Array, rows: number): Float64Array;
  /** The model's raw output (before the logistic link) recomputed from its parameters, in float64. */
  rawScores(X: Float32Array, rows: number): Float64Array;
}

/** An explainer, or why a model has none. */
export type ExplainerResolution =
  | { available: true; explainer: ModelExplainer }
  | { available: false; reason: string };

/**
 * @throws RiskopsError `contract_violation` when `X` is not `rows` × `width` (the explainer's input width).
 */
export function checkMatrix(X: Float32Array, rows: number, width: number): void {
  if (X.length !== rows * width)
    throw new RiskopsError(
      'contract_violation',
      `matrix has ${X.length} values, expected ${rows} × ${width}`,
    );
}
