import { describe, expect, it } from 'vitest';
import {
  chiSquareQuantile,
  countNumeric,
  decileEdges,
  numericBin,
  numericReference,
  psi,
  psiBand,
  psiCriticalValue,
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
});
