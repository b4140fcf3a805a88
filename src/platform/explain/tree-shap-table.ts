/**
 * Path-dependent TreeSHAP with per-leaf tables (the idea of Fast TreeSHAP v2, Yang 2021): a leaf's share of
 * each Shapley value depends only on which of the features on its path the row "satisfies" (follows at every
 * split on that feature). With d features on a path there are 2^d such sets, so every leaf's contributions
 * for every set are computed once when the model loads; explaining a row is then one walk over each tree.
 * Exact, and equal to the recursive algorithm; used when the tables stay small. The explainer walks these tables
 * merged into subtree blocks (tree-shap-blocks.ts); `flatShap` is the plain per-leaf walk they are checked against.
 */
import type { ShapTree } from './tree-shap.js';

export interface TableTree {
  readonly tree: ShapTree;
  /** Node → leaf ordinal (−1 on internal nodes). */
  readonly leafOf: Int32Array;
  /** Per leaf: where its features start in `features`, and how many there are. */
  readonly featureStart: Int32Array;
  readonly featureCount: Int8Array;
  readonly features: Int32Array;
  /** Per leaf: where its table starts; entry [mask · d + k] is feature k's contribution for that mask. */
  readonly tableStart: Int32Array;
  readonly table: Float64Array;
  readonly maxPath: number;
}

/** Shapley weight of a coalition of size s among d players: s!(d−s−1)!/d!. */
function weights(d: number): Float64Array {
  const fact = [1];
  for (let i = 1; i <= d; i++) fact.push((fact[i - 1] as number) * i);
  const w = new Float64Array(Math.max(d, 1));
  for (let s = 0; s < d; s++)
    w[s] = ((fact[s] as number) * (fact[d - s - 1] as number)) / (fact[d] as number);
  return w;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}

interface Leaf {
  node: number;
  features: number[];
  zero: number[];
}

function collectLeaves(tree: ShapTree): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (node: number, features: number[], zero: number[]): void => {
    const t = tree.trueChild[node] as number;
    if (t < 0) {
      leaves.push({ node, features: [...features], zero: [...zero] });
      return;
    }
    const f = tree.feature[node] as number;
    const at = features.indexOf(f);
    for (const child of [t, tree.falseChild[node] as number]) {
      const ratio = (tree.cover[child] as number) / (tree.cover[node] as number);
      if (at >= 0) {
        const z = [...zero];
        z[at] = (z[at] as number) * ratio;
        walk(child, features, z);
      } else walk(child, [...features, f], [...zero, ratio]);
    }
  };
  walk(0, [], []);
  return leaves;
}

/** Builds the tables, or returns undefined when they would hold more than `maxEntries` numbers. */
export function buildTableTree(tree: ShapTree, maxEntries: number): TableTree | undefined {
  const leaves = collectLeaves(tree);
  let size = 0;
  let featureTotal = 0;
  let maxPath = 0;
  for (const leaf of leaves) {
    const d = leaf.features.length;
    if (d > 20) return undefined;
    size += (1 << d) * d;
    featureTotal += d;
    maxPath = Math.max(maxPath, d);
    if (size > maxEntries) return undefined;
  }
  const leafOf = new Int32Array(tree.feature.length).fill(-1);
  const featureStart = new Int32Array(leaves.length);
  const featureCount = new Int8Array(leaves.length);
  const features = new Int32Array(featureTotal);
  const tableStart = new Int32Array(leaves.length);
  const table = new Float64Array(size);
  let fOffset = 0;
  let tOffset = 0;
  leaves.forEach((leaf, l) => {
    const d = leaf.features.length;
    const value = tree.value[leaf.node] as number;
    leafOf[leaf.node] = l;
    featureStart[l] = fOffset;
    featureCount[l] = d;
    features.set(leaf.features, fOffset);
    tableStart[l] = tOffset;
    const w = weights(d);
    const z = leaf.zero;
    const full = (1 << d) - 1;
    for (let mask = 0; mask <= full; mask++) {
      for (let k = 0; k < d; k++) {
        const bit = 1 << k;
        const inO = (mask & bit) !== 0;
        // Coalitions S ⊆ O \ {k}; the leaf's marginal for k is value·(o_k − z_k)·Π_{j∈S} 1·Π_{j∉S∪{k}} z_j.
        const allowed = mask & ~bit;
        let sum = 0;
        for (let s = allowed; ; s = (s - 1) & allowed) {
          let product = 1;
          for (let j = 0; j < d; j++) if (j !== k && (s & (1 << j)) === 0) product *= z[j] as number;
          sum += (w[popcount(s)] as number) * product;
          if (s === 0) break;
        }
        table[tOffset + mask * d + k] = value * ((inO ? 1 : 0) - (z[k] as number)) * sum;
      }
    }
    fOffset += d;
    tOffset += (full + 1) * d;
  });
  return { tree, leafOf, featureStart, featureCount, features, tableStart, table, maxPath };
}

/**
 * Many table trees flattened into one node array in pre-order (children after parents), so explaining a row is
 * one linear pass: each internal node passes its path mask to its children (the bit of its feature is fixed by
 * the node's position, so no path bookkeeping is needed per row), each leaf adds its table row.
 */
