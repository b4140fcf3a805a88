/**
 * Per-leaf TreeSHAP tables (tree-shap-table.ts) merged over small bottom subtrees ("blocks"). A leaf's table row
 * depends only on which of its path features the row satisfies; inside a block that is fixed by the mask
 * arriving at the block's root and by the outcomes of the block's own splits. So each block stores, for every
 * (mask, outcomes) pair, the summed contributions of all its leaves over the union of their features: a row
 * walks the trees down to the blocks only, evaluates each block's few splits into a bit pattern and adds one
 * precomputed vector. Same values as the per-leaf tables (summed in another order); less work per row.
 */
import type { ShapTree } from './tree-shap.js';
import type { TableTree } from './tree-shap-table.js';

/** Most entries one block may hold: blocks grow up the tree while they stay within it. */
const BLOCK_CAP = 4096;
/** Most splits evaluated inside one block (its outcomes index the table as bits). */
const MAX_BLOCK_SPLITS = 7;

/** The trees' upper nodes in pre-order (children after parents), ending in blocks. */
export interface BlockTables {
  readonly nodes: number;
  /** Per node: the block it ends in (−1: an internal split walked per row). */
  readonly block: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly trueChild: Int32Array;
  readonly falseChild: Int32Array;
  /** Bit of the node's feature on its path; `fresh` when the feature first appears at this node. */
  readonly bit: Int32Array;
  readonly fresh: Uint8Array;
  /** Per block: its splits in `splits*`, its features in `union`, its table in `table`. */
  readonly splitStart: Int32Array;
  readonly splitCount: Int32Array;
  readonly unionStart: Int32Array;
  readonly unionCount: Int32Array;
  readonly tableStart: Int32Array;
  readonly union: Int32Array;
  readonly table: Float64Array;
  /** A block's splits: as upper nodes, plain `x <= threshold` splits are compared inline (`inline` = 1). */
  readonly splitFeature: Int32Array;
  readonly splitThreshold: Float32Array;
  /** Per split (upper nodes first, then block splits): inline flag, and the tree and node for `goesTrue`. */
  readonly inline: Uint8Array;
  readonly treeOf: Int32Array;
  readonly nodeOf: Int32Array;
  readonly trees: readonly ShapTree[];
}

interface Shape {
  /** Internal nodes in the subtree, and its features not on the path above it. */
  splits: number[];
  fresh: number[];
}

function subtreeShape(tree: ShapTree, node: number, path: readonly number[]): Shape {
  const splits: number[] = [];
  const fresh: number[] = [];
  const visit = (n: number): void => {
    const t = tree.trueChild[n] as number;
    if (t < 0) return;
    splits.push(n);
    const f = tree.feature[n] as number;
    if (!path.includes(f) && !fresh.includes(f)) fresh.push(f);
    visit(t);
    visit(tree.falseChild[n] as number);
  };
  visit(node);
  return { splits, fresh };
}

interface Block {
  root: number;
  splits: number[];
  union: number[];
  table: Float64Array;
}

/** A leaf under a block root: the splits on its way down, and where its table's features sit in the union. */
interface LeafRoute {
  /** Per split on the way: its index among the block's splits, its path bit, whether it is fresh, the side taken. */
  split: number[];
  bit: number[];
  fresh: boolean[];
  trueSide: boolean[];
  tableStart: number;
  positions: Int32Array;
}

function leafRoutes(
  t: TableTree,
  root: number,
  path: readonly number[],
  shape: Shape,
  union: number[],
): LeafRoute[] {
  const { tree } = t;
  const position = new Map(union.map((f, i) => [f, i]));
  const splitIndex = new Map(shape.splits.map((n, i) => [n, i]));
  const routes: LeafRoute[] = [];
  const walk = (node: number, on: number[], steps: Omit<LeafRoute, 'tableStart' | 'positions'>): void => {
    const tc = tree.trueChild[node] as number;
    if (tc < 0) {
      const leaf = t.leafOf[node] as number;
      const fs = t.featureStart[leaf] as number;
      const features = t.features.subarray(fs, fs + (t.featureCount[leaf] as number));
      const positions = Int32Array.from(features, (f) => position.get(f) as number);
      routes.push({ ...steps, tableStart: t.tableStart[leaf] as number, positions });
      return;
    }
    const f = tree.feature[node] as number;
    const at = on.indexOf(f);
    const next = at >= 0 ? on : [...on, f];
    for (const side of [true, false]) {
      walk(side ? tc : (tree.falseChild[node] as number), next, {
        split: [...steps.split, splitIndex.get(node) as number],
        bit: [...steps.bit, 1 << (at >= 0 ? at : on.length)],
        fresh: [...steps.fresh, at < 0],
        trueSide: [...steps.trueSide, side],
      });
    }
  };
  walk(root, [...path], { split: [], bit: [], fresh: [], trueSide: [] });
  return routes;
}

