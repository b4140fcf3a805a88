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

/** Decile edges of a sample, duplicates collapsed. */
export function decileEdges(values: readonly number[]): number[] {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return [];
  const edges: number[] = [];
  for (const p of DECILES) {
    const q = quantileType7(finite, p);
    if (edges.length === 0 || q !== edges[edges.length - 1]) edges.push(q);
  }
  return edges;
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
  const present = values.filter((v): v is number => !isMissing(v));
  const edges = decileEdges(present);
  return countNumeric({ kind: 'numeric', name, edges, counts: [], missing: 0 }, values);
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
