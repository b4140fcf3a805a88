/**
 * Labeled training data files: CSV (header row, RFC 4180 quoting) and JSON lines, read line by line.
 * A line that cannot become a row (bad JSON, wrong cell count, text in a numeric column) is yielded as
 * an error with its line number, so validation counts it as a reject instead of failing the file.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { RiskopsError } from '../errors/index.js';
import type { AnyUseCase, LabeledRow } from '../use-case/index.js';

/** One input row, or why its line could not become one. `line` is 1-based (a CSV header is line 1). */
export type SourceRow = { line: number; row: LabeledRow } | { line: number; error: string };

/** In-memory rows as source rows, numbered from 1 (generated data, a queue message's rows, tests). */
export function* sourceRows(rows: Iterable<LabeledRow>): Generator<SourceRow> {
  let line = 0;
  for (const row of rows) yield { line: ++line, row };
}

export type DataFormat = 'csv' | 'jsonl';

/** How a CSV cell of a schema field is converted: from the zod type under optional/nullable wrappers. */
export type FieldKind = 'number' | 'boolean' | 'string';

interface ZodLike {
  _zod?: { def?: { type?: string; innerType?: unknown } };
}

function kindOf(field: unknown): FieldKind {
  let node = field as ZodLike | undefined;
  for (let depth = 0; depth < 10 && node?._zod?.def !== undefined; depth++) {
    const { type, innerType } = node._zod.def;
    if (type === 'number' || type === 'int') return 'number';
    if (type === 'boolean') return 'boolean';
    if (innerType === undefined) return 'string';
    node = innerType as ZodLike;
  }
  return 'string';
}

/** The top-level fields of a use case's object schema (empty when the schema is not an object). */
export function schemaFields(useCase: AnyUseCase): { name: string; kind: FieldKind; required: boolean }[] {
  const shape = (useCase.schema as unknown as { shape?: Record<string, { safeParse(v: unknown): unknown }> })
    .shape;
  if (shape === undefined) return [];
  return Object.entries(shape).map(([name, field]) => ({
    name,
    kind: kindOf(field),
    required: !(field.safeParse(undefined) as { success: boolean }).success,
  }));
}

/** `csv` or `jsonl` from the file name (.csv, .jsonl, .ndjson). */
export function dataFormatOf(path: string): DataFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new RiskopsError('invalid_input', `${path}: expected a .csv, .jsonl or .ndjson file`);
}

/**
 * Splits one CSV record into cells (RFC 4180: quoted cells may hold commas, doubled quotes and line
 * breaks). Returns a reason instead when the quoting is broken.
 */
export function parseCsvRecord(text: string): string[] | { error: string } {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) return { error: 'unterminated quoted cell' };
        cell += text.slice(i, q);
        if (text[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      cells.push(cell);
      if (i === text.length) return cells;
      if (text[i] !== ',') return { error: `text after a closing quote in cell ${cells.length}` };
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const cell = comma < 0 ? text.slice(i) : text.slice(i, comma);
      if (cell.includes('"')) return { error: `quote inside an unquoted cell ${cells.length + 1}` };
      cells.push(cell);
      if (comma < 0) return cells;
      i = comma + 1;
    }
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['true', '1']);
const FALSE = new Set(['false', '0']);

/** Converts one CSV cell by its column's kind; `undefined` leaves the field out (an empty cell). */
function convertCell(cell: string, kind: FieldKind | 'label'): { value: unknown } | { error: string } {
  if (cell === '') return { value: undefined };
  switch (kind) {
    case 'number': {
      const text = cell.trim();
      return NUMBER.test(text) ? { value: Number(text) } : { error: 'expected a number' };
    }
    case 'boolean':
    case 'label': {
      const text = cell.trim().toLowerCase();
      if (TRUE.has(text)) return { value: kind === 'label' ? 1 : true };
      if (FALSE.has(text)) return { value: kind === 'label' ? 0 : false };
      // A bad label stays text, so validation rejects it with the label's own reason.
      return kind === 'label' ? { value: cell } : { error: 'expected true/false or 1/0' };
    }
    default:
      return { value: cell };
  }
}

function lines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
}

/** A quoted cell may span lines; a record longer than this is reported as broken quoting. */
const MAX_RECORD_LINES = 100;

/** Whether `text` ends inside a quoted cell (a quote opens one only at the start of a cell). */
function endsInsideQuotes(text: string): boolean {
  let inside = false;
  let cellStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inside) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else inside = false;
      }
    } else if (c === ',') cellStart = true;
    else {
      if (c === '"' && cellStart) inside = true;
      cellStart = false;
    }
  }
  return inside;
}

