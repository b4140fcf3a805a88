import { describe, expect, it } from 'vitest';
import { isRiskopsError } from '../../src/platform/errors/index.js';
import { rocAuc, syntheticDataset, trainLogistic } from '../../src/platform/training/index.js';
import type { LogisticParams } from '../../src/platform/use-case/index.js';

const PARAMS: LogisticParams = { l2: 0, maxIterations: 50, tolerance: 1e-9 };

describe('logistic regression', () => {
  it('recovers the generating coefficients on raw features', () => {
    const cols = 6;
    const data = syntheticDataset({ rows: 60_000, cols, seed: 5, shape: 'linear', offset: -0.5 });
    const model = trainLogistic(data.X, data.y, data.rows, cols, PARAMS);
    expect(model.converged).toBe(true);
    expect(model.iterations).toBeLessThan(15);
    const truth = Array.from({ length: cols }, (_, j) => ((j % 3) - 1) * 0.6);
    Array.from(model.coefficients).forEach((c, j) => {
      expect(Math.abs(c - (truth[j] as number))).toBeLessThan(0.06);
    });
    expect(Math.abs(model.intercept + 0.5)).toBeLessThan(0.08);
  });

  it('folds the standardisation in: predictions equal σ(intercept + x·coefficients)', () => {
    const data = syntheticDataset({ rows: 2_000, cols: 4, seed: 9, shape: 'linear' });
    const model = trainLogistic(data.X, data.y, data.rows, 4, { ...PARAMS, l2: 0.01 });
    const p = model.predict(data.X, data.rows);
    for (let r = 0; r < 20; r++) {
      let m = model.intercept;
      for (let j = 0; j < 4; j++) m += (model.coefficients[j] as number) * (data.X[r * 4 + j] as number);
      expect(p[r]).toBeCloseTo(1 / (1 + Math.exp(-m)), 6);
    }
    const explainer = model.explainer();
    expect(explainer).toMatchObject({ kind: 'linear', intercept: model.intercept });
    if (explainer.kind === 'linear') expect(explainer.featureMeans).toHaveLength(4);
  });

  it('shrinks coefficients with L2 and stays finite on separable data and constant columns', () => {
    const rows = 400;
    const X = new Float32Array(rows * 2);
    const y = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      X[2 * r] = r < rows / 2 ? -1 - r / rows : 1 + r / rows;
      X[2 * r + 1] = 7;
      y[r] = r < rows / 2 ? 0 : 1;
    }
    const weak = trainLogistic(X, y, rows, 2, { l2: 0.001, maxIterations: 100, tolerance: 1e-8 });
    const strong = trainLogistic(X, y, rows, 2, { l2: 1, maxIterations: 100, tolerance: 1e-8 });
    expect(Math.abs(strong.coefficients[0] as number)).toBeLessThan(Math.abs(weak.coefficients[0] as number));
    expect(weak.coefficients[1]).toBe(0);
    expect(Number.isFinite(weak.intercept)).toBe(true);
    expect(rocAuc(y, weak.predict(X, rows))).toBe(1);
  });

  it('rejects bad params and mismatched shapes with typed errors', () => {
    const X = new Float32Array(4);
    const y = Uint8Array.from([0, 1]);
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        return isRiskopsError(error) ? error.code : 'other';
      }
      return undefined;
    };
    expect(codeOf(() => trainLogistic(X, y, 2, 2, { ...PARAMS, l2: -1 }))).toBe('invalid_settings');
    expect(codeOf(() => trainLogistic(X, y, 3, 2, PARAMS))).toBe('data_contract');
    expect(codeOf(() => trainLogistic(X, Float64Array.from([0, 2]), 2, 2, PARAMS))).toBe('data_contract');
  });
});
