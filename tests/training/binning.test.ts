import { describe, expect, it } from 'vitest';
import { binOf, fitBins } from '../../src/platform/training/index.js';

describe('quantile bins', () => {
  it('use every distinct value as an upper edge when there are few', () => {
    const X = Float32Array.from([3, 1, 2, 2, 1, 3, 0]);
    const bins = fitBins(X, 7, 1, 16);
    expect(Array.from(bins.thresholds[0] ?? [])).toEqual([0, 1, 2]);
    expect(Array.from(bins.encode(X, 7))).toEqual([3, 1, 2, 2, 1, 3, 0]);
  });

  it('send a value equal to a threshold to the lower bin (x <= t), and NaN to the top bin', () => {
    const t = Float32Array.from([0.5, 1.5]);
    expect([binOf(t, 0.5), binOf(t, Math.fround(0.5000001)), binOf(t, 9), binOf(t, Number.NaN)]).toEqual([
      0, 1, 2, 2,
    ]);
  });

  it('keep at most maxBins bins, with float32 data values as thresholds', () => {
    const rows = 10_000;
    const X = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      X[2 * r] = Math.fround(Math.sin(r) * 100);
      X[2 * r + 1] = r % 2;
    }
    const bins = fitBins(X, rows, 2, 32);
    const [first = new Float32Array(), second = new Float32Array()] = bins.thresholds;
    expect(first.length).toBe(31);
    expect(Array.from(second)).toEqual([0]);
    const column = new Set(Array.from({ length: rows }, (_, r) => X[2 * r]));
    for (const t of first) expect(column.has(t)).toBe(true);
    const codes = bins.encode(X, rows);
    const counts = new Array<number>(32).fill(0);
    for (let r = 0; r < rows; r++) counts[codes[2 * r] as number] = (counts[codes[2 * r] as number] ?? 0) + 1;
    expect(Math.max(...counts)).toBeLessThan(rows / 32 + 10);
  });

  it('refuses more than 256 bins', () => {
    expect(() => fitBins(new Float32Array(4), 4, 1, 300)).toThrow(/maxBins/);
  });
});
