import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/platform/random/index.js';
import {
  byteRange,
  items,
  layoutRecords,
  readCsv,
  type TabularItem,
} from '../../src/platform/tabular/index.js';

const PLAIN_CELLS = ['', ' ', 'a', '12', ' 7 ', '1e3', 'x.5', 'true', '0', 'Nord Ltd', 'é€😀', '-', '\t'];
const HOSTILE_CELLS = [
  '"q"',
  '"a,b"',
  '"multi\nline"',
  '"say ""hi"""',
  'b"ad',
  '"open',
  '"x"y',
  '"crlf\r\nin"',
  'c\r',
];
const BROKEN = ['b"ad', '"open', '"x"y'];
const BREAKS = ['\n', '\n', '\n', '\r\n', '\n\n', '\n \n'];

function line(rng: Rng, cells: number, hostile: number): string {
  const n = rng.next() < 0.1 ? cells + rng.int(3) - 1 : cells;
  return Array.from({ length: n }, () =>
    rng.next() < hostile ? rng.pick(HOSTILE_CELLS) : rng.pick(PLAIN_CELLS),
  ).join(',');
}

/** A CSV text: header, then plain lines, maybe turning hostile part-way (so csv-parse takes over mid-file). */
function csvText(rng: Rng): string {
  const columns = 1 + rng.int(5);
  const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(',');
  const lines = 5 + rng.int(60);
  const turn = rng.next() < 0.5 ? rng.int(lines) : lines + 1;
  const crlf = rng.next() < 0.15;
  let text = rng.next() < 0.2 ? '\uFEFF' : '';
  text += header;
  for (let i = 0; i < lines; i++) {
    text += crlf ? '\r\n' : i >= turn ? rng.pick(BREAKS) : rng.next() < 0.05 ? '\n\n' : '\n';
    text += line(rng, columns, i >= turn ? 0.2 : 0);
  }
  if (rng.next() < 0.6) text += '\n';
  return text;
}

/** Cuts bytes at random places (inside multi-byte characters and line breaks too). */
function pieces(bytes: Buffer, rng: Rng): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + rng.int(rng.next() < 0.3 ? 4 : 200);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

async function read(parts: Buffer[], plainLines: boolean): Promise<TabularItem[] | string> {
  const kinds = new Map([
    ['c1', 'number' as const],
    ['c2', 'boolean' as const],
    ['c3', 'label' as const],
  ]);
  const out: TabularItem[] = [];
  try {
    for await (const item of items(readCsv(parts, { kinds, plainLines, lineOffset: 3 }))) out.push(item);
  } catch (error) {
    return `threw ${(error as Error).message}`;
  }
  return out;
}

async function readSegment(parts: Buffer[], lineOffset: number): Promise<TabularItem[]> {
  const kinds = new Map([
    ['c1', 'number' as const],
    ['c2', 'boolean' as const],
    ['c3', 'label' as const],
  ]);
  const out: TabularItem[] = [];
  for await (const item of items(readCsv(parts, { kinds, lineOffset: lineOffset + 3 }))) out.push(item);
  return out;
}

describe('quote-free lines read without csv-parse', () => {
  it('give the same rows, rejects, line numbers and raw text as csv-parse alone, however the bytes are cut', async () => {
    const rng = createRng(8);
    let handedOver = 0;
    let laidOut = 0;
    for (let trial = 0; trial < 400; trial++) {
      const text = csvText(rng);
      const bytes = Buffer.from(text);
      const expected = await read([bytes], false);
      const fast = await read(pieces(bytes, rng), true);
      expect(fast, JSON.stringify(text)).toStrictEqual(expected);
      if (/["\r]/.test(text)) handedOver++;
      // Planning's record-aligned segments, scanned from cut bytes, read back to the same records (for text
      // the planner's quote scan is meant for: no carriage returns, no broken quoting).
      if (typeof expected === 'string' || /\r/.test(text) || BROKEN.some((b) => text.includes(b))) continue;
      laidOut++;
      const layout = await layoutRecords(pieces(bytes, rng), {
        format: 'csv',
        recordsPerSegment: 1 + rng.int(7),
      });
      const segments: TabularItem[] = [];
      for (const s of layout.segments) {
        const range: Buffer[] = [];
        for await (const piece of byteRange([bytes], s.start, s.end)) range.push(piece);
        const read = await readSegment([Buffer.from(layout.header ?? ''), ...range], s.firstLine - 2);
        segments.push(...read);
      }
      expect(segments, JSON.stringify(text)).toStrictEqual(expected);
    }
    expect(handedOver).toBeGreaterThan(100);
    expect(laidOut).toBeGreaterThan(100);
  });

  it('hands over at the first quote or carriage return and still numbers the lines', async () => {
    const text = 'id,n\n1,2\n\n3,4\n5,"x,y"\n6,7\n8,9\r\n10';
    const expected = await read([Buffer.from(text)], false);
    expect(await read([Buffer.from(text)], true)).toStrictEqual(expected);
    expect(
      (expected as TabularItem[]).map((i) => `${i.line}${'error' in i ? `!${i.error}` : ''}:${i.raw}`),
    ).toEqual(['5:1,2', '7:3,4', '8:5,"x,y"', '9:6,7', '10:8,9', '11!expected 2 cells, got 1:10']);
  });
});
