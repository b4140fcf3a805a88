import { describe, expect, it } from 'vitest';
import { splitIndices, syntheticDataset, takeRows } from '../../src/platform/training/index.js';

describe('dataset helpers', () => {
  it('split rows deterministically into disjoint sorted parts', () => {
    const a = splitIndices(1_000, { validation: 0.15, holdout: 0.2 }, 9);
    const b = splitIndices(1_000, { validation: 0.15, holdout: 0.2 }, 9);
    expect(a).toEqual(b);
    expect([a.train.length, a.validation.length, a.holdout.length]).toEqual([650, 150, 200]);
    const all = new Set([...a.train, ...a.validation, ...a.holdout]);
    expect(all.size).toBe(1_000);
    expect(Array.from(a.holdout)).toEqual(Array.from(a.holdout).sort((x, y) => x - y));
    expect(splitIndices(1_000, { validation: 0.15, holdout: 0.2 }, 10).holdout).not.toEqual(a.holdout);
    expect(() => splitIndices(10, { validation: 0.5, holdout: 0.5 }, 1)).toThrow(/fractions/);
  });

  it('take rows with their labels', () => {
    const data = syntheticDataset({ rows: 10, cols: 3, seed: 1, shape: 'linear' });
    const taken = takeRows(data.X, data.y, 3, [7, 2]);
    expect(taken.rows).toBe(2);
    expect(Array.from(taken.X)).toEqual([...data.X.subarray(21, 24), ...data.X.subarray(6, 9)]);
    expect(Array.from(taken.y)).toEqual([data.y[7], data.y[2]]);
  });

  it('generate the same data for the same seed', () => {
    const a = syntheticDataset({ rows: 50, cols: 5, seed: 4, shape: 'nonlinear' });
    const b = syntheticDataset({ rows: 50, cols: 5, seed: 4, shape: 'nonlinear' });
    expect(a.X).toEqual(b.X);
    expect(a.y).toEqual(b.y);
  });
});
