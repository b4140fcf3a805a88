import { RiskopsError } from '../errors/index.js';
import type { FeaturePipeline, InputColumns } from '../features/index.js';
import { type Manifest, sha256Hex } from '../model/index.js';
import { type BinProfile, binCounts, numericBin } from './bins.js';

/**
 * Where each quantity's bins sit in one flat count vector: every feature's frozen bins (numeric: decile bins
 * then MISSING; categorical: one per reference category, OTHER, MISSING), then the score's. Two count vectors
 * with the same `referenceHash` share one layout and add element-wise.
 */
export interface DriftLayout {
  /** sha256 of the manifest's reference profile: the binning the counts are in. */
  referenceHash: string;
  /** Features in pipeline order, then the score. */
  profiles: readonly BinProfile[];
  offsets: readonly number[];
  /** Total bins. */
  length: number;
}

/** Counts of one writer (or of a merge): rows and one flat vector in a layout. */
export interface CountVector {
  referenceHash: string;
  rows: number;
  counts: number[];
}

export function referenceHash(reference: Manifest['reference']): string {
  return sha256Hex(JSON.stringify(reference));
}

export function driftLayout(reference: Manifest['reference']): DriftLayout {
  const profiles = [...reference.features, reference.score];
  const offsets: number[] = [];
  let length = 0;
  for (const profile of profiles) {
    offsets.push(length);
    length += binCounts(profile).length;
  }
  return { referenceHash: referenceHash(reference), profiles, offsets, length };
}

/** The bins of profile `index` cut out of a flat vector. */
export function sliceBins(layout: DriftLayout, counts: ArrayLike<number>, index: number): number[] {
  const start = layout.offsets[index] as number;
  const end = index + 1 < layout.offsets.length ? (layout.offsets[index + 1] as number) : layout.length;
  return Array.from({ length: end - start }, (_, i) => counts[start + i] as number);
}

export function emptyCounts(layout: DriftLayout): CountVector {
  return { referenceHash: layout.referenceHash, rows: 0, counts: new Array<number>(layout.length).fill(0) };
}

/**
 * Adds `b` into `a` (exact: integer counts).
 * @throws RiskopsError `contract_violation` when the two were counted in different binnings.
 */
export function addCounts(a: CountVector, b: CountVector): CountVector {
  if (a.referenceHash !== b.referenceHash || a.counts.length !== b.counts.length) {
    throw new RiskopsError(
      'contract_violation',
      `Cannot merge drift counts of reference ${b.referenceHash.slice(0, 12)} into ${a.referenceHash.slice(0, 12)}`,
    );
  }
  for (let i = 0; i < a.counts.length; i++) a.counts[i] = (a.counts[i] as number) + (b.counts[i] as number);
  a.rows += b.rows;
  return a;
}

/**
 * Counts validated records and their scores into a model's frozen bins. `columns`, when the caller kept them
 * while encoding (`encodeRecords`), are the records' raw input values, read instead of computing them again.
 */
export type BinCounter = (
  records: readonly Record<string, unknown>[],
  probabilities: ArrayLike<number>,
  into: CountVector,
  columns?: InputColumns,
) => void;

/**
 * Compiles the counter of one model: the pipeline's raw inputs (the values drift bins were frozen on) mapped
 * to the manifest's profiles by name.
 * @throws RiskopsError `contract_violation` when the pipeline has an input the reference profile lacks.
 */
export function createBinCounter(
  layout: DriftLayout,
  pipeline: FeaturePipeline<Record<string, unknown>>,
): BinCounter {
  const byName = new Map(layout.profiles.slice(0, -1).map((p, i) => [p.name, i]));
  const plan = pipeline.inputs.map((input) => {
    const index = byName.get(input.name);
    if (index === undefined) {
      throw new RiskopsError(
        'contract_violation',
        `The reference profile has no bins for feature ${input.name}`,
      );
    }
    const profile = layout.profiles[index] as BinProfile;
    const offset = layout.offsets[index] as number;
    if (profile.kind === 'numeric') {
      const edges = Float64Array.from(profile.edges);
      return { kind: 'numeric' as const, offset, edges, missing: offset + edges.length + 1 };
    }
    const categories = new Map(profile.categories.map((c, i) => [c, offset + i]));
    const other = offset + profile.categories.length;
    return { kind: 'categorical' as const, offset, categories, other, missing: other + 1 };
  });
  const scoreIndex = layout.profiles.length - 1;
  const scoreProfile = layout.profiles[scoreIndex] as BinProfile;
  const scoreEdges = Float64Array.from(scoreProfile.kind === 'numeric' ? scoreProfile.edges : []);
  const scoreOffset = layout.offsets[scoreIndex] as number;

  // Column by column (one input's values and bins per loop): the same bins as `pipeline.raw` gives (undefined,
  // null and NaN are missing), at a fraction of the cost per row.
  return (records, probabilities, into, columns) => {
    const n = records.length;
    if (n !== probabilities.length || columns?.some((c) => c.length !== n)) {
      throw new RiskopsError(
        'invalid_input',
        `drift counts: ${n} records but ${probabilities.length} probabilities or input values`,
      );
    }
    const counts = into.counts;
    for (let j = 0; j < plan.length; j++) {
      const step = plan[j] as (typeof plan)[number];
      const get = (pipeline.inputs[j] as (typeof pipeline.inputs)[number]).get as (
        record: Record<string, unknown>,
      ) => unknown;
      const values = columns?.[j] ?? records.map((record) => get(record));
      if (step.kind === 'numeric') {
        const { edges, offset, missing } = step;
        for (let r = 0; r < n; r++) {
          const value = values[r];
          const bin =
            typeof value === 'number' && Number.isFinite(value) ? offset + numericBin(edges, value) : missing;
          counts[bin] = (counts[bin] as number) + 1;
        }
      } else {
        const { categories, other, missing } = step;
        for (let r = 0; r < n; r++) {
          const value = values[r];
          const bin =
            value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))
              ? missing
              : (categories.get(String(value)) ?? other);
          counts[bin] = (counts[bin] as number) + 1;
        }
      }
    }
    for (let r = 0; r < n; r++) {
      const p = probabilities[r] as number;
      const bin = Number.isFinite(p)
        ? scoreOffset + numericBin(scoreEdges, p)
        : scoreOffset + scoreEdges.length + 1;
      counts[bin] = (counts[bin] as number) + 1;
    }
    into.rows += n;
  };
}
