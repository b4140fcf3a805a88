import { Parser } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { RiskopsError } from '../errors/index.js';
import type { ColumnKind } from './fields.js';
import { createPlainLines } from './plain-lines.js';
import type { ByteSource, ReadOptions, TabularItem } from './records.js';
import { type BuiltRow, refusal, rowBuilder } from './row-builder.js';

export interface CsvReadOptions extends ReadOptions {
  /** Per column, how cells convert; columns not listed stay text. */
  kinds?: ReadonlyMap<string, ColumnKind>;
  /** Sees the header's column names (trimmed, BOM removed) and may throw to refuse the file. */
  onHeader?: (columns: readonly string[]) => void;
  /**
   * Read the file's leading quote-free LF lines without csv-parse (default true; see `plainLines`). False
   * sends every byte through csv-parse (tests compare the two).
   */
  plainLines?: boolean;
}

interface CsvErrorLike {
  code?: string;
  index?: number;
  message: string;
  lines?: number;
}

/** A parser error as a reject reason that names the cell. */
function reasonOf(error: CsvErrorLike): string {
  const cell = (error.index ?? 0) + 1;
  switch (error.code) {
    case 'INVALID_OPENING_QUOTE':
      return `quote inside an unquoted cell ${cell}`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `text after a closing quote in cell ${cell}`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unterminated quoted cell';
    default:
      return error.message;
  }
}

/** The record text without blank lines before it and without its own line break. */
function trimRaw(raw: string): string {
  let start = 0;
  while (isBreak(raw.charCodeAt(start))) start++;
  let end = raw.length;
  while (end > start && isBreak(raw.charCodeAt(end - 1))) end--;
  return start === 0 && end === raw.length ? raw : raw.slice(start, end);
}

function isBreak(c: number): boolean {
  return c === 10 || c === 13;
}

/**
 * Line breaks in `text[from, to)`: CRLF, LF or a lone CR each count once. (csv-parse's raw text of a CRLF
 * file keeps only the CR of a record's own delimiter, so a lone CR is a line break too.)
 */
function breaks(text: string, from = 0, to = text.length): number {
  let count = 0;
  if (text.indexOf('\r', from) === -1) {
    // LF only (the common case): let indexOf find them.
    for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++;
    return count;
  }
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      count++;
      if (text.charCodeAt(i + 1) === 10) i++;
    } else if (c === 10) count++;
  }
  return count;
}

/** Line breaks before the record's first character (blank lines csv-parse folded into its raw text). */
function leadingBreaks(raw: string): number {
  let end = 0;
  while (isBreak(raw.charCodeAt(end))) end++;
  return end === 0 ? 0 : breaks(raw, 0, end);
}

const PARSER_OPTIONS = {
  bom: true,
  raw: true,
  relax_column_count: true,
  skip_empty_lines: true,
  skip_records_with_error: true,
} as const;

/**
 * Splits one CSV record into cells (RFC 4180: quoted cells may hold commas, doubled quotes and line
 * breaks). Returns a reason instead when the quoting is broken.
 */
export function parseCsvRecord(text: string): string[] | { error: string } {
  try {
    const records = parseSync(text, { relax_column_count: true }) as string[][];
    return records[0] ?? [''];
  } catch (error) {
    return { error: reasonOf(error as CsvErrorLike) };
  }
}

/**
 * Streams CSV (RFC 4180 through csv-parse: quotes, embedded commas and line breaks, CRLF, a BOM) as
 * batches of rows, one batch per input chunk. Leading lines without any quote or carriage return, where
 * every parser agrees a line is a record and a comma a cell boundary, skip csv-parse (see `plainLines`);
 * from the first line that has one, csv-parse reads the rest of the file. The first record is the header. A record that cannot
 * become a row (broken quoting, wrong cell count, a cell its column kind refuses) is yielded as a
 * reject with its line and raw text, never dropped.
 * @throws RiskopsError `data_contract` for an empty file or a header that repeats a column.
 */
