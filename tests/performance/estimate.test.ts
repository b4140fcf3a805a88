import { describe, expect, it } from 'vitest';
import { estimatePerformance } from '../../src/platform/performance/index.js';
import { createRng } from '../../src/platform/random/index.js';
import { brierScore, rocAuc } from '../../src/platform/training/index.js';

/** Calibrated probabilities (sigmoid of a normal score) and outcomes drawn from them. */
function calibrated(n: number, seed: number, spread: number, shift: number) {
  const rng = createRng(seed);
  const p = Float64Array.from({ length: n }, () => 1 / (1 + Math.exp(-(shift + spread * rng.normal()))));
  const y = Uint8Array.from(p, (q) => (rng.bernoulli(q) ? 1 : 0));
  return { p, y };
}

/** The ratio of expectations, pair by pair: the definition the fast version must match. */
function bruteForceAuc(p: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < p.length; i++)
    for (let j = 0; j < p.length; j++) {
      if (i === j) continue;
      const w = (p[i] as number) * (1 - (p[j] as number));
      den += w;
      if ((p[i] as number) > (p[j] as number)) num += w;
      else if (p[i] === p[j]) num += w / 2;
    }
  return num / den;
}

describe('confidence-based performance estimate', () => {
  it('matches the pairwise definition, ties included', () => {
    const p = [0.1, 0.4, 0.4, 0.35, 0.8, 0.1, 0.95, 0.4, 0.05];
    expect(estimatePerformance(p).auc).toBeCloseTo(bruteForceAuc(p), 12);
    expect(estimatePerformance(p).brier).toBeCloseTo(p.reduce((s, q) => s + q * (1 - q), 0) / p.length, 12);
    expect(estimatePerformance([0.3]).auc).toBeNull();
  });

  // Stated tolerance: |estimate − realized| ≤ 0.015 AUC and ≤ 0.005 Brier on 20 000 calibrated rows
  // (the sampling standard deviation of AUC at this size is about 0.004).
  it.each([
    { seed: 1, spread: 1.5, shift: -1.2 },
    { seed: 2, spread: 2.5, shift: -3 },
    { seed: 3, spread: 0.8, shift: 0 },
  ])(
    'is within 0.015 AUC and 0.005 Brier of the realized values on calibrated data ($spread, $shift)',
    ({ seed, spread, shift }) => {
      const { p, y } = calibrated(20_000, seed, spread, shift);
      const estimate = estimatePerformance(p);
      const realizedAuc = rocAuc(y, p) as number;
      expect(Math.abs((estimate.auc as number) - realizedAuc)).toBeLessThan(0.015);
      expect(Math.abs(estimate.brier - brierScore(y, p))).toBeLessThan(0.005);
    },
  );

  it('is not fooled by miscalibration: it states what a calibrated model would achieve', () => {
    const { p, y } = calibrated(20_000, 4, 1.5, -1.2);
    const overconfident = p.map((q) => (q > 0.5 ? Math.min(1, q + 0.3) : Math.max(0, q - 0.3)));
    expect(estimatePerformance(overconfident).brier).toBeLessThan(brierScore(y, overconfident));
  });
});
