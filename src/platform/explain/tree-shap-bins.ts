/**
 * Branch-free split outcomes for block TreeSHAP when every split is a plain `x <= threshold` (NaN false), as
 * in every model the exporters write. Each column's split thresholds are sorted once; a record's value becomes
 * its bin (how many of the column's thresholds lie below it) with one binary search per column, and every split
 * then reduces to the sign of `rank(threshold) − bin`, computed with integer arithmetic instead of a compare
 * and branch the CPU mispredicts half the time. Exact: `x <= t_r` holds iff fewer than r + 1 thresholds lie
 * below x.
 */
import type { BlockTables } from './tree-shap-blocks.js';

/** The bin of a missing value: above every rank, so every split sends it false. */
const NAN_BIN = 1 << 30;

export interface SplitBins {
  readonly width: number;
  /** Column f's distinct thresholds, ascending, are `thresholds[start[f] .. start[f + 1])`. */
  readonly start: Int32Array;
  readonly thresholds: Float64Array;
  /** Rank of each upper node's and each block split's threshold within its column. */
  readonly nodeRank: Int32Array;
  readonly splitRank: Int32Array;
  /** Per upper node: the bit its hot child sets (its feature's bit when fresh, else 0). */
  readonly hotBit: Int32Array;
  /**
   * Scratch (calls are synchronous, so one per explainer suffices): the record's bin per column, its table row
   * per block, and the rows' values gathered in `union` order.
   */
  readonly bins: Int32Array;
  readonly rows: Int32Array;
  readonly gathered: Float64Array;
}

/** Ranks every split of `c`, or returns undefined when some split is not a plain `x <= threshold`. */
export function binSplits(c: BlockTables): SplitBins | undefined {
  const n = c.nodes;
  const columns = new Map<number, Set<number>>();
  const note = (feature: number, threshold: number): void => {
    if (Number.isNaN(threshold)) return; // nothing is <= NaN: rank −1 sends every value false
    const set = columns.get(feature) ?? new Set<number>();
    set.add(threshold);
    columns.set(feature, set);
  };
  for (let node = 0; node < n; node++) {
    if ((c.block[node] as number) >= 0) continue;
    if (c.inline[node] !== 1) return undefined;
    note(c.feature[node] as number, c.threshold[node] as number);
  }
  for (let s = 0; s < c.splitFeature.length; s++) {
    if (c.inline[n + s] !== 1) return undefined;
    note(c.splitFeature[s] as number, c.splitThreshold[s] as number);
  }
  const width = Math.max(0, ...columns.keys()) + 1;
  const start = new Int32Array(width + 1);
  const sorted: number[][] = [];
  for (let f = 0; f < width; f++) {
    const list = [...(columns.get(f) ?? [])].sort((a, b) => a - b);
    sorted.push(list);
    start[f + 1] = (start[f] as number) + list.length;
  }
  const thresholds = Float64Array.from(sorted.flat());
  const rank = (feature: number, threshold: number): number =>
    (sorted[feature] as number[]).indexOf(threshold);
  const nodeRank = new Int32Array(n);
  const hotBit = new Int32Array(n);
  for (let node = 0; node < n; node++) {
    if ((c.block[node] as number) >= 0) continue;
    nodeRank[node] = rank(c.feature[node] as number, c.threshold[node] as number);
    hotBit[node] = c.fresh[node] === 1 ? (c.bit[node] as number) : 0;
  }
  const splitRank = Int32Array.from(c.splitFeature, (f, s) => rank(f, c.splitThreshold[s] as number));
  const rows = new Int32Array(c.splitCount.length);
  const gathered = new Float64Array(c.union.length);
  return {
    width,
    start,
    thresholds,
    nodeRank,
    splitRank,
    hotBit,
    bins: new Int32Array(width),
    rows,
    gathered,
  };
}

/** `blockShap` for trees whose splits are all ranked in `bins` (see `binSplits`). */
export function binnedShap(
  c: BlockTables,
  sb: SplitBins,
  x: ArrayLike<number>,
  offset: number,
  phi: Float64Array,
  phiOffset: number,
  masks: Int32Array,
): void {
  const { start, thresholds, bins, nodeRank, splitRank, hotBit } = sb;
  for (let f = 0; f < sb.width; f++) {
    const v = x[offset + f] as number;
    let lo = start[f] as number;
    let hi = start[f + 1] as number;
    if (Number.isNaN(v)) lo = NAN_BIN;
    else {
      const first = lo;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((thresholds[mid] as number) < v) lo = mid + 1;
        else hi = mid;
      }
      lo -= first;
    }
    bins[f] = lo;
  }
  // First every block's table row, then the sums (tables are megabytes; a request usually finds them cold).
  const { block, feature, trueChild, falseChild, bit, splitStart, splitCount, splitFeature } = c;
  // Blocks lay out their `union` features one after another in block order, as `gathered` does.
  const { unionCount, tableStart, union, table } = c;
  const rows = sb.rows;
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
        // 1 when bin <= rank, i.e. x <= threshold.
        outcomes |=
          ((((splitRank[s] as number) - (bins[splitFeature[s] as number] as number)) >>> 31) ^ 1) << i;
      }
      rows[b] = (tableStart[b] as number) + ((mask << k) | outcomes) * (unionCount[b] as number);
      continue;
    }
    const goTrue = (((nodeRank[node] as number) - (bins[feature[node] as number] as number)) >>> 31) ^ 1;
    const tc = trueChild[node] as number;
    const fc = falseChild[node] as number;
    const hot = fc + goTrue * (tc - fc);
    masks[hot] = mask | (hotBit[node] as number);
    masks[tc + fc - hot] = mask & ~(bit[node] as number);
  }
  // Gather, then add: copying the rows has no dependency between blocks, so their cache misses overlap;
  // adding straight into `phi` would chain each miss behind the previous add to the same feature.
  const gathered = sb.gathered;
  let at = 0;
  for (let b = 0; b < rows.length; b++) {
    const row = rows[b] as number;
    const u = unionCount[b] as number;
    for (let j = 0; j < u; j++) gathered[at++] = table[row + j] as number;
  }
  for (let i = 0; i < at; i++) {
    const f = phiOffset + (union[i] as number);
    phi[f] = (phi[f] as number) + (gathered[i] as number);
  }
}