/** Sums the leaf tables under `root` for every (mask at root, outcomes of the block's splits). */
function fillBlock(t: TableTree, root: number, path: readonly number[], shape: Shape): Block {
  const union = [...path, ...shape.fresh];
  const routes = leafRoutes(t, root, path, shape, union);
  const k = shape.splits.length;
  const u = union.length;
  const table = new Float64Array((1 << (path.length + k)) * u);
  for (let mask = 0; mask < 1 << path.length; mask++) {
    for (let outcomes = 0; outcomes < 1 << k; outcomes++) {
      const row = ((mask << k) | outcomes) * u;
      for (const route of routes) {
        // The leaf's mask: a split the record takes keeps (or, fresh, sets) its bit; the other side clears it.
        let leafMask = mask;
        for (let i = 0; i < route.split.length; i++) {
          const taken = ((outcomes >> (route.split[i] as number)) & 1) === 1;
          const bit = route.bit[i] as number;
          if (taken === route.trueSide[i]) leafMask = route.fresh[i] ? leafMask | bit : leafMask;
          else leafMask &= ~bit;
        }
        const d = route.positions.length;
        const base = route.tableStart + leafMask * d;
        for (let j = 0; j < d; j++) {
          const at = row + (route.positions[j] as number);
          table[at] = (table[at] as number) + (t.table[base + j] as number);
        }
      }
    }
  }
  return { root, splits: shape.splits, union, table };
}

interface Upper {
  tree: number;
  node: number;
  block: Block | undefined;
  bit: number;
  fresh: boolean;
  trueChild: number;
  falseChild: number;
}

/**
 * Compiles table trees into blocks. `thresholdOf(tree, node)` gives the threshold of a plain `x <= threshold`
 * split (NaN false), compared inline; other splits call the tree's `goesTrue`.
 */
