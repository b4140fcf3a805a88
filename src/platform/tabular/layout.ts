import type { DataFormat } from './format.js';
import type { ByteSource } from './records.js';

/** A byte range of a decoded file that starts and ends on record boundaries. */
export interface Segment {
  start: number;
  /** Exclusive. */
  end: number;
  /** Line number of the first line in the range. */
  firstLine: number;
  /** Non-blank records in the range, as the boundary scan counts them. */
  records: number;
}

export interface FileLayout {
  /** CSV: the header record's text with its own line break (so a chunk read alone keeps the file's CRLF or LF); BOM removed. */
  header?: string;
  /** Decoded bytes in the file. */
  bytes: number;
  /** Non-blank data records (the header not counted). */
  records: number;
  segments: Segment[];
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;

/**
 * Splits a decoded file into segments of `recordsPerSegment` records, each aligned to a record end. A
 * record ends at a line break outside quotes (RFC 4180 quote parity for CSV; JSON Lines cannot hold a raw
 * line break inside a string), so a quoted cell spanning lines never straddles two segments. One pass,
 * constant memory: used by batch planning, so chunks can be read as independent byte ranges.
 */
export async function layoutRecords(
  input: ByteSource,
  options: { format: DataFormat; recordsPerSegment: number },
): Promise<FileLayout> {
  const csv = options.format === 'csv';
  const perSegment = options.recordsPerSegment;
  const segments: Segment[] = [];
  const headerParts: Buffer[] = [];
  let header: string | undefined;
  let position = 0;
  let line = 1;
  let inQuotes = false;
  let content = false;
  let segmentStart = 0;
  let segmentLine = 1;
  let segmentRecords = 0;
  let records = 0;
  let haveHeader = !csv;

  const recordEnd = (end: number): void => {
    if (!content) return;
    content = false;
    if (!haveHeader) {
      haveHeader = true;
      const text = Buffer.concat(headerParts).subarray(0, end).toString('utf8');
      header = text.replace(/^\uFEFF/, '');
      headerParts.length = 0;
      segmentStart = end;
      segmentLine = line;
      return;
    }
    segmentRecords++;
    records++;
    if (segmentRecords === perSegment) {
      segments.push({ start: segmentStart, end, firstLine: segmentLine, records: segmentRecords });
      segmentStart = end;
      segmentLine = line;
      segmentRecords = 0;
    }
  };

  // RFC 4180 as csv-parse reads it: a quote opens a quoted cell only at the start of a cell, `""` inside
  // one is a quote, and any other quote closes it; a stray quote mid-cell is literal (the parser rejects
  // that record alone and goes on at the next line).
  let cellStart = true;
  let quoteSeen = false;
  for await (const chunk of input) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!haveHeader) headerParts.push(bytes);
    if (!inQuotes && (!csv || bytes.indexOf(QUOTE) === -1)) {
      // No quote in this piece: only line breaks and content matter, so jump from one LF to the next.
      for (let i = 0; i < bytes.length; ) {
        const lf = bytes.indexOf(LF, i);
        const end = lf === -1 ? bytes.length : lf;
        for (let k = i; !content && k < end; k++) {
          const b = bytes[k] as number;
          if (b !== CR && b !== SPACE && b !== TAB) content = true;
        }
        if (end > i) cellStart = bytes[end - 1] === COMMA;
        if (lf === -1) break;
        line++;
        recordEnd(position + lf + 1);
        cellStart = true;
        i = lf + 1;
      }
      position += bytes.length;
      continue;
    }
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] as number;
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false;
          if (b === QUOTE) continue;
          inQuotes = false;
        } else {
          if (b === QUOTE) quoteSeen = true;
          else if (b === LF) line++;
          continue;
        }
      }
      if (b === LF) {
        line++;
        recordEnd(position + i + 1);
        cellStart = true;
      } else if (csv && b === COMMA) {
        cellStart = true;
        content = true;
      } else {
        if (csv && b === QUOTE && cellStart) inQuotes = true;
        if (b !== CR && b !== SPACE && b !== TAB) content = true;
        cellStart = false;
      }
    }
    position += bytes.length;
  }
  recordEnd(position);
  if (segmentRecords > 0)
    segments.push({ start: segmentStart, end: position, firstLine: segmentLine, records: segmentRecords });
  const layout: FileLayout = { bytes: position, records, segments };
  if (header !== undefined) layout.header = header;
  return layout;
}

/** The bytes of `input` from `start` (inclusive) to `end` (exclusive), stopping the read at `end`. */
export async function* byteRange(input: ByteSource, start: number, end: number): AsyncGenerator<Buffer> {
  let position = 0;
  for await (const chunk of input) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const from = Math.max(start - position, 0);
    const to = Math.min(end - position, bytes.length);
    if (to > from) yield bytes.subarray(from, to);
    position += bytes.length;
    if (position >= end) return;
  }
}
