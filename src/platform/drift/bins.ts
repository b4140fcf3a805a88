import { z } from 'zod';

/** Frozen bins of one numeric quantity: decile edges (right-closed, open-ended) and a MISSING bin. */
export const NumericProfileSchema = z.object({
  kind: z.literal('numeric'),
  name: z.string(),
  edges: z.array(z.number()),
  /** `edges.length + 1` counts: (-inf, e0], (e0, e1], …, (e_last, +inf). */
  counts: z.array(z.number().int().nonnegative()),
  missing: z.number().int().nonnegative(),
});

/** Frozen bins of one categorical quantity: one per reference category, plus OTHER and MISSING. */
export const CategoricalProfileSchema = z.object({
  kind: z.literal('categorical'),
  name: z.string(),
  categories: z.array(z.string()),
  counts: z.array(z.number().int().nonnegative()),
  other: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
});

export const BinProfileSchema = z.discriminatedUnion('kind', [
  NumericProfileSchema,
  CategoricalProfileSchema,
]);
export type NumericProfile = z.infer<typeof NumericProfileSchema>;
export type CategoricalProfile = z.infer<typeof CategoricalProfileSchema>;
export type BinProfile = z.infer<typeof BinProfileSchema>;

const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Type-7 (linear) quantile of sorted values, numpy's default. */
export function quantileType7(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('quantile of an empty sample');
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (h - lo) * (b - a);
}

/**
 * Puts the order statistics at positions `ks` (sorted, within [lo, hi]) of `a` in place, as a full sort would,
 * by three-way quickselect on all of them at once: O(n log k) instead of a sort's O(n log n).
 */
function selectInPlace(a: Float64Array, lo: number, hi: number, ks: readonly number[]): void {
  while (ks.length > 0 && lo < hi) {
    const mid = lo + ((hi - lo) >> 1);
    // Median of three as the pivot.
    const x = a[lo] as number;
    const y = a[mid] as number;
    const z = a[hi] as number;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i] as number;
      if (v < pivot) {
        a[i] = a[lt] as number;
        a[lt++] = v;
        i++;
      } else if (v > pivot) {
        a[i] = a[gt] as number;
        a[gt--] = v;
      } else i++;
    }
    const below = ks.filter((k) => k < lt);
    const above = ks.filter((k) => k > gt);
    if (below.length > 0) selectInPlace(a, lo, lt - 1, below);
    lo = gt + 1;
    ks = above;
  }
}

/** Decile edges of the finite values of a column (type-7, duplicates collapsed); reorders `finite` in place. */
export function decileEdgesInPlace(finite: Float64Array): number[] {
  const n = finite.length;
  if (n === 0) return [];
  const positions = new Set<number>();
  for (const p of DECILES) {
    const lo = Math.floor((n - 1) * p);
    positions.add(lo);
    positions.add(Math.min(lo + 1, n - 1));
  }
  selectInPlace(
    finite,
    0,
    n - 1,
    [...positions].sort((a, b) => a - b),
  );
  const edges: number[] = [];
  for (const p of DECILES) {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const a = finite[lo] as number;
    const b = finite[Math.min(lo + 1, n - 1)] as number;
    const q = a + (h - lo) * (b - a);
    if (edges.length === 0 || q !== edges[edges.length - 1]) edges.push(q);
  }
  return edges;
}

/** Decile edges of a sample, duplicates collapsed. */
export function decileEdges(values: readonly number[]): number[] {
  return decileEdgesInPlace(Float64Array.from(values.filter((v) => Number.isFinite(v))));
}

/**
 * The numeric profile of a column (missing values as NaN or ±Infinity), its edges from the column itself:
 * the fast path for large reference samples (no boxing, no full sort).
 */
export function numericReferenceColumn(name: string, column: Float64Array): NumericProfile {
  const finite = new Float64Array(column.length);
  let n = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i] as number;
    if (Number.isFinite(v)) finite[n++] = v;
  }
  const edges = decileEdgesInPlace(finite.subarray(0, n));
  const sorted = Float64Array.from(edges);
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < column.length; i++) {
    const v = column[i] as number;
    if (Number.isFinite(v)) {
      const bin = numericBin(sorted, v);
      counts[bin] = (counts[bin] as number) + 1;
    }
  }
  return { kind: 'numeric', name, edges, counts, missing: column.length - n };
}

/** Index of the right-closed bin holding `x`: the first edge with x <= edge, else the open top bin. */
export function numericBin(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value));
}

/** Builds a numeric profile whose edges come from `values` themselves (the reference sample). */
export function numericReference(name: string, values: readonly (number | null)[]): NumericProfile {
  return numericReferenceColumn(
    name,
    Float64Array.from(values, (v) => (typeof v === 'number' ? v : Number.NaN)),
  );
}

/** Counts `values` into the frozen bins of `profile` (its counts are ignored). */
export function countNumeric(profile: NumericProfile, values: readonly (number | null)[]): NumericProfile {
  const counts = new Array<number>(profile.edges.length + 1).fill(0);
  let missing = 0;
  for (const v of values) {
    if (isMissing(v)) missing++;
    else {
      const i = numericBin(profile.edges, v as number);
      counts[i] = (counts[i] as number) + 1;
    }
  }
  return { ...profile, counts, missing };
}

export function categoricalReference(
  name: string,
  values: readonly (string | boolean | null)[],
): CategoricalProfile {
  const categories = [...new Set(values.filter((v) => !isMissing(v)).map(String))].sort();
  return countCategorical(
    { kind: 'categorical', name, categories, counts: [], other: 0, missing: 0 },
    values,
  );
}

export function countCategorical(
  profile: CategoricalProfile,
  values: readonly (string | boolean | null)[],
): CategoricalProfile {
  const index = new Map(profile.categories.map((c, i) => [c, i]));
  const counts = new Array<number>(profile.categories.length).fill(0);
  let other = 0;
  let missing = 0;
  for (const v of values) {
    if (isMissing(v)) {
      missing++;
      continue;
    }
    const i = index.get(String(v));
    if (i === undefined) other++;
    else counts[i] = (counts[i] as number) + 1;
  }
  return { ...profile, counts, other, missing };
}

/** All bin counts of a profile in a fixed order, MISSING last. */
export function binCounts(profile: BinProfile): number[] {
  return profile.kind === 'numeric'
    ? [...profile.counts, profile.missing]
    : [...profile.counts, profile.other, profile.missing];
}
