import { describe, expect, it } from 'vitest';
import {
  bandMetrics,
  brierScore,
  computeMetrics,
  expectedCalibrationError,
  ksStatistic,
  logLoss,
  rocAuc,
} from '../../src/platform/training/index.js';
import type { DecisionBand } from '../../src/platform/use-case/index.js';

const y = (...v: number[]) => Uint8Array.from(v);
const p = (...v: number[]) => Float64Array.from(v);
const BANDS: DecisionBand[] = [
  { name: 'low', upTo: 0.3, action: 'none' },
  { name: 'mid', upTo: 0.6, action: 'review' },
  { name: 'high', upTo: 1.0000001, action: 'block' },
];

describe('ROC AUC', () => {
  it('is 1 for a perfect ranking and 0 for the reversed one', () => {
    expect(rocAuc(y(0, 0, 1, 1), p(0.1, 0.2, 0.3, 0.9))).toBe(1);
    expect(rocAuc(y(1, 1, 0, 0), p(0.1, 0.2, 0.3, 0.9))).toBe(0);
  });

  it('gives tied scores their average rank', () => {
    expect(rocAuc(y(0, 1, 0, 1), p(0.5, 0.5, 0.5, 0.5))).toBe(0.5);
    // pairs: (0.4 vs 0.1) 1, (0.4 vs 0.4) ½, (0.8 vs both) 2 → 3.5 / 4
    expect(rocAuc(y(0, 1, 0, 1), p(0.1, 0.4, 0.4, 0.8))).toBe(0.875);
  });

  it('is null with one class', () => {
    expect(rocAuc(y(1, 1), p(0.2, 0.3))).toBeNull();
  });
});

describe('calibration and loss', () => {
  it('computes Brier and log loss on a hand case', () => {
    expect(brierScore(y(1, 0), p(0.8, 0.4))).toBeCloseTo(0.1, 12);
    expect(logLoss(y(1, 0), p(0.8, 0.4))).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12);
  });

  it('clips log loss so certain mistakes stay finite', () => {
    expect(logLoss(y(1), p(0))).toBeCloseTo(-Math.log(1e-15), 6);
  });

  it('computes ECE over 10 equal-width bins', () => {
    // bin 0: |0 - 0.05|, bin 1: 2 rows, |0.5 - 0.15|, bin 9: |1 - 0.95| → (0.05 + 0.7 + 0.05) / 4
    expect(expectedCalibrationError(y(0, 1, 0, 1), p(0.05, 0.15, 0.15, 0.95))).toBeCloseTo(0.2, 12);
    expect(expectedCalibrationError(y(0, 1), p(0, 1))).toBe(0);
  });
});

describe('KS', () => {
  it('is 1 for separated classes and the largest CDF gap otherwise', () => {
    expect(ksStatistic(y(0, 0, 1, 1), p(0.1, 0.2, 0.3, 0.4))).toBe(1);
    expect(ksStatistic(y(0, 1, 0, 1), p(0.1, 0.2, 0.3, 0.4))).toBe(0.5);
    expect(ksStatistic(y(0, 1, 0, 1), p(0.3, 0.3, 0.3, 0.3))).toBe(0);
  });
});

describe('band metrics', () => {
  it('flag rows at or above each band lower cut-off', () => {
    const bands = bandMetrics(y(0, 0, 1, 0, 1, 1), p(0.1, 0.35, 0.4, 0.65, 0.7, 0.2), BANDS);
    expect(bands).toEqual([
      { band: 'low', threshold: 0, rate: 1, precision: 0.5, recall: 1 },
      { band: 'mid', threshold: 0.3, rate: 4 / 6, precision: 0.5, recall: 2 / 3 },
      { band: 'high', threshold: 0.6, rate: 2 / 6, precision: 0.5, recall: 1 / 3 },
    ]);
  });

  it('report precision 0 when nothing is flagged', () => {
    expect(bandMetrics(y(0, 1), p(0.1, 0.2), BANDS)[2]).toMatchObject({ rate: 0, precision: 0, recall: 0 });
  });
});

describe('computeMetrics', () => {
  it('fills the manifest metrics', () => {
    const metrics = computeMetrics(y(0, 0, 1, 1), p(0.1, 0.2, 0.3, 0.9), BANDS);
    expect(metrics).toMatchObject({ rows: 4, positives: 2, auc: 1, ks: 1 });
    expect(metrics.bands).toHaveLength(3);
  });

  it('refuses rows with a single class or mismatched lengths', () => {
    expect(() => computeMetrics(y(0, 0), p(0.1, 0.2), BANDS)).toThrow(/both outcomes/);
    expect(() => computeMetrics(y(0, 1), p(0.1), BANDS)).toThrow(/labels/);
  });
});
