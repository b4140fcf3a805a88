import { RiskopsError } from '../errors/index.js';
import type { Explainer } from '../model/index.js';
import { createRng } from '../random/index.js';
import type { GbdtParams } from '../use-case/index.js';
import { type BinMapper, fitBins } from './binning.js';
import { checkDataset, type Dataset, type Labels, positiveRate } from './dataset.js';
import { sigmoid, sigmoid32, softplus } from './float32.js';
import { createTreeGrower, type GrownTree } from './tree-grower.js';

/**
 * One tree in ONNX node order. A node is a leaf when `left[node] < 0`; otherwise rows with
 * `x[featureIds[node]] <= thresholds[node]` (float32) go to `left[node]`, the rest to `right[node]`.
 */
export interface GbdtTree {
  featureIds: Int32Array;
  thresholds: Float32Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf weights in log-odds (float32), 0 on internal nodes. */
  values: Float32Array;
  /** Sum of training hessians that reached each node. */
  covers: Float64Array;
}

export interface GbdtModel {
  readonly algorithm: 'gradient_boosting';
  readonly params: GbdtParams;
  readonly seed: number;
  readonly cols: number;
  /** Log-odds of the training positive rate, as float32. */
  readonly baseScore: number;
  readonly trees: readonly GbdtTree[];
  /** Boosting rounds run before stopping (≥ trees.length when early stopping kept an earlier round). */
  readonly rounds: number;
  readonly stoppedEarly: boolean;
  /** Validation log loss after each round (empty without validation data). */
  readonly validationLoss: readonly number[];
  /** Total split gain per feature over the kept trees. */
  readonly featureGains: Float64Array;
  /** Margins (log-odds) as onnxruntime computes them: float32 leaf weights summed in tree order, plus the base score, rounded to float32. */
  predictMargin(X: Float32Array, rows: number): Float64Array;
  /** Probabilities of the positive class, as onnxruntime computes them (float32). */
  predict(X: Float32Array, rows: number): Float64Array;
  explainer(): Explainer;
}

function checkParams(p: GbdtParams): void {
  const bad: string[] = [];
  const positiveInt = (v: number): boolean => Number.isInteger(v) && v >= 1;
  if (!positiveInt(p.nEstimators)) bad.push('nEstimators must be an integer ≥ 1');
  if (!(p.learningRate > 0)) bad.push('learningRate must be > 0');
  if (!positiveInt(p.maxDepth)) bad.push('maxDepth must be an integer ≥ 1');
  if (!(Number.isInteger(p.maxLeaves) && p.maxLeaves >= 2)) bad.push('maxLeaves must be an integer ≥ 2');
  if (!(p.minChildWeight >= 0)) bad.push('minChildWeight must be ≥ 0');
  if (!(p.l2 >= 0)) bad.push('l2 must be ≥ 0');
  if (!(p.rowSubsample > 0 && p.rowSubsample <= 1)) bad.push('rowSubsample must be in (0, 1]');
  if (!(p.colSubsample > 0 && p.colSubsample <= 1)) bad.push('colSubsample must be in (0, 1]');
  if (!(Number.isInteger(p.maxBins) && p.maxBins >= 2 && p.maxBins <= 256))
    bad.push('maxBins must be in [2, 256]');
  if (!(Number.isInteger(p.earlyStoppingRounds) && p.earlyStoppingRounds >= 0))
    bad.push('earlyStoppingRounds must be an integer ≥ 0 (0 disables early stopping)');
  if (bad.length > 0) throw new RiskopsError('invalid_settings', `gbdt params: ${bad.join('; ')}`);
}

function logLoss(y: Labels, margin: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const m = margin[i] as number;
    sum += softplus(m) - (y[i] as number) * m;
  }
  return sum / y.length;
}

