import { describe, expect, it } from 'vitest';
import { isRiskopsError } from '../../src/platform/errors/index.js';
import {
  type GbdtTree,
  rocAuc,
  splitIndices,
  syntheticDataset,
  takeRows,
  trainGbdt,
  trainLogistic,
} from '../../src/platform/training/index.js';
import type { GbdtParams } from '../../src/platform/use-case/index.js';

const PARAMS: GbdtParams = {
  nEstimators: 60,
  learningRate: 0.2,
  maxDepth: 4,
  maxLeaves: 12,
  minChildWeight: 3,
  l2: 1,
  rowSubsample: 0.8,
  colSubsample: 0.8,
  maxBins: 32,
  earlyStoppingRounds: 10,
};

function depthOf(tree: GbdtTree, node = 0): number {
  const left = tree.left[node] as number;
  if (left < 0) return 0;
  return 1 + Math.max(depthOf(tree, left), depthOf(tree, tree.right[node] as number));
}

function splitData(shape: 'xor' | 'nonlinear', rows: number, cols: number, seed: number) {
  const data = syntheticDataset({ rows, cols, seed, shape });
  const split = splitIndices(rows, { validation: 0.2, holdout: 0.2 }, seed);
  return {
    train: takeRows(data.X, data.y, cols, split.train),
    validation: takeRows(data.X, data.y, cols, split.validation),
    holdout: takeRows(data.X, data.y, cols, split.holdout),
  };
}

describe('gradient-boosted trees', () => {
  it('learn an interaction (XOR) that logistic regression cannot', () => {
    const cols = 6;
    const { train, validation, holdout } = splitData('xor', 10_000, cols, 21);
    const gbdt = trainGbdt(train.X, train.y, train.rows, cols, PARAMS, 1, validation);
    const logistic = trainLogistic(train.X, train.y, train.rows, cols, {
      l2: 0.01,
      maxIterations: 50,
      tolerance: 1e-6,
    });
    const gbdtAuc = rocAuc(holdout.y, gbdt.predict(holdout.X, holdout.rows)) ?? 0;
    const logisticAuc = rocAuc(holdout.y, logistic.predict(holdout.X, holdout.rows)) ?? 0;
    expect(gbdtAuc).toBeGreaterThan(0.8);
    expect(logisticAuc).toBeLessThan(0.6);
    expect(gbdt.featureGains[0]).toBeGreaterThan(gbdt.featureGains[2] as number);
  });

  it('stop early when the validation loss stops improving, keeping the best round', () => {
    const cols = 8;
    const { train, validation } = splitData('nonlinear', 4_000, cols, 3);
    const params = {
      ...PARAMS,
      nEstimators: 400,
      learningRate: 0.5,
      maxDepth: 6,
      maxLeaves: 48,
      minChildWeight: 0.5,
    };
    const reported: [number, number | undefined][] = [];
    const model = trainGbdt(train.X, train.y, train.rows, cols, params, 7, validation, (round, loss) => {
      reported.push([round, loss]);
    });
    expect(reported.map(([round]) => round)).toEqual(Array.from({ length: model.rounds }, (_, i) => i + 1));
    expect(reported.map(([, loss]) => loss)).toEqual(model.validationLoss);
    expect(model.stoppedEarly).toBe(true);
    expect(model.rounds).toBeLessThan(params.nEstimators);
    expect(model.rounds - model.trees.length).toBe(params.earlyStoppingRounds);
    const best = model.validationLoss.indexOf(Math.min(...model.validationLoss));
    expect(model.trees.length).toBe(best + 1);
  });

  it('run every round without validation data', () => {
    const { train } = splitData('nonlinear', 2_000, 5, 4);
    const model = trainGbdt(train.X, train.y, train.rows, 5, { ...PARAMS, nEstimators: 25 }, 1);
    expect(model.trees).toHaveLength(25);
    expect(model.stoppedEarly).toBe(false);
    expect(model.validationLoss).toEqual([]);
  });

  it('respect depth, leaves and min child weight, and record covers for the explainer', () => {
    const cols = 8;
    const { train } = splitData('nonlinear', 6_000, cols, 5);
    const params = {
      ...PARAMS,
      nEstimators: 30,
      maxDepth: 3,
      maxLeaves: 6,
      minChildWeight: 20,
      colSubsample: 0.5,
    };
    const model = trainGbdt(train.X, train.y, train.rows, cols, params, 2);
    for (const tree of model.trees) {
      expect(depthOf(tree)).toBeLessThanOrEqual(3);
      const leaves = Array.from(tree.left).filter((l) => l < 0).length;
      expect(leaves).toBeLessThanOrEqual(6);
      const used = new Set<number>();
      for (let node = 0; node < tree.left.length; node++) {
        const left = tree.left[node] as number;
        if (left < 0) {
          expect(tree.covers[node]).toBeGreaterThanOrEqual(20);
          continue;
        }
        used.add(tree.featureIds[node] as number);
        expect(left).toBeGreaterThan(node);
        const sum = (tree.covers[left] as number) + (tree.covers[tree.right[node] as number] as number);
        expect(tree.covers[node]).toBeCloseTo(sum, 9);
        expect(Math.fround(tree.thresholds[node] as number)).toBe(tree.thresholds[node]);
      }
      expect(used.size).toBeLessThanOrEqual(4);
    }
    const explainer = model.explainer();
    expect(explainer.kind).toBe('tree');
    if (explainer.kind === 'tree') {
      expect(explainer.baseScore).toBe(model.baseScore);
      expect(explainer.covers.map((c) => c.length)).toEqual(model.trees.map((t) => t.left.length));
    }
  });

  it('start from the log-odds of the training positive rate', () => {
    const { train } = splitData('nonlinear', 3_000, 4, 6);
    let positives = 0;
    for (const v of train.y) positives += v;
    const rate = positives / train.rows;
    const model = trainGbdt(train.X, train.y, train.rows, 4, { ...PARAMS, nEstimators: 1 }, 1);
    expect(model.baseScore).toBeCloseTo(Math.log(rate / (1 - rate)), 6);
  });

  it('rejects bad params with every problem listed', () => {
    const X = new Float32Array(4);
    const y = Uint8Array.from([0, 1]);
    try {
      trainGbdt(X, y, 2, 2, { ...PARAMS, learningRate: 0, maxBins: 1000 }, 1);
      expect.unreachable();
    } catch (error) {
      expect(isRiskopsError(error, 'invalid_settings')).toBe(true);
      expect(String(error)).toMatch(/learningRate.*maxBins/);
    }
  });
});