/**
 * Reads a CSV file of labeled rows: the header names the columns; cells of schema number fields become
 * numbers, of boolean fields booleans (true/false/1/0), of the label field 0/1; an empty cell leaves
 * the field out. Columns the schema does not know are kept as text (the schema drops them).
 * @throws RiskopsError `data_contract` when the header is missing, repeats a column or lacks the label.
 */
export async function* readCsvRows(path: string, useCase: AnyUseCase): AsyncGenerator<SourceRow> {
  const kinds = new Map<string, FieldKind | 'label'>(schemaFields(useCase).map((f) => [f.name, f.kind]));
  kinds.set(useCase.label.field, 'label');
  let header: string[] | undefined;
  let pending = '';
  let start = 0;
  let lineNo = 0;
  const emit = (text: string, line: number): SourceRow | undefined => {
    const cells = parseCsvRecord(text);
    if (!Array.isArray(cells)) return { line, error: cells.error };
    if (header === undefined) {
      header = cells.map((c, i) => (i === 0 ? c.replace(/^\uFEFF/, '') : c).trim());
      const seen = new Set<string>();
      for (const name of header) {
        if (seen.has(name)) throw new RiskopsError('data_contract', `${path}: column ${name} appears twice`);
        seen.add(name);
      }
      if (!seen.has(useCase.label.field))
        throw new RiskopsError('data_contract', `${path}: no label column ${useCase.label.field}`);
      return undefined;
    }
    if (cells.length !== header.length)
      return { line, error: `expected ${header.length} cells, got ${cells.length}` };
    const row: LabeledRow = {};
    for (let j = 0; j < cells.length; j++) {
      const column = header[j] as string;
      const converted = convertCell(cells[j] as string, kinds.get(column) ?? 'string');
      if ('error' in converted) return { line, error: `${column}: ${converted.error}` };
      if (converted.value !== undefined) row[column] = converted.value;
    }
    return { line, row };
  };
  for await (const text of lines(path)) {
    lineNo++;
    if (pending === '') {
      if (text.trim() === '') continue;
      start = lineNo;
      pending = text;
    } else {
      pending += `\n${text}`;
    }
    if (endsInsideQuotes(pending)) {
      if (lineNo - start + 1 < MAX_RECORD_LINES) continue; // a quoted cell spans the line break
      yield { line: start, error: `unterminated quoted cell (lines ${start}-${lineNo} skipped)` };
      pending = '';
      continue;
    }
    const out = emit(pending, start);
    pending = '';
    if (out !== undefined) yield out;
  }
  if (pending !== '') yield { line: start, error: 'unterminated quoted cell at end of file' };
  if (header === undefined) throw new RiskopsError('data_contract', `${path}: empty file, expected a header`);
}

function jsonError(error: unknown): string {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  return position === undefined ? 'invalid JSON' : `invalid JSON at column ${Number(position) + 1}`;
}

/** Reads JSON lines, one labeled row object per line; blank lines are skipped. */
export async function* readJsonlRows(path: string): AsyncGenerator<SourceRow> {
  let line = 0;
  for await (const text of lines(path)) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { line, error: jsonError(error) };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      yield { line, error: 'not a JSON object' };
    else yield { line, row: value as LabeledRow };
  }
}

/** Reads a labeled data file by its extension (see `readCsvRows` and `readJsonlRows`). */
export function readLabeledFile(path: string, useCase: AnyUseCase): AsyncGenerator<SourceRow> {
  return dataFormatOf(path) === 'csv' ? readCsvRows(path, useCase) : readJsonlRows(path);
}

/** The columns of a use case's data file: the schema's fields, then the label. */
export function dataColumns(useCase: AnyUseCase): string[] {
  return [...schemaFields(useCase).map((f) => f.name), useCase.label.field];
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (with its line break) of `row` in `columns` order. */
export function csvLine(row: Readonly<Record<string, unknown>>, columns: readonly string[]): string {
  return `${columns.map((c) => csvCell(row[c])).join(',')}\n`;
}

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * Writes labeled rows to `path` as CSV (header from `columns`, default the use case's fields and label)
 * or JSON lines, by extension. Rows may be malformed; they are written as they are.
 */
export async function writeLabeledFile(
  path: string,
  useCase: AnyUseCase,
  rows: Iterable<Readonly<Record<string, unknown>>>,
  columns: readonly string[] = dataColumns(useCase),
): Promise<number> {
  const csv = dataFormatOf(path) === 'csv';
  const out = createWriteStream(path);
  let count = 0;
  try {
    if (csv) await write(out, `${columns.map(csvCell).join(',')}\n`);
    for (const row of rows) {
      await write(out, csv ? csvLine(row, columns) : `${JSON.stringify(row)}\n`);
      count++;
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return count;
}
