import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  byteRange,
  fileFormatOf,
  items,
  layoutRecords,
  readCsv,
  readTabularFile,
  type TabularItem,
} from '../../src/platform/tabular/index.js';

const CSV =
  '\uFEFFid,name,amount\r\n1,"Nord, ""Terra""\r\nBerlin",10\r\n\r\n2,plain,x\r\n3,b"ad,5\r\n4,four,4\r\n5,"five",5';
let dir: string;

async function all(source: AsyncIterable<TabularItem[]>): Promise<TabularItem[]> {
  const out: TabularItem[] = [];
  for await (const item of items(source)) out.push(item);
  return out;
}

const brief = (i: TabularItem) =>
  'error' in i ? `${i.line}!${i.error}` : `${i.line}:${JSON.stringify(i.row)}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'riskops-tabular-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the tabular reader', () => {
  it('reads RFC 4180 CSV with a BOM, CRLF, quoted line breaks and blank lines, keeping line numbers and raw text', async () => {
    const kinds = new Map([['amount', 'number' as const]]);
    const read = await all(readCsv([Buffer.from(CSV)], { kinds }));
    expect(read.map(brief)).toEqual([
      '2:{"id":"1","name":"Nord, \\"Terra\\"\\r\\nBerlin","amount":10}',
      '5!amount: expected a number',
      '6!quote inside an unquoted cell 2',
      '7:{"id":"4","name":"four","amount":4}',
      '8:{"id":"5","name":"five","amount":5}',
    ]);
    expect(read[1]?.raw).toBe('2,plain,x');
  });

  it('splits a file into record-aligned ranges that read back to the same records and line numbers', async () => {
    const layout = await layoutRecords([Buffer.from(CSV)], { format: 'csv', recordsPerSegment: 2 });
    expect(layout.header).toBe('id,name,amount\r\n');
    expect(layout.records).toBe(5);
    expect(layout.segments.map((s) => [s.firstLine, s.records])).toEqual([
      [2, 2],
      [6, 2],
      [8, 1],
    ]);
    const whole = await all(readCsv([Buffer.from(CSV)]));
    const pieces: TabularItem[] = [];
    for (const s of layout.segments) {
      const range = byteRange([Buffer.from(CSV)], s.start, s.end);
      pieces.push(
        ...(await all(
          readCsv([Buffer.from(layout.header ?? ''), ...(await collect(range))], {
            lineOffset: s.firstLine - 2,
          }),
        )),
      );
    }
    expect(pieces.map(brief)).toEqual(whole.map(brief));
  });

  it('reads JSON Lines and gzip files by extension, with line numbers for bad lines', async () => {
    const path = join(dir, 'rows.jsonl.gz');
    await writeFile(path, gzipSync('{"a":1}\n\nnot json\n[1]\n{"a":2}'));
    expect(fileFormatOf(path)).toEqual({ format: 'jsonl', gzip: true });
    expect((await all(readTabularFile(path))).map(brief)).toEqual([
      '1:{"a":1}',
      '3!invalid JSON',
      '4!not a JSON object',
      '5:{"a":2}',
    ]);
    expect(() => fileFormatOf('x.parquet')).toThrow(/expected a \.csv, \.jsonl or \.ndjson file/);
  });
});

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of source) out.push(b);
  return out;
}