export function compileBlocks(
  tables: readonly TableTree[],
  thresholdOf: (tree: number, node: number) => number | undefined,
  cap = BLOCK_CAP,
  maxSplits = MAX_BLOCK_SPLITS,
): BlockTables {
  const uppers: Upper[] = [];
  tables.forEach((t, index) => {
    const { tree } = t;
    const place = (node: number, path: number[]): number => {
      const at = uppers.length;
      const shape = subtreeShape(tree, node, path);
      const size = (1 << (path.length + shape.splits.length)) * (path.length + shape.fresh.length);
      const leaf = (tree.trueChild[node] as number) < 0;
      const upper: Upper = {
        tree: index,
        node,
        block: undefined,
        bit: 0,
        fresh: false,
        trueChild: -1,
        falseChild: -1,
      };
      uppers.push(upper);
      if (leaf || (shape.splits.length <= maxSplits && size <= cap)) {
        upper.block = fillBlock(t, node, path, shape);
        return at;
      }
      const f = tree.feature[node] as number;
      const seen = path.indexOf(f);
      upper.bit = 1 << (seen >= 0 ? seen : path.length);
      upper.fresh = seen < 0;
      const next = seen >= 0 ? path : [...path, f];
      upper.trueChild = place(tree.trueChild[node] as number, next);
      upper.falseChild = place(tree.falseChild[node] as number, next);
      return at;
    };
    place(0, []);
  });
  const blocks = uppers.flatMap((u) => (u.block === undefined ? [] : [u.block]));
  const n = uppers.length;
  const splitTotal = blocks.reduce((s, b) => s + b.splits.length, 0);
  const out = {
    nodes: n,
    block: new Int32Array(n).fill(-1),
    feature: new Int32Array(n),
    threshold: new Float32Array(n),
    trueChild: new Int32Array(n).fill(-1),
    falseChild: new Int32Array(n).fill(-1),
    bit: new Int32Array(n),
    fresh: new Uint8Array(n),
    splitStart: new Int32Array(blocks.length),
    splitCount: new Int32Array(blocks.length),
    unionStart: new Int32Array(blocks.length),
    unionCount: new Int32Array(blocks.length),
    tableStart: new Int32Array(blocks.length),
    union: new Int32Array(blocks.reduce((s, b) => s + b.union.length, 0)),
    table: new Float64Array(blocks.reduce((s, b) => s + b.table.length, 0)),
    splitFeature: new Int32Array(splitTotal),
    splitThreshold: new Float32Array(splitTotal),
    inline: new Uint8Array(n + splitTotal),
    treeOf: new Int32Array(n + splitTotal),
    nodeOf: new Int32Array(n + splitTotal),
    trees: tables.map((t) => t.tree),
  };
  const setSplit = (at: number, tree: number, node: number): number => {
    out.treeOf[at] = tree;
    out.nodeOf[at] = node;
    const threshold = thresholdOf(tree, node);
    if (threshold !== undefined) out.inline[at] = 1;
    return threshold ?? 0;
  };
  let b = 0;
  let split = 0;
  let union = 0;
  let table = 0;
  uppers.forEach((u, i) => {
    const tree = (tables[u.tree] as TableTree).tree;
    if (u.block === undefined) {
      out.feature[i] = tree.feature[u.node] as number;
      out.threshold[i] = setSplit(i, u.tree, u.node);
      out.trueChild[i] = u.trueChild;
      out.falseChild[i] = u.falseChild;
      out.bit[i] = u.bit;
      out.fresh[i] = u.fresh ? 1 : 0;
      return;
    }
    const block = u.block;
    out.block[i] = b;
    out.splitStart[b] = split;
    out.splitCount[b] = block.splits.length;
    for (const node of block.splits) {
      out.splitFeature[split] = tree.feature[node] as number;
      out.splitThreshold[split] = setSplit(n + split, u.tree, node);
      split++;
    }
    out.unionStart[b] = union;
    out.unionCount[b] = block.union.length;
    out.union.set(block.union, union);
    union += block.union.length;
    out.tableStart[b] = table;
    out.table.set(block.table, table);
    table += block.table.length;
    b++;
  });
  return out;
}

/**
 * Adds the SHAP values of every compiled tree for the row at `offset` into `phi[phiOffset ...]`. `masks` is
 * scratch of `nodes` entries, zero at every tree root (roots are never written).
 */
export function blockShap(
  c: BlockTables,
  x: ArrayLike<number>,
  offset: number,
  phi: Float64Array,
  phiOffset: number,
  masks: Int32Array,
): void {
  const { block, feature, threshold, trueChild, falseChild, bit, fresh, inline, treeOf, nodeOf, trees } = c;
  const { splitStart, splitCount, splitFeature, splitThreshold, unionStart, unionCount, tableStart } = c;
  const { union, table } = c;
  const n = c.nodes;
  for (let node = 0; node < n; node++) {
    const mask = masks[node] as number;
    const b = block[node] as number;
    if (b >= 0) {
      const k = splitCount[b] as number;
      const s0 = splitStart[b] as number;
      let outcomes = 0;
      for (let i = 0; i < k; i++) {
        const s = s0 + i;
        const goTrue =
          inline[n + s] === 1
            ? (x[offset + (splitFeature[s] as number)] as number) <= (splitThreshold[s] as number)
            : (trees[treeOf[n + s] as number] as ShapTree).goesTrue(x, offset, nodeOf[n + s] as number);
        if (goTrue) outcomes |= 1 << i;
      }
      const u = unionCount[b] as number;
      const us = unionStart[b] as number;
      const row = (tableStart[b] as number) + ((mask << k) | outcomes) * u;
      for (let j = 0; j < u; j++) {
        const f = phiOffset + (union[us + j] as number);
        phi[f] = (phi[f] as number) + (table[row + j] as number);
      }
      continue;
    }
    const goTrue =
      inline[node] === 1
        ? (x[offset + (feature[node] as number)] as number) <= (threshold[node] as number)
        : (trees[treeOf[node] as number] as ShapTree).goesTrue(x, offset, nodeOf[node] as number);
    const m = bit[node] as number;
    const tc = trueChild[node] as number;
    const fc = falseChild[node] as number;
    masks[goTrue ? tc : fc] = fresh[node] === 1 ? mask | m : mask;
    masks[goTrue ? fc : tc] = mask & ~m;
  }
}
