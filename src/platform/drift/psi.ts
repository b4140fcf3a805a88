import { type BinProfile, binCounts } from './bins.js';

export const PSI_SMOOTHING = 0.5;

/** Smoothed shares: p = (c + α) / (n + α·B). */
export function smoothedShares(counts: readonly number[], alpha = PSI_SMOOTHING): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  const denominator = n + alpha * counts.length;
  return counts.map((c) => (c + alpha) / denominator);
}

/** PSI = Σ (q − p)·ln(q / p) over bins with smoothed shares. Counts must share one binning. */
export function psiFromCounts(reference: readonly number[], current: readonly number[]): number {
  if (reference.length !== current.length) {
    throw new Error(`bin count mismatch: reference ${reference.length}, current ${current.length}`);
  }
  const p = smoothedShares(reference);
  const q = smoothedShares(current);
  let psi = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    psi += (qi - pi) * Math.log(qi / pi);
  }
  return psi;
}

export function psi(reference: BinProfile, current: BinProfile): number {
  return psiFromCounts(binCounts(reference), binCounts(current));
}

export type PsiBand = 'stable' | 'watch' | 'act';

export function psiBand(value: number, watch = 0.1, act = 0.2): PsiBand {
  if (value >= act) return 'act';
  if (value >= watch) return 'watch';
  return 'stable';
}

/** Lower regularized gamma P(a, x), by series or continued fraction (Numerical Recipes' split). */
function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lnGammaA = logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - lnGammaA);
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - lnGammaA) * h;
}

function logGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0] as number;
  const t = z + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Quantile of the chi-square distribution with `df` degrees of freedom, by bisection. */
export function chiSquareQuantile(probability: number, df: number): number {
  let lo = 0;
  let hi = Math.max(1, df);
  while (regularizedGammaP(df / 2, hi / 2) < probability) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (regularizedGammaP(df / 2, mid / 2) < probability) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** PSI a sample of this size would exceed 5% of the time with no drift: χ²₀.₉₅(B−1)·(1/n_ref + 1/n). */
export function psiCriticalValue(bins: number, referenceRows: number, currentRows: number): number {
  if (referenceRows <= 0 || currentRows <= 0) return Number.POSITIVE_INFINITY;
  return chiSquareQuantile(0.95, bins - 1) * (1 / referenceRows + 1 / currentRows);
}
