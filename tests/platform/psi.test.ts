import { describe, expect, it } from 'vitest';
import {
  chiSquareQuantile,
  countNumeric,
  decileEdges,
  jensenShannonDistance,
  numericBin,
  numericReference,
  numericReferenceColumn,
  psi,
  psiBand,
  psiCriticalValue,
  quantileType7,
  quantityDrift,
} from '../../src/platform/drift/index.js';

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('PSI as DESIGN.md defines it', () => {
  it('matches the check value for a shifted sample', () => {
    const reference = numericReference('x', range(1, 1000));
    const current = countNumeric(reference, range(51, 1050));
    expect(psi(reference, current)).toBeCloseTo(0.0543008, 6);
  });

  it('matches the check value for a truncated sample counted twice', () => {
    const reference = numericReference('x', range(1, 1000));
    expect(reference.edges).toHaveLength(9);
    const current = countNumeric(reference, [...range(1, 500), ...range(1, 500)]);
    expect(psi(reference, current)).toBeCloseTo(2.9806, 4);
    expect(psiBand(psi(reference, current))).toBe('act');
  });

  it('uses type-7 deciles, right-closed bins and collapses duplicate edges', () => {
    expect(decileEdges(range(1, 11))).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const edges = decileEdges([0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
    expect(edges).toHaveLength(3);
    for (const [i, edge] of [0, 0.2, 1.1].entries()) expect(edges[i]).toBeCloseTo(edge, 12);
    expect(numericBin([2, 3], 2)).toBe(0);
    expect(numericBin([2, 3], 2.5)).toBe(1);
    expect(numericBin([2, 3], 99)).toBe(2);
  });

  it('gives the chi-square critical value', () => {
    expect(chiSquareQuantile(0.95, 10)).toBeCloseTo(18.307, 3);
    expect(psiCriticalValue(11, 1000, 1000)).toBeCloseTo(18.307 * 0.002, 5);
  });

  it('gives the Jensen-Shannon distance in base 2', () => {
    expect(jensenShannonDistance([1, 2, 3], [2, 4, 6])).toBe(0);
    expect(jensenShannonDistance([5, 0], [0, 7])).toBeCloseTo(1, 12);
    // sqrt(0.5·log2(1/0.75) + 0.25·log2(0.5/0.75) + 0.25·log2(0.5/0.25)) = 0.557923
    expect(jensenShannonDistance([10, 0], [5, 5])).toBeCloseTo(0.557923, 6);
  });

  it('reports a window with its critical value, missing-rate change and flag', () => {
    const reference = numericReference('x', [...range(1, 900), ...new Array(100).fill(null)]);
    const settings = { watch: 0.1, act: 0.2, persistence: { k: 2, n: 3 }, cooldownHours: 24, minRows: 500 };
    const truncated = countNumeric(reference, [...range(1, 400), ...range(1, 400)]);
    const drift = quantityDrift(reference, [...truncated.counts, truncated.missing], settings);
    expect(drift.missing).toEqual({ reference: 0.1, current: 0, change: -0.1 });
    expect(drift.critical).toBeCloseTo(chiSquareQuantile(0.95, 10) * (1 / 1000 + 1 / 800), 10);
    expect(drift.flagged).toBe(true);
    expect(drift.unseenShare).toBeNull();
    const small = quantityDrift(reference, [8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0], settings);
    expect(small.band).toBe('act');
    expect(small.flagged).toBe(false); // 16 rows: below minRows, never flagged
    // A model pushed without a sample has an empty reference: no critical value, nothing significant.
    const empty = quantityDrift(numericReference('x', []), [600, 0], settings);
    expect(empty.critical).toBeNull();
    expect(empty.flagged).toBe(false);
  });

  it('finds the same deciles by selection as by sorting, duplicates and missing values included', () => {
    let state = 7;
    const next = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    for (const n of [1, 2, 3, 10, 11, 97, 1000, 5003, 40_000]) {
      const values = Array.from({ length: n }, (_, i) =>
        i % 13 === 0
          ? Number.NaN
          : i % 17 === 0
            ? -0
            : Math.floor(next() * (i % 2 === 0 ? 7 : 1000)) / 4 - (i % 3) * 60,
      );
      const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
      const expected: number[] = [];
      for (const p of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
        const q = sorted.length === 0 ? Number.NaN : quantileType7(sorted, p);
        if (sorted.length > 0 && (expected.length === 0 || q !== expected[expected.length - 1]))
          expected.push(q);
      }
      const profile = numericReferenceColumn('x', Float64Array.from(values));
      expect(profile.edges, `n=${n}`).toEqual(expected);
      expect(profile.missing).toBe(values.length - sorted.length);
      expect(profile.counts).toEqual(countNumeric(profile, sorted).counts);
    }
  });
});
