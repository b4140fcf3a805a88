import type { DriftSettings } from '../use-case/index.js';
import { type BinProfile, binCounts } from './bins.js';
import { psiBand, psiCriticalValue, psiFromCounts } from './psi.js';
import type { QuantityDrift } from './report.js';

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/**
 * Jensen-Shannon distance (base 2, so in [0, 1]) between two count vectors over the same bins: the square
 * root of the JS divergence of their shares. Unsmoothed; 0·log 0 = 0. Zero when either is empty.
 */
export function jensenShannonDistance(reference: readonly number[], current: readonly number[]): number {
  const n = sum(reference);
  const m = sum(current);
  if (n === 0 || m === 0) return 0;
  let divergence = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = (reference[i] as number) / n;
    const q = (current[i] as number) / m;
    const mid = (p + q) / 2;
    if (p > 0) divergence += 0.5 * p * Math.log2(p / mid);
    if (q > 0) divergence += 0.5 * q * Math.log2(q / mid);
  }
  return Math.sqrt(Math.max(0, Math.min(1, divergence)));
}

function formatEdge(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

/** A readable label per bin, in `binCounts` order. */
export function binLabels(profile: BinProfile): string[] {
  if (profile.kind === 'categorical') return [...profile.categories, 'OTHER', 'MISSING'];
  const { edges } = profile;
  if (edges.length === 0) return ['all', 'MISSING'];
  const labels = [`≤ ${formatEdge(edges[0] as number)}`];
  for (let i = 1; i < edges.length; i++)
    labels.push(`(${formatEdge(edges[i - 1] as number)}, ${formatEdge(edges[i] as number)}]`);
  labels.push(`> ${formatEdge(edges[edges.length - 1] as number)}`, 'MISSING');
  return labels;
}

/**
 * Every drift number of one quantity (a feature or the score): PSI as DESIGN.md decision 6 defines it, its
 * sample-size critical value, the JS distance, missing-rate change and the share of unseen categories.
 * `flagged` means the act band and above the critical value, on a window of at least `minRows` rows.
 */
export function quantityDrift(
  profile: BinProfile,
  current: readonly number[],
  settings: DriftSettings,
): QuantityDrift {
  const reference = binCounts(profile);
  const n = sum(reference);
  const m = sum(current);
  const psi = psiFromCounts(reference, current);
  const value = psiCriticalValue(reference.length, n, m);
  const critical = Number.isFinite(value) ? value : null;
  const significant = critical !== null && psi > critical;
  const band = psiBand(psi, settings.watch, settings.act);
  const missingRef = n === 0 ? 0 : (reference[reference.length - 1] as number) / n;
  const missingCur = m === 0 ? 0 : (current[current.length - 1] as number) / m;
  const unseen = profile.kind === 'categorical' && m > 0 ? (current[current.length - 2] as number) / m : null;
  return {
    name: profile.name,
    kind: profile.kind,
    psi,
    critical,
    significant,
    band,
    flagged: band === 'act' && significant && m >= settings.minRows,
    jsd: jensenShannonDistance(reference, current),
    missing: { reference: missingRef, current: missingCur, change: missingCur - missingRef },
    unseenShare: unseen,
    bins: { labels: binLabels(profile), reference, current: [...current] },
  };
}
