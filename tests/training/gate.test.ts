import { describe, expect, it } from 'vitest';
import { evaluateGate, fairnessReport, segmentMetrics } from '../../src/platform/training/index.js';
import type { DecisionBand, GateThresholds } from '../../src/platform/use-case/index.js';

const THRESHOLDS: GateThresholds = { minAuc: 0.7, maxBrier: 0.2, maxEce: 0.05, maxAucDropVsChampion: 0.01 };
const GOOD = { auc: 0.8, brier: 0.15, ece: 0.02 };
const BANDS: DecisionBand[] = [
  { name: 'approve', upTo: 0.5, action: 'none' },
  { name: 'decline', upTo: 1.0000001, action: 'decline' },
];

describe('evaluation gate', () => {
  it('passes when every threshold holds', () => {
    const result = evaluateGate({ metrics: GOOD, thresholds: THRESHOLDS });
    expect(result.passed).toBe(true);
    expect(result.checks.map((c) => [c.name, c.comparator, c.passed])).toEqual([
      ['auc', '>=', true],
      ['brier', '<=', true],
      ['ece', '<=', true],
    ]);
  });

  it.each([
    ['auc', { ...GOOD, auc: 0.69 }],
    ['brier', { ...GOOD, brier: 0.21 }],
    ['ece', { ...GOOD, ece: 0.051 }],
    ['auc', { ...GOOD, auc: Number.NaN }],
  ])('fails on %s', (name, metrics) => {
    const result = evaluateGate({ metrics, thresholds: THRESHOLDS });
    expect(result.passed).toBe(false);
    expect(result.checks.find((c) => !c.passed)?.name).toBe(name);
  });

  it('compares with the champion on the same holdout', () => {
    expect(evaluateGate({ metrics: GOOD, thresholds: THRESHOLDS, championAuc: 0.805 }).passed).toBe(true);
    const worse = evaluateGate({ metrics: GOOD, thresholds: THRESHOLDS, championAuc: 0.82 });
    expect(worse.passed).toBe(false);
    expect(worse.checks.at(-1)).toMatchObject({ name: 'auc_vs_champion', passed: false });
    expect(worse.checks.at(-1)?.threshold).toBeCloseTo(0.81, 12);
  });

  it('reports the four-fifths check, and fails on it only when enforced', () => {
    const thresholds = { ...THRESHOLDS, minFavourableRatio: 0.8 };
    const reported = evaluateGate({ metrics: GOOD, thresholds, favourableRatio: 0.7 });
    expect(reported.passed).toBe(true);
    expect(reported.checks.at(-1)).toMatchObject({
      name: 'favourable_ratio',
      passed: false,
      enforced: false,
    });
    expect(
      evaluateGate({ metrics: GOOD, thresholds, favourableRatio: 0.7, enforceFairness: true }).passed,
    ).toBe(false);
    expect(
      evaluateGate({ metrics: GOOD, thresholds, favourableRatio: 0.85, enforceFairness: true }).passed,
    ).toBe(true);
  });
});

describe('segments and fairness', () => {
  const y = Uint8Array.from([0, 1, 0, 1, 1, 1, 0]);
  const p = Float64Array.from([0.1, 0.9, 0.6, 0.4, 0.7, 0.8, 0.2]);
  const country = ['DE', 'DE', 'DE', 'DE', 'FR', 'FR', null];

  it('gives AUC per segment (null with one class) and band rates', () => {
    expect(segmentMetrics(y, p, country, BANDS, 'country')).toEqual([
      { attribute: 'country', value: 'DE', rows: 4, auc: 0.75, bandRates: { approve: 0.5, decline: 0.5 } },
      { attribute: 'country', value: 'FR', rows: 2, auc: null, bandRates: { approve: 0, decline: 1 } },
      { attribute: 'country', value: 'MISSING', rows: 1, auc: null, bandRates: { approve: 1, decline: 0 } },
    ]);
  });

  it('gives favourable rates per group and their min/max ratio', () => {
    const report = fairnessReport(p, ['a', 'a', 'a', 'a', 'b', 'b', 'b'], BANDS, 'group');
    expect(report.favourableBand).toBe('approve');
    expect(report.rates).toEqual({ a: 0.5, b: 1 / 3 });
    expect(report.minRatio).toBeCloseTo(2 / 3, 12);
    expect(fairnessReport(p, country, BANDS, 'country').rates).toEqual({ DE: 0.5, FR: 0 });
  });
});
