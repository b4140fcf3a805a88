/** Grows one regression tree on gradient/hessian histograms (leaf-wise, best gain first). */

export interface TreeGrowthOptions {
  maxDepth: number;
  maxLeaves: number;
  minChildWeight: number;
  l2: number;
  learningRate: number;
}

/** A grown tree in node-creation order (root 0; children created in pairs, left first). */
export interface GrownTree {
  nodeCount: number;
  /** Split feature, -1 for leaves. */
  feature: Int32Array;
  /** Rows with bin code ≤ splitBin go left. */
  splitBin: Int32Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf weight (learning rate applied), 0 for internal nodes. */
  value: Float64Array;
  /** Sum of hessians of the rows that reached the node. */
  cover: Float64Array;
  /** Loss reduction of the node's split, 0 for leaves. */
  gain: Float64Array;
}

export interface TreeGrower {
  /**
   * Grows a tree on the rows in `rowIndex` (ascending; reordered in place) using only `features`.
   * `grad` and `hess` are indexed by row.
   */
  grow(grad: Float64Array, hess: Float64Array, rowIndex: Uint32Array, features: Int32Array): GrownTree;
}

interface Candidate {
  node: number;
  start: number;
  end: number;
  depth: number;
  sumG: number;
  sumH: number;
  hist: Float64Array | undefined;
  gain: number;
  feature: number;
  bin: number;
  leftG: number;
  leftH: number;
}

const MIN_GAIN = 1e-12;

/**
 * @param codes row-major bin codes, `rows × cols`
 * @param binCounts bins per feature
 */
