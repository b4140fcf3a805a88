import { RiskopsError } from '../errors/index.js';
import type { ParsedEnsemble } from './onnx-trees.js';
import { expectedValue, ShapScratch, type ShapTree, treeShap } from './tree-shap.js';
import { binnedShap, binSplits } from './tree-shap-bins.js';
import { blockShap, compileBlocks } from './tree-shap-blocks.js';
import { buildTableTree, type TableTree } from './tree-shap-table.js';

/** Table entries (float64) a model's explainer may precompute: 4M ≈ 32 MB; trees beyond it use the recursion. */
const TABLE_BUDGET = 4_000_000;

import { checkMatrix, type ModelExplainer } from './types.js';

/**
 * Attaches training covers (per tree, indexed by ONNX node id) to a parsed ensemble.
 * @returns why the covers do not fit, or undefined when they do.
 */
export function attachCovers(
  ensemble: ParsedEnsemble,
  covers: readonly (readonly number[])[],
): string | undefined {
  if (covers.length !== ensemble.trees.length)
    return `covers are stored for ${covers.length} trees but the graph has ${ensemble.trees.length}`;
  for (let t = 0; t < ensemble.trees.length; t++) {
    const tree = ensemble.trees[t] as ShapTree;
    const ids = ensemble.nodeIds[t] as number[];
    const stored = covers[t] as readonly number[];
    for (let i = 0; i < ids.length; i++) {
      const cover = stored[ids[i] as number];
      if (cover === undefined || !(cover > 0)) return `tree ${t} node ${ids[i]} has no positive cover`;
      tree.cover[i] = cover;
    }
  }
  return undefined;
}

/** Path-dependent TreeSHAP over an ensemble whose covers are attached; contributions sum with the base to the margin. */
export function createTreeExplainer(ensemble: ParsedEnsemble, width: number): ModelExplainer {
  const { trees } = ensemble;
  for (const tree of trees) {
    for (let i = 0; i < tree.feature.length; i++) {
      if ((tree.trueChild[i] as number) >= 0 && (tree.feature[i] as number) >= width)
        throw new RiskopsError(
          'contract_violation',
          `a tree splits on feature ${tree.feature[i]} of ${width}`,
        );
    }
  }
  const base = trees.reduce((sum, tree) => sum + expectedValue(tree), ensemble.base);
  const depth = Math.max(1, ...trees.map((t) => t.maxDepth)) + 1;
  const scratch = new ShapScratch(depth);
  let budget = TABLE_BUDGET;
  const tabled: TableTree[] = [];
  const recursive: ShapTree[] = [];
  for (const tree of trees) {
    const table = buildTableTree(tree, budget);
    if (table === undefined) recursive.push(tree);
    else {
      budget -= table.table.length;
      tabled.push(table);
    }
  }
  const inline = (t: number, node: number): number | undefined => {
    const leq = tabled[t]?.tree.leq;
    return leq !== undefined && leq.plain[node] === 1 ? (leq.threshold[node] as number) : undefined;
  };
  // Merged blocks trade table size for speed; past the budget, blocks of one leaf (the per-leaf tables) fit.
  let blocks = compileBlocks(tabled, inline);
  if (blocks.table.length > TABLE_BUDGET) blocks = compileBlocks(tabled, inline, 0);
  const bins = binSplits(blocks);
  const masks = new Int32Array(blocks.nodes);
  const check = (X: Float32Array, rows: number): void => checkMatrix(X, rows, width);
  return {
    kind: 'tree',
    space: ensemble.space,
    baseValue: base,
    contributions(X, rows) {
      check(X, rows);
      const phi = new Float64Array(rows * width);
      for (let r = 0; r < rows; r++) {
        if (bins === undefined) blockShap(blocks, X, r * width, phi, r * width, masks);
        else binnedShap(blocks, bins, X, r * width, phi, r * width, masks);
        for (const tree of recursive) treeShap(tree, X, r * width, phi, r * width, scratch);
      }
      return phi;
    },
    rawScores(X, rows) {
      check(X, rows);
      const out = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let sum = ensemble.base;
        for (const tree of trees) {
          let node = 0;
          while ((tree.trueChild[node] as number) >= 0) {
            node = tree.goesTrue(X, r * width, node)
              ? (tree.trueChild[node] as number)
              : (tree.falseChild[node] as number);
          }
          sum += tree.value[node] as number;
        }
        out[r] = sum;
      }
      return out;
    },
  };
}
