import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportGbdt, exportLogistic, modelMetadata } from '../../src/platform/onnx/index.js';
import {
  type Dataset,
  type GbdtModel,
  type LogisticModel,
  splitIndices,
  syntheticDataset,
  takeRows,
  trainGbdt,
  trainLogistic,
} from '../../src/platform/training/index.js';
import type { GbdtParams, LogisticParams } from '../../src/platform/use-case/index.js';
import { maxAbsDiff, positiveColumn, runOnnx } from './ort.js';

const COLS = 12;
const NAMES = Array.from({ length: COLS }, (_, j) => `f${j}`);
const GBDT: GbdtParams = {
  nEstimators: 120,
  learningRate: 0.1,
  maxDepth: 5,
  maxLeaves: 24,
  minChildWeight: 2,
  l2: 1,
  rowSubsample: 0.8,
  colSubsample: 0.8,
  maxBins: 64,
  earlyStoppingRounds: 15,
};
const LOGISTIC: LogisticParams = { l2: 0.01, maxIterations: 100, tolerance: 1e-8 };
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let train: Dataset;
let validation: Dataset;
let test: Dataset;
let gbdt: GbdtModel;
let logistic: LogisticModel;

beforeAll(() => {
  const data = syntheticDataset({ rows: 24_000, cols: COLS, seed: 11, shape: 'nonlinear' });
  const split = splitIndices(data.rows, { validation: 0.15, holdout: 0.2 }, 3);
  train = takeRows(data.X, data.y, COLS, split.train);
  validation = takeRows(data.X, data.y, COLS, split.validation);
  test = takeRows(data.X, data.y, COLS, split.holdout);
  gbdt = trainGbdt(train.X, train.y, train.rows, COLS, GBDT, 42, validation);
  logistic = trainLogistic(train.X, train.y, train.rows, COLS, LOGISTIC);
});

describe('TypeScript predictions match onnxruntime-node', () => {
  it('for logistic regression (max abs diff ≤ 1e-5)', async () => {
    const bytes = exportLogistic(logistic, NAMES, { useCase: 'test_case' });
    const { probabilities } = await runOnnx(bytes, test.X, test.rows, COLS);
    const diff = maxAbsDiff(positiveColumn(probabilities), logistic.predict(test.X, test.rows));
    expect(diff).toBeLessThanOrEqual(1e-5);
    for (let i = 0; i < test.rows; i++)
      expect((probabilities[2 * i] as number) + (probabilities[2 * i + 1] as number)).toBeCloseTo(1, 6);
  });

  it('for boosted trees (max abs diff ≤ 1e-5)', async () => {
    expect(gbdt.trees.length).toBeGreaterThan(10);
    const bytes = exportGbdt(gbdt, NAMES, { useCase: 'test_case' });
    const { probabilities } = await runOnnx(bytes, test.X, test.rows, COLS);
    const diff = maxAbsDiff(positiveColumn(probabilities), gbdt.predict(test.X, test.rows));
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('for boosted trees on rows exactly at split thresholds and beyond the training range', async () => {
    const rows = 2_000;
    const X = new Float32Array(rows * COLS);
    let k = 0;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < COLS; j++) {
        const tree = gbdt.trees[(r + j) % gbdt.trees.length];
        const node =
          tree === undefined ? -1 : tree.featureIds.findIndex((f, n) => f === j && (tree.left[n] ?? -1) >= 0);
        const threshold = tree !== undefined && node >= 0 ? (tree.thresholds[node] as number) : 0;
        X[k++] = r % 3 === 0 ? threshold : r % 3 === 1 ? threshold * 1000 - 50 : -threshold * 1000 + 50;
      }
    }
    const { probabilities } = await runOnnx(exportGbdt(gbdt, NAMES, { useCase: 'x' }), X, rows, COLS);
    expect(maxAbsDiff(positiveColumn(probabilities), gbdt.predict(X, rows))).toBeLessThanOrEqual(1e-5);
  });

  it('on a single row (onnxruntime may sum trees in parallel)', async () => {
    const row = test.X.subarray(0, COLS);
    const { probabilities } = await runOnnx(exportGbdt(gbdt, NAMES, { useCase: 'x' }), row, 1, COLS);
    expect(maxAbsDiff(positiveColumn(probabilities), gbdt.predict(row, 1))).toBeLessThanOrEqual(1e-5);
  });

  it('writes feature names, use case and algorithm into the model metadata', () => {
    const meta = modelMetadata(
      exportGbdt(gbdt, NAMES, { useCase: 'late_payment', properties: { b: '2', a: '1' } }),
    );
    expect(meta).toEqual({
      feature_names: JSON.stringify(NAMES),
      use_case: 'late_payment',
      algorithm: 'gradient_boosting',
      a: '1',
      b: '2',
    });
    expect(modelMetadata(exportLogistic(logistic, NAMES, { useCase: 'x' })).algorithm).toBe(
      'logistic_regression',
    );
  });

  it('refuses feature names that do not match the model width', () => {
    expect(() => exportLogistic(logistic, NAMES.slice(1), { useCase: 'x' })).toThrow(/feature names/);
    expect(() => exportGbdt(gbdt, [...NAMES, 'extra'], { useCase: 'x' })).toThrow(/feature names/);
  });
});

describe('reproducibility', () => {
  it('gives byte-identical ONNX for the same data, params and seed', () => {
    const again = trainGbdt(train.X, train.y, train.rows, COLS, GBDT, 42, validation);
    expect(sha256(exportGbdt(again, NAMES, { useCase: 'x' }))).toBe(
      sha256(exportGbdt(gbdt, NAMES, { useCase: 'x' })),
    );
    const logisticAgain = trainLogistic(train.X, train.y, train.rows, COLS, LOGISTIC);
    expect(sha256(exportLogistic(logisticAgain, NAMES, { useCase: 'x' }))).toBe(
      sha256(exportLogistic(logistic, NAMES, { useCase: 'x' })),
    );
  });

  it('gives different trees for a different seed when subsampling', () => {
    const other = trainGbdt(train.X, train.y, train.rows, COLS, GBDT, 43, validation);
    expect(sha256(exportGbdt(other, NAMES, { useCase: 'x' }))).not.toBe(
      sha256(exportGbdt(gbdt, NAMES, { useCase: 'x' })),
    );
  });
});
