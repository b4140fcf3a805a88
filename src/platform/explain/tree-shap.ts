/**
 * Path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2): exact Shapley values of one tree's output
 * where a feature left out of a coalition follows both children weighted by their training cover.
 * O(leaves × depth²) per tree and record; all scratch space is preallocated.
 */

/** One regression tree in node order. `goesTrue(x, node)` decides internal nodes; leaves have `trueChild < 0`. */
export interface ShapTree {
  readonly feature: Int32Array;
  readonly trueChild: Int32Array;
  readonly falseChild: Int32Array;
  /** Leaf values (0 on internal nodes). */
  readonly value: Float64Array;
  /** Training cover per node (rows or hessian weight that reached it). */
  readonly cover: Float64Array;
  readonly maxDepth: number;
  goesTrue(x: ArrayLike<number>, offset: number, node: number): boolean;
  /** Where `plain[node]` is 1 the split is exactly `x <= threshold[node]` (NaN false), so it can be inlined. */
  readonly leq?: { threshold: Float32Array; plain: Uint8Array };
}

/** The tree's output when no feature is known: leaves weighted by the product of cover fractions on their path. */
export function expectedValue(tree: ShapTree, node = 0): number {
  const t = tree.trueChild[node] as number;
  if (t < 0) return tree.value[node] as number;
  const f = tree.falseChild[node] as number;
  const w = tree.cover[node] as number;
  return (
    ((tree.cover[t] as number) / w) * expectedValue(tree, t) +
    ((tree.cover[f] as number) / w) * expectedValue(tree, f)
  );
}

/** Reusable scratch for paths up to `maxDepth` splits. */
export class ShapScratch {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;
  constructor(maxDepth: number) {
    const size = ((maxDepth + 2) * (maxDepth + 3)) / 2 + 2;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }
}

function extend(s: ShapScratch, p: number, depth: number, zero: number, one: number, feature: number): void {
  s.feature[p + depth] = feature;
  s.zero[p + depth] = zero;
  s.one[p + depth] = one;
  s.weight[p + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    s.weight[p + i + 1] =
      (s.weight[p + i + 1] as number) + (one * (s.weight[p + i] as number) * (i + 1)) / (depth + 1);
    s.weight[p + i] = (zero * (s.weight[p + i] as number) * (depth - i)) / (depth + 1);
  }
}

function unwind(s: ShapScratch, p: number, depth: number, index: number): void {
  const one = s.one[p + index] as number;
  const zero = s.zero[p + index] as number;
  let next = s.weight[p + depth] as number;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = s.weight[p + i] as number;
      s.weight[p + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - ((s.weight[p + i] as number) * zero * (depth - i)) / (depth + 1);
    } else {
      s.weight[p + i] = ((s.weight[p + i] as number) * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    s.feature[p + i] = s.feature[p + i + 1] as number;
    s.zero[p + i] = s.zero[p + i + 1] as number;
    s.one[p + i] = s.one[p + i + 1] as number;
  }
}

function unwoundSum(s: ShapScratch, p: number, depth: number, index: number): number {
  const one = s.one[p + index] as number;
  const zero = s.zero[p + index] as number;
  let next = s.weight[p + depth] as number;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = (s.weight[p + i] as number) - (tmp * zero * (depth - i)) / (depth + 1);
    } else {
      total += (s.weight[p + i] as number) / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

function recurse(
  tree: ShapTree,
  x: ArrayLike<number>,
  offset: number,
  phi: Float64Array,
  phiOffset: number,
  s: ShapScratch,
  node: number,
  parentP: number,
  depth: number,
  zero: number,
  one: number,
  feature: number,
): void {
  // This level's path starts after the parent's (which holds at most `depth` + 1 elements).
  const p = parentP + depth + 1;
  for (let i = 0; i < depth; i++) {
    s.feature[p + i] = s.feature[parentP + i] as number;
    s.zero[p + i] = s.zero[parentP + i] as number;
    s.one[p + i] = s.one[parentP + i] as number;
    s.weight[p + i] = s.weight[parentP + i] as number;
  }
  extend(s, p, depth, zero, one, feature);
  const hotCandidate = tree.trueChild[node] as number;
  if (hotCandidate < 0) {
    const leaf = tree.value[node] as number;
    for (let i = 1; i <= depth; i++) {
      const w = unwoundSum(s, p, depth, i);
      const f = s.feature[p + i] as number;
      phi[phiOffset + f] =
        (phi[phiOffset + f] as number) + w * ((s.one[p + i] as number) - (s.zero[p + i] as number)) * leaf;
    }
    return;
  }
  const split = tree.feature[node] as number;
  const goTrue = tree.goesTrue(x, offset, node);
  const hot = goTrue ? hotCandidate : (tree.falseChild[node] as number);
  const cold = goTrue ? (tree.falseChild[node] as number) : hotCandidate;
  const w = tree.cover[node] as number;
  let incomingZero = 1;
  let incomingOne = 1;
  let d = depth;
  let k = 0;
  for (; k <= d; k++) if (s.feature[p + k] === split) break;
  if (k <= d) {
    incomingZero = s.zero[p + k] as number;
    incomingOne = s.one[p + k] as number;
    unwind(s, p, d, k);
    d -= 1;
  }
  recurse(
    tree,
    x,
    offset,
    phi,
    phiOffset,
    s,
    hot,
    p,
    d + 1,
    ((tree.cover[hot] as number) / w) * incomingZero,
    incomingOne,
    split,
  );
  recurse(
    tree,
    x,
    offset,
    phi,
    phiOffset,
    s,
    cold,
    p,
    d + 1,
    ((tree.cover[cold] as number) / w) * incomingZero,
    0,
    split,
  );
}

/**
 * Adds the tree's SHAP values for the row of `x` at `offset` into `phi[phiOffset ...]`.
 * Their sum equals the tree's output at x minus `expectedValue(tree)`.
 */
export function treeShap(
  tree: ShapTree,
  x: ArrayLike<number>,
  offset: number,
  phi: Float64Array,
  phiOffset: number,
  scratch: ShapScratch,
): void {
  recurse(tree, x, offset, phi, phiOffset, scratch, 0, 0, 0, 1, 1, -1);
}
