import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MODEL_INPUT, MODEL_PROBABILITIES } from '../../src/platform/model/index.js';
import {
  decodeModel,
  exportGbdt,
  exportLogistic,
  IR_VERSION,
  ML_DOMAIN,
  MODEL_LABEL,
} from '../../src/platform/onnx/index.js';
import { createGbdtModel, createLogisticModel, type GbdtTree } from '../../src/platform/training/index.js';
import { maxAbsDiff, positiveColumn, runOnnx } from './ort.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** root: x0 <= 0.5 ? (x1 <= -1 ? a : b) : c — node ids in creation order. */
function stump(a: number, b: number, c: number): GbdtTree {
  return {
    featureIds: Int32Array.from([0, 1, 0, 0, 0]),
    thresholds: Float32Array.from([0.5, -1, 0, 0, 0]),
    left: Int32Array.from([1, 3, -1, -1, -1]),
    right: Int32Array.from([2, 4, -1, -1, -1]),
    values: Float32Array.from([0, 0, c, a, b]),
    covers: Float64Array.from([10, 6, 4, 2, 4]),
  };
}

const leafOnly = (w: number): GbdtTree => ({
  featureIds: Int32Array.from([0]),
  thresholds: Float32Array.from([0]),
  left: Int32Array.from([-1]),
  right: Int32Array.from([-1]),
  values: Float32Array.from([w]),
  covers: Float64Array.from([10]),
});

function handModel(trees: GbdtTree[], baseScore: number) {
  return createGbdtModel({
    params: {
      nEstimators: trees.length,
      learningRate: 1,
      maxDepth: 2,
      maxLeaves: 3,
      minChildWeight: 0,
      l2: 0,
      rowSubsample: 1,
      colSubsample: 1,
      maxBins: 4,
      earlyStoppingRounds: 0,
    },
    seed: 0,
    cols: 2,
    baseScore,
    trees,
    rounds: trees.length,
    stoppedEarly: false,
    validationLoss: [],
    featureGains: new Float64Array(2),
  });
}

const GRID = Float32Array.from([0, -2, 0.5, -1, 0.5000001, -0.9999999, 3, 0, -4, 7, 0.25, -1.5]);

describe('TreeEnsembleClassifier export', () => {
  it('matches onnxruntime for mixed-sign leaves, with splits at the exact thresholds', async () => {
    const model = handModel([stump(-0.4, 0.7, 1.1), stump(0.2, -0.3, -0.9)], -0.6);
    const bytes = exportGbdt(model, ['a', 'b'], { useCase: 'x' });
    const { probabilities } = await runOnnx(bytes, GRID, 6, 2);
    const ours = model.predict(GRID, 6);
    expect(maxAbsDiff(positiveColumn(probabilities), ours)).toBeLessThanOrEqual(1e-6);
    // x0 = 0.5 goes left (x <= t), 0.5000001 right.
    const sigma = (s: number) => 1 / (1 + Math.exp(-s));
    expect(ours[1]).toBeCloseTo(sigma(-0.6 - 0.4 + 0.2), 6);
    expect(ours[2]).toBeCloseTo(sigma(-0.6 + 1.1 - 0.9), 6);
  });

  it('applies the logistic even when every leaf weight is positive, and accepts single-leaf trees', async () => {
    const model = handModel([stump(0.1, 0.2, 0.3), leafOnly(0.05)], 0.4);
    const { probabilities } = await runOnnx(exportGbdt(model, ['a', 'b'], { useCase: 'x' }), GRID, 6, 2);
    expect(maxAbsDiff(positiveColumn(probabilities), model.predict(GRID, 6))).toBeLessThanOrEqual(1e-6);
    expect(model.predict(GRID, 6)[0]).toBeCloseTo(1 / (1 + Math.exp(-(0.4 + 0.1 + 0.05))), 6);
  });

  it('declares the platform input and outputs', () => {
    const decoded = decodeModel(exportGbdt(handModel([leafOnly(0.1)], 0), ['a', 'b'], { useCase: 'x' }));
    expect(Number(decoded.irVersion)).toBe(IR_VERSION);
    expect(decoded.opsetImport.map((o) => o.domain)).toEqual(['', ML_DOMAIN]);
    expect(decoded.graph?.input?.map((i) => i.name)).toEqual([MODEL_INPUT]);
    expect(decoded.graph?.output?.map((o) => o.name)).toEqual([MODEL_LABEL, MODEL_PROBABILITIES]);
    expect(decoded.graph?.node?.[0]?.opType).toBe('TreeEnsembleClassifier');
  });
});

describe('LinearClassifier export', () => {
  const model = createLogisticModel({
    params: { l2: 0, maxIterations: 1, tolerance: 1e-6 },
    coefficients: Float64Array.from([0.5, -1.5].map(Math.fround)),
    intercept: Math.fround(0.25),
    means: new Float64Array(2),
    stds: Float64Array.from([1, 1]),
    iterations: 0,
    converged: true,
    objective: 0,
  });

  it('outputs [1 - p, p] with p = σ(intercept + x·coefficients)', async () => {
    const { probabilities, labels } = await runOnnx(
      exportLogistic(model, ['a', 'b'], { useCase: 'x' }),
      GRID,
      6,
      2,
    );
    expect(maxAbsDiff(positiveColumn(probabilities), model.predict(GRID, 6))).toBeLessThanOrEqual(1e-6);
    expect(probabilities[1]).toBeCloseTo(1 / (1 + Math.exp(-(0.25 + 3))), 6);
    expect(probabilities[0]).toBeCloseTo(1 - (probabilities[1] as number), 6);
    expect(labels.length).toBe(6);
  });

  it('encodes byte-identically every time', () => {
    const a = exportLogistic(model, ['a', 'b'], { useCase: 'x', properties: { z: '1', y: '2' } });
    const b = exportLogistic(model, ['a', 'b'], { useCase: 'x', properties: { y: '2', z: '1' } });
    expect(sha256(a)).toBe(sha256(b));
    expect(() =>
      exportLogistic(model, ['a', 'b'], { useCase: 'x', properties: { algorithm: 'no' } }),
    ).toThrow(/reserved/);
  });
});
