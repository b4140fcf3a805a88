import { describe, expect, it } from 'vitest';
import { inSteps, READ_STEP_BYTES, readTabular, type TabularItem } from '../../src/platform/tabular/index.js';

/** Every item the reader yields, and how many batches it yielded them in. */
async function read(input: AsyncIterable<Uint8Array | string>, format: 'csv' | 'jsonl') {
  const all: TabularItem[] = [];
  let batches = 0;
  for await (const batch of readTabular(input, format, { kinds: new Map([['amount', 'number']]) })) {
    batches++;
    all.push(...batch);
  }
  return { all, batches };
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

async function* lineByLine(text: string): AsyncGenerator<Buffer> {
  for (const line of text.split(/(?<=\n)/)) yield Buffer.from(line);
}

describe('reading in bounded steps', () => {
  it('cuts large pieces into steps (no copies) and passes small ones and text as they are', async () => {
    const big = Buffer.alloc(READ_STEP_BYTES * 2 + 5, 1);
    const pieces: (Uint8Array | string)[] = [];
    for await (const piece of inSteps(
      (async function* () {
        yield big;
        yield 'text';
        yield Buffer.from('small');
      })(),
    ))
      pieces.push(piece);
    expect(pieces.map((p) => p.length)).toEqual([READ_STEP_BYTES, READ_STEP_BYTES, 5, 4, 5]);
    expect((pieces[1] as Uint8Array).buffer).toBe(big.buffer);
  });

  it('reads a 4 MiB piece (a read-ahead buffer) in many batches, with the same rows as line by line', async () => {
    // Multi-byte characters land on step boundaries somewhere among 60k lines of varying length.
    const csv = `name,amount\n${Array.from({ length: 60_000 }, (_, i) => `Zoë ${'€'.repeat(i % 7)} ${i},${i}.5\n`).join('')}`;
    const jsonl = Array.from(
      { length: 60_000 },
      (_, i) => `${JSON.stringify({ name: `Zoë ${'€'.repeat(i % 7)}`, amount: i })}\n`,
    ).join('');
    for (const [format, text] of [
      ['csv', csv],
      ['jsonl', jsonl],
    ] as const) {
      expect(Buffer.byteLength(text)).toBeGreaterThan(2 * READ_STEP_BYTES);
      const whole = await read(once(Buffer.from(text)), format);
      const lines = await read(lineByLine(text), format);
      expect(whole.all).toEqual(lines.all);
      expect(whole.all).toHaveLength(60_000);
      expect(whole.all.every((item) => 'row' in item)).toBe(true);
      expect(whole.batches, format).toBeGreaterThanOrEqual(
        Math.floor(Buffer.byteLength(text) / READ_STEP_BYTES),
      );
    }
  });
});
