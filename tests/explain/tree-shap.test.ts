import { describe, expect, it } from 'vitest';
import {
  attachCovers,
  buildTableTree,
  createTreeExplainer,
  expectedValue,
  flatShap,
  flattenTables,
  parseTreeEnsemble,
  ShapScratch,
  type ShapTree,
  treeShap,
} from '../../src/platform/explain/index.js';
import { exportGbdt } from '../../src/platform/onnx/index.js';
import { createRng } from '../../src/platform/random/index.js';
import { syntheticDataset, trainGbdt } from '../../src/platform/training/index.js';

interface Built {
  tree: ShapTree;
  threshold: Float64Array;
}

/** A random binary tree up to `depth`, splitting on `features` (repeats along a path are likely). */
function randomTree(seed: number, depth: number, features: number): Built {
  const rng = createRng(seed);
  const feature: number[] = [];
  const trueChild: number[] = [];
  const falseChild: number[] = [];
  const value: number[] = [];
  const cover: number[] = [];
  const threshold: number[] = [];
  const grow = (level: number): number => {
    const id = feature.length;
    feature.push(0);
    trueChild.push(-1);
    falseChild.push(-1);
    value.push(0);
    cover.push(0);
    threshold.push(0);
    if (level === depth || (level > 0 && rng.next() < 0.2)) {
      value[id] = rng.next() * 4 - 2;
      cover[id] = 1 + Math.floor(rng.next() * 50);
      return id;
    }
    feature[id] = Math.floor(rng.next() * features);
    threshold[id] = rng.next() * 2 - 1;
    const t = grow(level + 1);
    const f = grow(level + 1);
    trueChild[id] = t;
    falseChild[id] = f;
    cover[id] = (cover[t] as number) + (cover[f] as number);
    return id;
  };
  grow(0);
  const th = Float64Array.from(threshold);
  const tree: ShapTree = {
    feature: Int32Array.from(feature),
    trueChild: Int32Array.from(trueChild),
    falseChild: Int32Array.from(falseChild),
    value: Float64Array.from(value),
    cover: Float64Array.from(cover),
    maxDepth: depth,
    goesTrue: (x, offset, node) => (x[offset + (feature[node] as number)] as number) <= (th[node] as number),
  };
  return { tree, threshold: th };
}