function toModelTree(grown: GrownTree, bins: BinMapper): GbdtTree {
  const n = grown.nodeCount;
  const tree: GbdtTree = {
    featureIds: new Int32Array(n),
    thresholds: new Float32Array(n),
    left: grown.left.slice(0, n),
    right: grown.right.slice(0, n),
    values: new Float32Array(n),
    covers: grown.cover.slice(0, n),
  };
  for (let node = 0; node < n; node++) {
    const f = grown.feature[node] as number;
    if (f >= 0) {
      tree.featureIds[node] = f;
      tree.thresholds[node] = (bins.thresholds[f] as Float32Array)[grown.splitBin[node] as number] as number;
    } else {
      tree.values[node] = grown.value[node] as number;
    }
  }
  return tree;
}

/** Adds the tree's leaf weights to `margin`, routing rows by bin code (same decisions as by value). */
function addTree(
  grown: GrownTree,
  leafValues: Float32Array,
  codes: Uint8Array,
  cols: number,
  margin: Float64Array,
): void {
  const { feature, splitBin, left, right } = grown;
  for (let r = 0; r < margin.length; r++) {
    let node = 0;
    const base = r * cols;
    for (let f = feature[0] as number; f >= 0; f = feature[node] as number) {
      node =
        (codes[base + f] as number) <= (splitBin[node] as number)
          ? (left[node] as number)
          : (right[node] as number);
    }
    margin[r] = (margin[r] as number) + (leafValues[node] as number);
  }
}

/**
 * Trains gradient-boosted trees for binary log loss on quantile-binned features (histograms, leaf-wise
 * growth under maxDepth and maxLeaves). With `validation` and `earlyStoppingRounds > 0`, stops when the
 * validation log loss has not improved for that many rounds and keeps the best round's trees.
 * Deterministic for the same data, params and seed.
 * @throws RiskopsError `data_contract` on mismatched shapes, `invalid_settings` on bad params.
 */
export function trainGbdt(
  X: Float32Array,
  y: Labels,
  rows: number,
  cols: number,
  params: GbdtParams,
  seed: number,
  validation?: Dataset,
  /** Called after each boosting round (synchronously: training holds the thread). */
  onRound?: (round: number, validationLoss: number | undefined) => void,
): GbdtModel {
  checkParams(params);
  checkDataset(X, y, rows, cols);
  if (validation !== undefined) checkDataset(validation.X, validation.y, validation.rows, cols);

  const bins = fitBins(X, rows, cols, params.maxBins);
  const codes = bins.encode(X, rows);
  const binCounts = Int32Array.from(bins.thresholds, (t) => t.length + 1);
  const validationCodes = validation === undefined ? undefined : bins.encode(validation.X, validation.rows);

  const rate = Math.min(Math.max(positiveRate(y), 1e-6), 1 - 1e-6);
  const baseScore = Math.fround(Math.log(rate / (1 - rate)));
  const margin = new Float64Array(rows).fill(baseScore);
  const validationMargin =
    validation === undefined ? undefined : new Float64Array(validation.rows).fill(baseScore);
  const grad = new Float64Array(rows);
  const hess = new Float64Array(rows);

  const rng = createRng(seed);
  const rowRng = rng.fork('rows');
  const colRng = rng.fork('columns');
  const grower = createTreeGrower(codes, cols, binCounts, params);
  const nColumns = Math.max(1, Math.round(cols * params.colSubsample));
  const columnOrder = Array.from({ length: cols }, (_, j) => j);
  const rowIndex = new Uint32Array(rows);

  const trees: GbdtTree[] = [];
  const gains: Float64Array[] = [];
  const validationLoss: number[] = [];
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestRound = -1;
  let stoppedEarly = false;
  const earlyStopping = validation !== undefined && params.earlyStoppingRounds > 0;

  for (let round = 0; round < params.nEstimators; round++) {
    for (let r = 0; r < rows; r++) {
      const p = sigmoid(margin[r] as number);
      grad[r] = p - (y[r] as number);
      hess[r] = Math.max(p * (1 - p), 1e-16);
    }
    let sampled = 0;
    if (params.rowSubsample >= 1) {
      for (let r = 0; r < rows; r++) rowIndex[r] = r;
      sampled = rows;
    } else {
      for (let r = 0; r < rows; r++) if (rowRng.next() < params.rowSubsample) rowIndex[sampled++] = r;
    }
    let features: Int32Array;
    if (nColumns >= cols) features = Int32Array.from(columnOrder);
    else features = Int32Array.from(colRng.shuffle(columnOrder.slice()).slice(0, nColumns)).sort();

    const grown = grower.grow(grad, hess, rowIndex.subarray(0, sampled), features);
    const tree = toModelTree(grown, bins);
    trees.push(tree);
    const gain = new Float64Array(cols);
    for (let node = 0; node < grown.nodeCount; node++) {
      const f = grown.feature[node] as number;
      if (f >= 0) gain[f] = (gain[f] as number) + (grown.gain[node] as number);
    }
    gains.push(gain);
    addTree(grown, tree.values, codes, cols, margin);

    if (validation !== undefined && validationCodes !== undefined && validationMargin !== undefined) {
      addTree(grown, tree.values, validationCodes, cols, validationMargin);
      const loss = logLoss(validation.y, validationMargin);
      validationLoss.push(loss);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestRound = round;
      } else if (earlyStopping && round - bestRound >= params.earlyStoppingRounds) {
        stoppedEarly = true;
        onRound?.(round + 1, loss);
        break;
      }
    }
    onRound?.(round + 1, validationLoss[validationLoss.length - 1]);
  }

  const rounds = trees.length;
  const kept = earlyStopping ? bestRound + 1 : rounds;
  const featureGains = new Float64Array(cols);
  for (const gain of gains.slice(0, kept))
    for (let j = 0; j < cols; j++) featureGains[j] = (featureGains[j] as number) + (gain[j] as number);
  return createGbdtModel({
    params: { ...params },
    seed,
    baseScore,
    trees: trees.slice(0, kept),
    rounds,
    stoppedEarly,
    validationLoss,
    featureGains,
  });
}

