import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  attachCovers,
  binnedShap,
  binSplits,
  blockShap,
  buildTableTree,
  compileBlocks,
  flatShap,
  flattenTables,
  parseTreeEnsemble,
  type ShapTree,
  type TableTree,
} from '../../src/platform/explain/index.js';
import { ManifestSchema } from '../../src/platform/model/index.js';
import { createRng } from '../../src/platform/random/index.js';
import { USE_CASES } from '../../src/use_cases/index.js';

/** A random tree up to `depth` on `features` (repeats along a path likely); `x <= threshold`, NaN false. */
function randomTree(
  seed: number,
  depth: number,
  features: number,
): { tree: ShapTree; threshold: Float32Array } {
  const rng = createRng(seed);
  const nodes: { feature: number; t: number; f: number; value: number; cover: number; threshold: number }[] =
    [];
  const grow = (level: number): number => {
    const id = nodes.length;
    const node = { feature: 0, t: -1, f: -1, value: 0, cover: 0, threshold: 0 };
    nodes.push(node);
    if (level === depth || (level > 0 && rng.next() < 0.2)) {
      node.value = rng.next() * 4 - 2;
      node.cover = 1 + Math.floor(rng.next() * 50);
      return id;
    }
    node.feature = Math.floor(rng.next() * features);
    node.threshold = rng.next() * 2 - 1;
    node.t = grow(level + 1);
    node.f = grow(level + 1);
    node.cover = (nodes[node.t]?.cover as number) + (nodes[node.f]?.cover as number);
    return id;
  };
  grow(0);
  const threshold = Float32Array.from(nodes, (n) => n.threshold);
  const feature = Int32Array.from(nodes, (n) => n.feature);
  return {
    threshold,
    tree: {
      feature,
      trueChild: Int32Array.from(nodes, (n) => n.t),
      falseChild: Int32Array.from(nodes, (n) => n.f),
      value: Float64Array.from(nodes, (n) => n.value),
      cover: Float64Array.from(nodes, (n) => n.cover),
      maxDepth: depth,
      goesTrue: (x, offset, node) =>
        (x[offset + (feature[node] as number)] as number) <= (threshold[node] as number),
    },
  };
}

/** The tree's expected output when only `known` features are known (path-dependent), and Shapley by enumeration. */
function bruteForce(tree: ShapTree, x: ArrayLike<number>, width: number): Float64Array {
  const given = (known: Set<number>, node: number): number => {
    const t = tree.trueChild[node] as number;
    if (t < 0) return tree.value[node] as number;
    const f = tree.falseChild[node] as number;
    if (known.has(tree.feature[node] as number)) return given(known, tree.goesTrue(x, 0, node) ? t : f);
    const w = tree.cover[node] as number;
    return (
      ((tree.cover[t] as number) / w) * given(known, t) + ((tree.cover[f] as number) / w) * given(known, f)
    );
  };
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = new Float64Array(width);
  for (let i = 0; i < width; i++) {
    const others = [...Array(width).keys()].filter((j) => j !== i);
    for (let mask = 0; mask < 1 << others.length; mask++) {
      const known = new Set(others.filter((_, k) => (mask >> k) & 1));
      const weight = (fact(known.size) * fact(width - known.size - 1)) / fact(width);
      phi[i] = (phi[i] as number) + weight * (given(new Set(known).add(i), 0) - given(known, 0));
    }
  }
  return phi;
}

/** Block TreeSHAP of every row, walked with compares and (when all splits are plain) with ranked bins. */
function blockValues(
  tables: TableTree[],
  inline: (t: number, node: number) => number | undefined,
  cap: number,
  x: Float32Array,
  width: number,
  rows: number,
): { compared: Float64Array; binned: Float64Array | undefined } {
  const blocks = compileBlocks(tables, inline, cap);
  const masks = new Int32Array(blocks.nodes);
  const compared = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) blockShap(blocks, x, r * width, compared, r * width, masks);
  const bins = binSplits(blocks);
  if (bins === undefined) return { compared, binned: undefined };
  const binned = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) binnedShap(blocks, bins, x, r * width, binned, r * width, masks);
  return { compared, binned };
}