export async function* readCsv(
  input: ByteSource,
  options: CsvReadOptions = {},
): AsyncGenerator<TabularItem[]> {
  const source = options.source ?? 'CSV input';
  const offset = options.lineOffset ?? 0;
  let header: string[] | undefined;
  let kinds: ColumnKind[] = [];
  let build: (cells: string[]) => BuiltRow = () => ({});
  let out: TabularItem[] = [];
  let failure: unknown;

  // Line numbers are counted from the raw text itself (csv-parse's own count drifts on CRLF inside quotes).
  let nextLine = 1;
  const startOf = (raw: string): number => nextLine + leadingBreaks(raw);
  const takeRecord = (cells: string[], text: string, line: number): void => {
    if (header === undefined) {
      header = cells.map((c) => c.trim());
      const seen = new Set<string>();
      for (const name of header) {
        if (seen.has(name))
          throw new RiskopsError('data_contract', `${source}: column ${name} appears twice`);
        seen.add(name);
      }
      options.onHeader?.(header);
      kinds = header.map((name) => options.kinds?.get(name) ?? 'string');
      build = rowBuilder(header, kinds);
      return;
    }
    if (cells.length === 1 && (cells[0] as string).trim() === '') return; // a blank line
    if (cells.length !== header.length) {
      out.push({
        line: line + offset,
        raw: text,
        error: `expected ${header.length} cells, got ${cells.length}`,
      });
      return;
    }
    const row = build(cells);
    if (typeof row === 'number') {
      const reason = refusal(cells[row] as string, kinds[row] as ColumnKind);
      out.push({ line: line + offset, raw: text, error: `${header[row]}: ${reason}` });
      return;
    }
    out.push({ line: line + offset, raw: text, row });
  };

  let parser: Parser | undefined;
  let finished: Promise<void> | undefined;
  /** csv-parse, created when the first byte that needs it arrives; it reads everything from there on. */
  const csvParse = (): Parser => {
    if (parser !== undefined) return parser;
    const created = new Parser({
      ...PARSER_OPTIONS,
      ...(plain.sawLineBreak ? { record_delimiter: '\n' } : {}),
      // With `raw`, csv-parse hands each record over as `{ record, raw }`.
      on_record: (record: unknown) => {
        const { record: cells, raw } = record as { record: string[]; raw: string };
        try {
          const line = startOf(raw);
          nextLine += breaks(raw);
          takeRecord(cells, trimRaw(raw), line);
        } catch (error) {
          failure ??= error;
        }
        return null;
      },
      on_skip: (error: CsvErrorLike | undefined, raw: string | undefined) => {
        // csv-parse drops the rest of a broken record up to its line break, which `raw` does not include.
        const text = trimRaw(raw ?? '');
        const line = startOf(raw ?? '') + offset;
        nextLine += breaks(raw ?? '') + (/[\r\n]$/.test(raw ?? '') ? 0 : 1);
        out.push({ line, raw: text, error: error === undefined ? 'unreadable record' : reasonOf(error) });
        return undefined;
      },
    });
    finished = new Promise<void>((resolve, reject) => {
      created.on('finish', resolve);
      created.on('error', reject);
    });
    created.resume();
    parser = created;
    return created;
  };
  const plain = createPlainLines(
    options.plainLines !== false,
    (cells, text) => {
      const line = nextLine++;
      takeRecord(cells, text, line);
    },
    () => {
      nextLine++;
    },
  );

  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const rest = parser === undefined ? plain.write(bytes) : bytes;
    if (rest !== undefined) csvParse().write(rest);
    if (failure !== undefined) throw failure;
    if (out.length > 0) {
      const batch = out;
      out = [];
      yield batch;
    }
  }
  const rest = parser === undefined ? plain.end() : undefined;
  if (rest !== undefined) csvParse().write(rest);
  if (parser !== undefined) {
    parser.end();
    await finished;
  }
  if (failure !== undefined) throw failure;
  if (out.length > 0) yield out;
  if (header === undefined)
    throw new RiskopsError('data_contract', `${source}: empty file, expected a header`);
}
