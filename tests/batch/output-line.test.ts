import { describe, expect, it } from 'vitest';
import { createLineWriter, outputRow, SCORE_COLUMNS } from '../../src/platform/batch/output-line.js';
import { createRng } from '../../src/platform/random/index.js';
import type { Score } from '../../src/platform/scoring/index.js';
import { csvLine } from '../../src/platform/tabular/index.js';

const VALUES: unknown[] = [
  undefined,
  null,
  '',
  'a',
  'x,y',
  'say "hi"',
  'two\nlines',
  'é😀',
  0,
  -0,
  1.5,
  1e21,
  true,
];

describe('output lines', () => {
  it('are the bytes JSON.stringify and csvLine give for the row object, for odd keys and values too', () => {
    const rng = createRng(5);
    for (const keys of [
      ['invoice_id'],
      ['a', 'b'],
      [],
      ['entityId'],
      ['__proto__', 'x'],
      ['k', 'k'],
      ['q"uote'],
    ]) {
      for (const format of ['jsonl', 'csv'] as const) {
        const write = createLineWriter(keys, format, 'v"1');
        for (let i = 0; i < 200; i++) {
          const record: Record<string, unknown> = {};
          for (const key of keys) if (rng.next() < 0.9) record[key] = rng.pick(VALUES);
          const score: Score = {
            entityId: String(rng.pick(VALUES)),
            probability: Math.fround(rng.next()),
            band: rng.pick(['low', 'high', 'mid,dle']),
            action: rng.pick(['approve', 'review']),
          };
          const row = outputRow(keys, record, score, 'v"1');
          const expected =
            format === 'csv' ? csvLine(row, [...keys, ...SCORE_COLUMNS]) : `${JSON.stringify(row)}\n`;
          expect(write(record, score)).toBe(expected);
        }
      }
    }
  });
});