describe('TreeSHAP over merged subtree blocks', () => {
  it('equals brute-force Shapley values on small random trees, for every block size and split kind', () => {
    const width = 5;
    let compared = 0;
    for (let seed = 71; seed <= 100; seed++) {
      const { tree, threshold } = randomTree(seed, 1 + (seed % 6), width);
      const table = buildTableTree(tree, 1e6) as TableTree;
      const rng = createRng(3000 + seed);
      const x = Float32Array.from({ length: width * 3 }, () => rng.next() * 2.4 - 1.2);
      x[seed % width] = Number.NaN;
      // A value exactly on the root's threshold (ties go true).
      x[width + (tree.feature[0] as number)] = threshold[0] as number;
      const expected = [0, 1, 2].map((r) => bruteForce(tree, x.subarray(r * width, (r + 1) * width), width));
      // Inline comparisons, the tree's own goesTrue, and a mix; caps from leaf-only blocks to whole trees.
      const kinds = [
        (_: number, node: number) => threshold[node],
        () => undefined,
        (_: number, node: number) => (node % 2 === 0 ? threshold[node] : undefined),
      ];
      for (const inline of kinds) {
        for (const cap of [0, 16, 256, 1 << 14]) {
          const { compared: phi, binned } = blockValues([table], inline, cap, x, width, 3);
          // Ranked bins need every split plain; a tree with no split has nothing to rank.
          const plain = tree.trueChild.every((t, node) => t < 0 || inline(0, node) !== undefined);
          expect(binned === undefined).toBe(!plain);
          for (let r = 0; r < 3; r++)
            for (let j = 0; j < width; j++) {
              expect(phi[r * width + j]).toBeCloseTo(expected[r]?.[j] as number, 10);
              if (binned !== undefined)
                expect(binned[r * width + j]).toBeCloseTo(expected[r]?.[j] as number, 10);
            }
          compared++;
        }
      }
    }
    expect(compared).toBe(30 * 12);
  });

  it.each(USE_CASES.map((u) => u.name))(
    'equals the per-leaf tables on random records for the shipped %s model',
    (name) => {
      const manifest = ManifestSchema.parse(JSON.parse(readFileSync(`models/${name}/manifest.json`, 'utf8')));
      if (manifest.explainer?.kind !== 'tree') throw new Error('expected a tree model');
      const parsed = parseTreeEnsemble(new Uint8Array(readFileSync(`models/${name}/model.onnx`)));
      if (typeof parsed === 'string') throw new Error(parsed);
      expect(attachCovers(parsed, manifest.explainer.covers)).toBeUndefined();
      const tables = parsed.trees.map((tree) => buildTableTree(tree, 1e7) as TableTree);
      const inline = (t: number, node: number) => {
        const leq = tables[t]?.tree.leq;
        return leq !== undefined && leq.plain[node] === 1 ? (leq.threshold[node] as number) : undefined;
      };
      const width = parsed.width;
      const rows = 300;
      const rng = createRng(41);
      // Random records on wide scales, with missing values, so every branch of every tree is taken.
      const x = Float32Array.from({ length: rows * width }, () =>
        rng.next() < 0.05 ? Number.NaN : (rng.next() * 4 - 2) * (rng.next() < 0.5 ? 1 : 100),
      );
      const flat = flattenTables(tables, inline);
      const masks = new Int32Array(flat.nodes);
      const old = new Float64Array(rows * width);
      for (let r = 0; r < rows; r++) flatShap(flat, x, r * width, old, r * width, masks);
      const { compared, binned } = blockValues(tables, inline, 2048, x, width, rows);
      if (binned === undefined) throw new Error('the exporters write plain x <= threshold splits only');
      let worst = 0;
      for (let i = 0; i < old.length; i++) {
        const reference = old[i] as number;
        worst = Math.max(
          worst,
          Math.abs((compared[i] as number) - reference),
          Math.abs((binned[i] as number) - reference),
        );
      }
      expect(worst).toBeLessThanOrEqual(1e-12);
    },
  );
});
