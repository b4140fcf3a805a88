import { RiskopsError } from '../errors/index.js';
import type { Metrics } from '../model/index.js';
import type { DecisionBand } from '../use-case/index.js';
import type { Labels } from './dataset.js';

/** Probabilities are clipped to [ε, 1 - ε] for log loss. */
export const LOG_LOSS_EPSILON = 1e-15;
export const ECE_BINS = 10;

type Scores = ArrayLike<number>;

function checkPair(y: Labels, p: Scores): void {
  if (y.length !== p.length)
    throw new RiskopsError('data_contract', `${y.length} labels for ${p.length} scores`);
  if (y.length === 0) throw new RiskopsError('data_contract', 'metrics need at least one row');
}

/** Row indices ordered by ascending score (ties keep row order). */
function orderByScore(p: Scores): Uint32Array {
  const order = new Uint32Array(p.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (p[a] as number) - (p[b] as number) || a - b);
}

/**
 * ROC AUC as the Mann–Whitney statistic, tied scores sharing their average rank.
 * Null when only one class is present.
 */
export function rocAuc(y: Labels, p: Scores): number | null {
  checkPair(y, p);
  const order = orderByScore(p);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    const score = p[order[i] as number] as number;
    while (j < order.length && p[order[j] as number] === score) j++;
    const averageRank = (i + 1 + j) / 2; // ranks i+1 … j
    for (let k = i; k < j; k++) {
      const label = y[order[k] as number] as number;
      positives += label;
      rankSum += label * averageRank;
    }
    i = j;
  }
  const negatives = y.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared difference between probability and outcome. */
export function brierScore(y: Labels, p: Scores): number {
  checkPair(y, p);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += ((p[i] as number) - (y[i] as number)) ** 2;
  return sum / y.length;
}

/** Mean binary cross-entropy with probabilities clipped to [1e-15, 1 - 1e-15]. */
export function logLoss(y: Labels, p: Scores): number {
  checkPair(y, p);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(Math.max(p[i] as number, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
    const label = y[i] as number;
    sum -= label * Math.log(q) + (1 - label) * Math.log(1 - q);
  }
  return sum / y.length;
}

/**
 * Expected calibration error over 10 equal-width probability bins ([0, 0.1), …, [0.9, 1]):
 * Σ (rows in bin / rows) · |mean outcome − mean probability|.
 */
export function expectedCalibrationError(y: Labels, p: Scores, bins = ECE_BINS): number {
  checkPair(y, p);
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (let i = 0; i < y.length; i++) {
    const q = p[i] as number;
    const b = Math.min(Math.max(Math.floor(q * bins), 0), bins - 1);
    count[b] = (count[b] as number) + 1;
    sumP[b] = (sumP[b] as number) + q;
    sumY[b] = (sumY[b] as number) + (y[i] as number);
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) ece += Math.abs((sumY[b] as number) - (sumP[b] as number)) / y.length;
  return ece;
}

/** Kolmogorov–Smirnov statistic: the largest gap between the score CDFs of positives and negatives. */
export function ksStatistic(y: Labels, p: Scores): number {
  checkPair(y, p);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i] as number;
  const negatives = y.length - positives;
  if (positives === 0 || negatives === 0) return 0;
  const order = orderByScore(p);
  let cdfPos = 0;
  let cdfNeg = 0;
  let ks = 0;
  for (let i = 0; i < order.length; ) {
    const score = p[order[i] as number] as number;
    while (i < order.length && p[order[i] as number] === score) {
      const label = y[order[i] as number] as number;
      cdfPos += label / positives;
      cdfNeg += (1 - label) / negatives;
      i++;
    }
    ks = Math.max(ks, Math.abs(cdfNeg - cdfPos));
  }
  return ks;
}

/** The lower probability cut-off of each band: 0 for the first, the previous band's `upTo` after. */
export function bandCutoffs(bands: readonly DecisionBand[]): number[] {
  return bands.map((_, i) => (i === 0 ? 0 : (bands[i - 1] as DecisionBand).upTo));
}

/** Per band: share of rows at or above its lower cut-off, and precision/recall of flagging them (0 when undefined). */
export function bandMetrics(y: Labels, p: Scores, bands: readonly DecisionBand[]): Metrics['bands'] {
  checkPair(y, p);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i] as number;
  return bandCutoffs(bands).map((threshold, b) => {
    let flagged = 0;
    let hits = 0;
    for (let i = 0; i < y.length; i++) {
      if ((p[i] as number) >= threshold) {
        flagged++;
        hits += y[i] as number;
      }
    }
    return {
      band: (bands[b] as DecisionBand).name,
      threshold,
      rate: flagged / y.length,
      precision: flagged === 0 ? 0 : hits / flagged,
      recall: positives === 0 ? 0 : hits / positives,
    };
  });
}

/**
 * The manifest's metrics of probabilities `p` against outcomes `y`.
 * @throws RiskopsError `data_contract` when the rows hold only one class (AUC is undefined).
 */
export function computeMetrics(y: Labels, p: Scores, bands: readonly DecisionBand[]): Metrics {
  const auc = rocAuc(y, p);
  if (auc === null) throw new RiskopsError('data_contract', 'metrics need both outcomes among the rows');
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i] as number;
  return {
    rows: y.length,
    positives: Math.round(positives),
    auc,
    brier: brierScore(y, p),
    ece: expectedCalibrationError(y, p),
    logLoss: logLoss(y, p),
    ks: ksStatistic(y, p),
    bands: bandMetrics(y, p, bands),
  };
}
