import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/platform/random/index.js';
import { convertCell } from '../../src/platform/tabular/index.js';
import { rowBuilder } from '../../src/platform/tabular/row-builder.js';

describe('row builder', () => {
  it('converts number, boolean and label cells exactly as convertCell does, hostile cells included', () => {
    const rng = createRng(20261202);
    const alphabet = '0123456789..+-eE \t\u00a0x,';
    const cells = [
      '0',
      '-0',
      '+5',
      '.5',
      '5.',
      '.',
      '+',
      '-',
      '1e5',
      '1E-3',
      ' 7 ',
      '\t8',
      '1.2.3',
      '--1',
      '0x10',
      'Infinity',
      'NaN',
      '١٢',
      '9'.repeat(400),
    ];
    for (let n = 0; n < 20_000; n++) {
      const length = 1 + rng.int(8);
      let cell = '';
      for (let j = 0; j < length; j++) cell += alphabet[rng.int(alphabet.length)];
      cells.push(cell);
    }
    for (const kind of ['number', 'boolean', 'label'] as const) {
      const build = rowBuilder(['c'], [kind]);
      for (const cell of cells) {
        const expected = convertCell(cell, kind);
        const built = build([cell]);
        if ('error' in expected) expect(built, `${kind} ${JSON.stringify(cell)}`).toBe(0);
        else expect(built, `${kind} ${JSON.stringify(cell)}`).toStrictEqual({ c: expected.value });
      }
    }
  });
});