/** The tree's expected output when only the features in `known` are known (path-dependent). */
function valueGiven(tree: ShapTree, x: ArrayLike<number>, known: Set<number>, node = 0): number {
  const t = tree.trueChild[node] as number;
  if (t < 0) return tree.value[node] as number;
  const f = tree.falseChild[node] as number;
  if (known.has(tree.feature[node] as number))
    return valueGiven(tree, x, known, tree.goesTrue(x, 0, node) ? t : f);
  const w = tree.cover[node] as number;
  return (
    ((tree.cover[t] as number) / w) * valueGiven(tree, x, known, t) +
    ((tree.cover[f] as number) / w) * valueGiven(tree, x, known, f)
  );
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** Exact Shapley values by enumerating every coalition. */
function bruteForceShapley(tree: ShapTree, x: ArrayLike<number>, width: number): Float64Array {
  const phi = new Float64Array(width);
  for (let i = 0; i < width; i++) {
    const others = [...Array(width).keys()].filter((j) => j !== i);
    for (let mask = 0; mask < 1 << others.length; mask++) {
      const known = new Set(others.filter((_, k) => (mask >> k) & 1));
      const weight = (factorial(known.size) * factorial(width - known.size - 1)) / factorial(width);
      const withI = new Set(known).add(i);
      phi[i] = (phi[i] as number) + weight * (valueGiven(tree, x, withI) - valueGiven(tree, x, known));
    }
  }
  return phi;
}

function outputOf(tree: ShapTree, x: ArrayLike<number>): number {
  let node = 0;
  while ((tree.trueChild[node] as number) >= 0)
    node = tree.goesTrue(x, 0, node) ? (tree.trueChild[node] as number) : (tree.falseChild[node] as number);
  return tree.value[node] as number;
}

describe('path-dependent TreeSHAP', () => {
  it('equals brute-force Shapley values on small random trees (repeated splits included)', () => {
    const width = 5;
    let compared = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { tree } = randomTree(seed, 1 + (seed % 5), width);
      const rng = createRng(1000 + seed);
      for (let sample = 0; sample < 5; sample++) {
        const x = Float64Array.from({ length: width }, () => rng.next() * 2.4 - 1.2);
        const phi = new Float64Array(width);
        treeShap(tree, x, 0, phi, 0, new ShapScratch(tree.maxDepth + 1));
        const expected = bruteForceShapley(tree, x, width);
        for (let j = 0; j < width; j++) expect(phi[j]).toBeCloseTo(expected[j] as number, 10);
        const total = phi.reduce((a, b) => a + b, 0);
        expect(total + expectedValue(tree)).toBeCloseTo(outputOf(tree, x), 10);
        compared++;
      }
    }
    expect(compared).toBe(200);
  });

  it('the per-leaf tables give the same values as brute force (repeated splits included)', () => {
    const width = 5;
    for (let seed = 41; seed <= 70; seed++) {
      const { tree } = randomTree(seed, 1 + (seed % 6), width);
      const table = buildTableTree(tree, 1e6);
      if (table === undefined) throw new Error('table too large');
      const flat = flattenTables([table], () => undefined);
      const rng = createRng(2000 + seed);
      for (let sample = 0; sample < 4; sample++) {
        const x = Float64Array.from({ length: width }, () => rng.next() * 2.4 - 1.2);
        const phi = new Float64Array(width);
        flatShap(flat, x, 0, phi, 0, new Int32Array(flat.nodes));
        const expected = bruteForceShapley(tree, x, width);
        for (let j = 0; j < width; j++) expect(phi[j]).toBeCloseTo(expected[j] as number, 10);
      }
    }
    expect(buildTableTree(randomTree(3, 6, 5).tree, 10)).toBeUndefined();
  });

  it('gives no credit to a feature the tree never splits on', () => {
    const { tree } = randomTree(7, 4, 3);
    const phi = new Float64Array(6);
    treeShap(tree, [0.1, -0.3, 0.5, 9, 9, 9], 0, phi, 0, new ShapScratch(5));
    expect([phi[3], phi[4], phi[5]]).toEqual([0, 0, 0]);
  });

  it('on trees read back from exported ONNX equals brute force, and adds up to the margin', () => {
    const cols = 6;
    const data = syntheticDataset({ rows: 3000, cols, seed: 5, shape: 'nonlinear' });
    const params = {
      nEstimators: 8,
      learningRate: 0.3,
      maxDepth: 3,
      maxLeaves: 8,
      minChildWeight: 2,
      l2: 1,
      rowSubsample: 1,
      colSubsample: 1,
      maxBins: 32,
      earlyStoppingRounds: 0,
    };
    const model = trainGbdt(data.X, data.y, data.rows, cols, params, 3);
    const bytes = exportGbdt(model, ['a', 'b', 'c', 'd', 'e', 'f'], { useCase: 'test_case' });
    const parsed = parseTreeEnsemble(bytes);
    if (typeof parsed === 'string') throw new Error(parsed);
    const explainer = model.explainer();
    if (explainer.kind !== 'tree') throw new Error('expected a tree explainer');
    expect(attachCovers(parsed, explainer.covers)).toBeUndefined();
    const shap = createTreeExplainer(parsed, cols);
    const rows = 50;
    const X = data.X.subarray(0, rows * cols);
    const phi = shap.contributions(X, rows);
    const margins = model.predictMargin(X, rows);
    for (let r = 0; r < rows; r++) {
      const x = X.subarray(r * cols, (r + 1) * cols);
      let sum = shap.baseValue;
      for (let j = 0; j < cols; j++) sum += phi[r * cols + j] as number;
      expect(Math.abs(sum - (margins[r] as number))).toBeLessThanOrEqual(1e-5);
      if (r < 5) {
        const expected = new Float64Array(cols);
        for (const tree of parsed.trees) {
          const one = bruteForceShapley(tree, x, cols);
          for (let j = 0; j < cols; j++) expected[j] = (expected[j] as number) + (one[j] as number);
        }
        for (let j = 0; j < cols; j++) expect(phi[r * cols + j]).toBeCloseTo(expected[j] as number, 9);
      }
    }
  });

  it('refuses covers that do not fit the graph', () => {
    const model = trainGbdt(
      syntheticDataset({ rows: 500, cols: 3, seed: 1, shape: 'linear' }).X,
      syntheticDataset({ rows: 500, cols: 3, seed: 1, shape: 'linear' }).y,
      500,
      3,
      {
        nEstimators: 3,
        learningRate: 0.3,
        maxDepth: 2,
        maxLeaves: 4,
        minChildWeight: 1,
        l2: 1,
        rowSubsample: 1,
        colSubsample: 1,
        maxBins: 16,
        earlyStoppingRounds: 0,
      },
      1,
    );
    const parsed = parseTreeEnsemble(exportGbdt(model, ['a', 'b', 'c'], { useCase: 't' }));
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(attachCovers(parsed, [[1, 2, 3]])).toMatch(/covers are stored for 1 trees/);
  });
});