type GbdtState = Omit<GbdtModel, 'algorithm' | 'cols' | 'predictMargin' | 'predict' | 'explainer'> & {
  cols?: number;
};

/** Wraps trained (or stored) trees as a model. */
export function createGbdtModel(state: GbdtState): GbdtModel {
  const cols = state.cols ?? state.featureGains.length;
  const { trees } = state;
  const base = Math.fround(state.baseScore);
  const predictMargin = (X: Float32Array, rows: number): Float64Array => {
    if (X.length !== rows * cols)
      throw new RiskopsError('data_contract', `matrix has ${X.length} values, expected ${rows} × ${cols}`);
    // Trees outer, rows inner: each row still sums its trees in order (onnxruntime's order).
    const sums = new Float64Array(rows);
    for (const { left, right, featureIds, thresholds, values } of trees) {
      const root = left[0] as number;
      for (let r = 0; r < rows; r++) {
        const offset = r * cols;
        let node = 0;
        for (let l = root; l >= 0; l = left[node] as number) {
          node =
            (X[offset + (featureIds[node] as number)] as number) <= (thresholds[node] as number)
              ? l
              : (right[node] as number);
        }
        sums[r] = (sums[r] as number) + (values[node] as number);
      }
    }
    for (let r = 0; r < rows; r++) sums[r] = Math.fround((sums[r] as number) + base);
    return sums;
  };
  return {
    algorithm: 'gradient_boosting',
    ...state,
    cols,
    baseScore: base,
    predictMargin,
    predict(X, rows) {
      const margin = predictMargin(X, rows);
      for (let r = 0; r < rows; r++) margin[r] = sigmoid32(margin[r] as number);
      return margin;
    },
    explainer() {
      return { kind: 'tree', baseScore: base, covers: trees.map((t) => Array.from(t.covers)) };
    },
  };
}
