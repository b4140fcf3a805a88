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

const BUCKETS = 1 << 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Type-7 quantiles at the deciles from a rank → value lookup over `n` values, duplicates collapsed. */
function decilesFrom(n: number, at: (rank: number) => number): number[] {
  const edges: number[] = [];
  if (n === 0) return edges;
  for (const p of DECILES) {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const a = at(lo);
    const b = at(Math.min(lo + 1, n - 1));
    const q = a + (h - lo) * (b - a);
    if (edges.length === 0 || q !== edges[edges.length - 1]) edges.push(q);
  }
  return edges;
}

/**
 * Decile edges and bin counts of a column (NaN and ±Infinity are missing), exactly as sorting would give
 * them, in two linear passes. Pass one: a histogram over the top 16 bits of each double's order-preserving
 * bit pattern (sign, exponent, 4 mantissa bits: log-scale buckets), one sample value per bucket. Only the
 * few buckets holding a rank the deciles need are gathered (pass two) and sorted. Every other bucket lies
 * inside one bin — an edge is an order statistic of a gathered bucket or between two adjacent ones, with
 * nothing in between — so its whole count goes to the bin of its sample.
 */
function numericColumnProfile(column: Float64Array): { edges: number[]; counts: number[]; missing: number } {
  const words = new Uint32Array(column.buffer, column.byteOffset, column.length * 2);
  const hiOffset = LITTLE_ENDIAN ? 1 : 0;
  const histogram = new Uint32Array(BUCKETS);
  const sample = new Float64Array(BUCKETS);
  let missing = 0;
  for (let i = 0; i < column.length; i++) {
    const hi = words[2 * i + hiOffset] as number;
    if ((hi & 0x7ff00000) === 0x7ff00000) {
      missing++; // NaN or ±Infinity
      continue;
    }
    const bucket = hi >>> 31 === 1 ? ~hi >>> 16 : (hi >>> 16) ^ 0x8000;
    histogram[bucket] = (histogram[bucket] as number) + 1;
    sample[bucket] = column[i] as number;
  }
  const n = column.length - missing;
  const ranks = new Set<number>();
  if (n > 0) {
    for (const p of DECILES) {
      const lo = Math.floor((n - 1) * p);
      ranks.add(lo).add(Math.min(lo + 1, n - 1));
    }
  }
  const wanted = [...ranks].sort((a, b) => a - b);
  const slotOf = new Int32Array(BUCKETS).fill(-1);
  const slots: { start: number; values: Float64Array; filled: number }[] = [];
  const rankSlot = new Map<number, number>();
  let below = 0;
  let next = 0;
  for (let b = 0; b < BUCKETS && next < wanted.length; b++) {
    const size = histogram[b] as number;
    while (next < wanted.length && (wanted[next] as number) < below + size) {
      if (slotOf[b] === -1) {
        slotOf[b] = slots.length;
        slots.push({ start: below, values: new Float64Array(size), filled: 0 });
      }
      rankSlot.set(wanted[next] as number, slotOf[b] as number);
      next++;
    }
    below += size;
  }
  if (slots.length > 0) {
    for (let i = 0; i < column.length; i++) {
      const hi = words[2 * i + hiOffset] as number;
      if ((hi & 0x7ff00000) === 0x7ff00000) continue;
      const slot = slotOf[hi >>> 31 === 1 ? ~hi >>> 16 : (hi >>> 16) ^ 0x8000] as number;
      if (slot !== -1) {
        const entry = slots[slot] as (typeof slots)[number];
        entry.values[entry.filled++] = column[i] as number;
      }
    }
  }
  for (const entry of slots) entry.values.sort();
  const edges = decilesFrom(n, (rank) => {
    const entry = slots[rankSlot.get(rank) as number] as (typeof slots)[number];
    return entry.values[rank - entry.start] as number;
  });
  const sortedEdges = Float64Array.from(edges);
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let b = 0; b < BUCKETS; b++) {
    const size = histogram[b] as number;
    if (size === 0 || slotOf[b] !== -1) continue;
    const bin = numericBin(sortedEdges, sample[b] as number);
    counts[bin] = (counts[bin] as number) + size;
  }
  for (const entry of slots) {
    for (let i = 0; i < entry.values.length; i++) {
      const bin = numericBin(sortedEdges, entry.values[i] as number);
      counts[bin] = (counts[bin] as number) + 1;
    }
  }
  return { edges, counts, missing };
}

/** Decile edges of a sample, duplicates collapsed. */
export function decileEdges(values: readonly number[]): number[] {
  return numericColumnProfile(Float64Array.from(values)).edges;
}

/**
 * The numeric profile of a column (missing values as NaN or ±Infinity), its edges from the column itself:
 * the fast path for large reference samples (no boxing, no full sort).
 */
export function numericReferenceColumn(name: string, column: Float64Array): NumericProfile {
  return { kind: 'numeric', name, ...numericColumnProfile(column) };
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

/** Builds a categorical profile whose categories are the values seen in `values` (one counting pass). */
export function categoricalReference(
  name: string,
  values: readonly (string | boolean | null)[],
): CategoricalProfile {
  const seen = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === null || v === undefined) missing++;
    else {
      const key = typeof v === 'string' ? v : String(v);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  const categories = [...seen.keys()].sort();
  return {
    kind: 'categorical',
    name,
    categories,
    counts: categories.map((c) => seen.get(c) ?? 0),
    other: 0,
    missing,
  };
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