export function createTreeGrower(
  codes: Uint8Array,
  cols: number,
  binCounts: Int32Array,
  options: TreeGrowthOptions,
): TreeGrower {
  const stride = binCounts.reduce((m, b) => Math.max(m, b), 1);
  const histSize = cols * stride * 2;
  const pool: Float64Array[] = [];
  const takeHist = (): Float64Array => pool.pop() ?? new Float64Array(histSize);
  const maxLeaves = Math.max(2, options.maxLeaves);
  const maxNodes = 2 * maxLeaves - 1;
  const { l2, learningRate, maxDepth } = options;
  const minChild = Math.max(options.minChildWeight, 1e-12);
  let scratch = new Uint32Array(0);

  return {
    grow(grad, hess, rowIndex, features) {
      const nf = features.length;
      const offsets = new Int32Array(nf);
      for (let k = 0; k < nf; k++) offsets[k] = (features[k] as number) * stride;
      if (scratch.length < rowIndex.length) scratch = new Uint32Array(rowIndex.length);

      const tree: GrownTree = {
        nodeCount: 1,
        feature: new Int32Array(maxNodes).fill(-1),
        splitBin: new Int32Array(maxNodes),
        left: new Int32Array(maxNodes).fill(-1),
        right: new Int32Array(maxNodes).fill(-1),
        value: new Float64Array(maxNodes),
        cover: new Float64Array(maxNodes),
        gain: new Float64Array(maxNodes),
      };

      const buildHist = (hist: Float64Array, start: number, end: number): void => {
        for (let k = 0; k < nf; k++) {
          const o = offsets[k] as number;
          hist.fill(0, o * 2, (o + (binCounts[features[k] as number] as number)) * 2);
        }
        for (let i = start; i < end; i++) {
          const r = rowIndex[i] as number;
          const g = grad[r] as number;
          const h = hess[r] as number;
          const base = r * cols;
          for (let k = 0; k < nf; k++) {
            const p = ((offsets[k] as number) + (codes[base + (features[k] as number)] as number)) << 1;
            hist[p] = (hist[p] as number) + g;
            hist[p + 1] = (hist[p + 1] as number) + h;
          }
        }
      };

      const subtract = (from: Float64Array, part: Float64Array): void => {
        for (let k = 0; k < nf; k++) {
          const o = (offsets[k] as number) * 2;
          const to = o + (binCounts[features[k] as number] as number) * 2;
          for (let p = o; p < to; p++) from[p] = (from[p] as number) - (part[p] as number);
        }
      };

      const findSplit = (c: Candidate): void => {
        c.gain = 0;
        c.feature = -1;
        const hist = c.hist;
        if (hist === undefined || c.depth >= maxDepth || c.sumH < 2 * minChild) return;
        const G = c.sumG;
        const H = c.sumH;
        const parentScore = (G * G) / (H + l2);
        for (let k = 0; k < nf; k++) {
          const f = features[k] as number;
          const nb = binCounts[f] as number;
          const o = (offsets[k] as number) * 2;
          let gl = 0;
          let hl = 0;
          for (let b = 0; b < nb - 1; b++) {
            gl += hist[o + 2 * b] as number;
            hl += hist[o + 2 * b + 1] as number;
            if (hl < minChild) continue;
            const hr = H - hl;
            if (hr < minChild) break;
            const gr = G - gl;
            const gain = 0.5 * ((gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore);
            if (gain > c.gain + MIN_GAIN) {
              c.gain = gain;
              c.feature = f;
              c.bin = b;
              c.leftG = gl;
              c.leftH = hl;
            }
          }
        }
      };

      const release = (c: Candidate): void => {
        if (c.hist !== undefined) pool.push(c.hist);
        c.hist = undefined;
      };

      let sumG = 0;
      let sumH = 0;
      for (let i = 0; i < rowIndex.length; i++) {
        const r = rowIndex[i] as number;
        sumG += grad[r] as number;
        sumH += hess[r] as number;
      }
      const root: Candidate = {
        node: 0,
        start: 0,
        end: rowIndex.length,
        depth: 0,
        sumG,
        sumH,
        hist: maxDepth > 0 ? takeHist() : undefined,
        gain: 0,
        feature: -1,
        bin: 0,
        leftG: 0,
        leftH: 0,
      };
      if (root.hist !== undefined) buildHist(root.hist, root.start, root.end);
      findSplit(root);
      const leaves: Candidate[] = [root];

      while (leaves.length < maxLeaves) {
        let bestIndex = -1;
        for (let i = 0; i < leaves.length; i++) {
          const c = leaves[i] as Candidate;
          if (c.feature >= 0 && (bestIndex < 0 || c.gain > (leaves[bestIndex] as Candidate).gain))
            bestIndex = i;
        }
        if (bestIndex < 0) break;
        const parent = leaves[bestIndex] as Candidate;

        // Stable partition of the parent's rows: left keeps order in place, right goes through scratch.
        const column = parent.feature;
        const bin = parent.bin;
        let wl = parent.start;
        let wr = 0;
        for (let i = parent.start; i < parent.end; i++) {
          const r = rowIndex[i] as number;
          if ((codes[r * cols + column] as number) <= bin) rowIndex[wl++] = r;
          else scratch[wr++] = r;
        }
        rowIndex.set(scratch.subarray(0, wr), wl);

        const leftNode = tree.nodeCount++;
        const rightNode = tree.nodeCount++;
        tree.feature[parent.node] = column;
        tree.splitBin[parent.node] = bin;
        tree.left[parent.node] = leftNode;
        tree.right[parent.node] = rightNode;
        tree.gain[parent.node] = parent.gain;

        const depth = parent.depth + 1;
        const make = (node: number, start: number, end: number, g: number, h: number): Candidate => ({
          node,
          start,
          end,
          depth,
          sumG: g,
          sumH: h,
          hist: undefined,
          gain: 0,
          feature: -1,
          bin: 0,
          leftG: 0,
          leftH: 0,
        });
        const left = make(leftNode, parent.start, wl, parent.leftG, parent.leftH);
        const right = make(rightNode, wl, parent.end, parent.sumG - parent.leftG, parent.sumH - parent.leftH);
        leaves.splice(bestIndex, 1, left, right);

        const mayGrow = depth < maxDepth && leaves.length < maxLeaves;
        if (mayGrow) {
          const [small, large] =
            left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
          small.hist = takeHist();
          buildHist(small.hist, small.start, small.end);
          large.hist = parent.hist;
          parent.hist = undefined;
          if (large.hist !== undefined) subtract(large.hist, small.hist);
          findSplit(left);
          findSplit(right);
          if (left.feature < 0) release(left);
          if (right.feature < 0) release(right);
        }
        release(parent);
      }

      for (const leaf of leaves) {
        tree.cover[leaf.node] = leaf.sumH;
        const denominator = leaf.sumH + l2;
        tree.value[leaf.node] = denominator > 0 ? (-leaf.sumG / denominator) * learningRate : 0;
        release(leaf);
      }
      fillInternalCovers(tree);
      return tree;
    },
  };
}

/** Internal covers are the sums of their children's (children always have higher ids). */
function fillInternalCovers(tree: GrownTree): void {
  for (let node = tree.nodeCount - 1; node >= 0; node--) {
    const l = tree.left[node] as number;
    if (l >= 0)
      tree.cover[node] = (tree.cover[l] as number) + (tree.cover[tree.right[node] as number] as number);
  }
}