export interface FlatTables {
  readonly nodes: number;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  /** 1 when a node splits `x <= threshold` with NaN going false (the exporters' only mode): compared inline. */
  readonly inlineLeq: Uint8Array;
  readonly trueChild: Int32Array;
  readonly falseChild: Int32Array;
  /** Bit of the node's feature on its path; `fresh` when the feature first appears at this node. */
  readonly bit: Int32Array;
  readonly fresh: Uint8Array;
  /** Per node: the tree (index into `trees`) and, for leaves, the leaf ordinal (else −1). */
  readonly treeOf: Int32Array;
  readonly leafOf: Int32Array;
  readonly roots: Uint8Array;
  readonly trees: readonly TableTree[];
}

function pathBits(tree: ShapTree): { bit: Int32Array; fresh: Uint8Array } {
  const n = tree.feature.length;
  const bit = new Int32Array(n);
  const fresh = new Uint8Array(n);
  const visit = (node: number, path: number[]): void => {
    const t = tree.trueChild[node] as number;
    if (t < 0) return;
    const f = tree.feature[node] as number;
    const at = path.indexOf(f);
    bit[node] = 1 << (at >= 0 ? at : path.length);
    fresh[node] = at >= 0 ? 0 : 1;
    const next = at >= 0 ? path : [...path, f];
    visit(t, next);
    visit(tree.falseChild[node] as number, next);
  };
  visit(0, []);
  return { bit, fresh };
}

/** Flattens table trees; `leq(tree, node)` says whether a node is a plain `x <= threshold` split. */
export function flattenTables(
  trees: readonly TableTree[],
  thresholdOf: (tree: number, node: number) => number | undefined,
): FlatTables {
  const nodes = trees.reduce((n, t) => n + t.tree.feature.length, 0);
  const flat = {
    nodes,
    feature: new Int32Array(nodes),
    threshold: new Float32Array(nodes),
    inlineLeq: new Uint8Array(nodes),
    trueChild: new Int32Array(nodes).fill(-1),
    falseChild: new Int32Array(nodes).fill(-1),
    bit: new Int32Array(nodes),
    fresh: new Uint8Array(nodes),
    treeOf: new Int32Array(nodes),
    leafOf: new Int32Array(nodes).fill(-1),
    roots: new Uint8Array(nodes),
    trees,
  };
  let offset = 0;
  trees.forEach((t, index) => {
    const { tree } = t;
    const { bit, fresh } = pathBits(tree);
    const n = tree.feature.length;
    flat.roots[offset] = 1;
    for (let i = 0; i < n; i++) {
      const at = offset + i;
      flat.treeOf[at] = index;
      flat.leafOf[at] = t.leafOf[i] as number;
      const tc = tree.trueChild[i] as number;
      if (tc < 0) continue;
      flat.feature[at] = tree.feature[i] as number;
      flat.trueChild[at] = offset + tc;
      flat.falseChild[at] = offset + (tree.falseChild[i] as number);
      flat.bit[at] = bit[i] as number;
      flat.fresh[at] = fresh[i] as number;
      const threshold = thresholdOf(index, i);
      if (threshold !== undefined) {
        flat.threshold[at] = threshold;
        flat.inlineLeq[at] = 1;
      }
    }
    offset += n;
  });
  return flat;
}

/** Adds the SHAP values of every flattened tree for the row at `offset` into `phi[phiOffset ...]`. */
export function flatShap(
  flat: FlatTables,
  x: ArrayLike<number>,
  offset: number,
  phi: Float64Array,
  phiOffset: number,
  masks: Int32Array,
): void {
  const { feature, threshold, inlineLeq, trueChild, falseChild, bit, fresh, treeOf, leafOf, roots, trees } =
    flat;
  let treeBase = 0;
  for (let node = 0; node < flat.nodes; node++) {
    if (roots[node] === 1) {
      masks[node] = 0;
      treeBase = node;
    }
    const mask = masks[node] as number;
    const tc = trueChild[node] as number;
    if (tc < 0) {
      const t = trees[treeOf[node] as number] as TableTree;
      const leaf = leafOf[node] as number;
      const d = t.featureCount[leaf] as number;
      const fs = t.featureStart[leaf] as number;
      const base = (t.tableStart[leaf] as number) + mask * d;
      const table = t.table;
      const features = t.features;
      for (let k = 0; k < d; k++) {
        const f = phiOffset + (features[fs + k] as number);
        phi[f] = (phi[f] as number) + (table[base + k] as number);
      }
      continue;
    }
    const goTrue =
      inlineLeq[node] === 1
        ? (x[offset + (feature[node] as number)] as number) <= (threshold[node] as number)
        : (trees[treeOf[node] as number] as TableTree).tree.goesTrue(x, offset, node - treeBase);
    const b = bit[node] as number;
    const hotMask = fresh[node] === 1 ? mask | b : mask;
    const coldMask = mask & ~b;
    masks[goTrue ? tc : (falseChild[node] as number)] = hotMask;
    masks[goTrue ? (falseChild[node] as number) : tc] = coldMask;
  }
}
