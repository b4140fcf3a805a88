/**
 * One streaming pass over a data file: per column the missing count, whether every value is a number (and an
 * integer), an ISO date, or one of a yes/no pair; the range, the skewness (Welford's running moments), up to
 * `MAX_TRACKED` distinct values with their counts; and a seeded reservoir sample of whole rows.
 */
import { createRng } from '../random/index.js';
import type { LabeledRow } from '../use-case/index.js';

/** Distinct values tracked per column; a column with more is high-cardinality text or numbers. */
export const MAX_TRACKED = 200;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface ColumnProfile {
  name: string;
  /** Rows read (including those where this column is empty). */
  rows: number;
  missing: number;
  /** Non-empty values that are numbers / integers / ISO dates. */
  numbers: number;
  integers: number;
  dates: number;
  min: number;
  max: number;
  mean: number;
  /** Sample skewness of the numbers (0 with fewer than three). */
  skewness: number;
  minDate: string;
  maxDate: string;
  longest: number;
  /** Value → count, for the first MAX_TRACKED distinct values; `overflow` when there were more. */
  values: Map<string, number>;
  overflow: boolean;
}

interface Moments {
  n: number;
  mean: number;
  m2: number;
  m3: number;
}

export interface FileProfile {
  columns: ColumnProfile[];
  rows: number;
  /** Lines the reader could not turn into a row (wrong cell count, broken quoting). */
  unreadable: { count: number; first: { line: number; error: string }[] };
  /** Seeded uniform sample of rows, in file order. */
  sample: LabeledRow[];
  /** True when reading stopped at `maxRows`. */
  truncated: boolean;
}

function emptyColumn(name: string): ColumnProfile {
  return {
    name,
    rows: 0,
    missing: 0,
    numbers: 0,
    integers: 0,
    dates: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    mean: 0,
    skewness: 0,
    minDate: '',
    maxDate: '',
    longest: 0,
    values: new Map(),
    overflow: false,
  };
}

function addMoment(m: Moments, x: number): void {
  const n1 = m.n;
  m.n += 1;
  const delta = x - m.mean;
  const deltaN = delta / m.n;
  const term1 = delta * deltaN * n1;
  m.mean += deltaN;
  m.m3 += term1 * deltaN * (m.n - 2) - 3 * deltaN * m.m2;
  m.m2 += term1;
}

function observe(column: ColumnProfile, moments: Moments, value: unknown): void {
  column.rows++;
  if (value === undefined || value === null || value === '') {
    column.missing++;
    return;
  }
  const text = String(value);
  column.longest = Math.max(column.longest, text.length);
  const count = column.values.get(text);
  if (count !== undefined) column.values.set(text, count + 1);
  else if (column.values.size < MAX_TRACKED) column.values.set(text, 1);
  else column.overflow = true;
  const trimmed = text.trim();
  if (typeof value === 'number' || NUMBER.test(trimmed)) {
    const x = Number(trimmed);
    column.numbers++;
    if (Number.isInteger(x)) column.integers++;
    column.min = Math.min(column.min, x);
    column.max = Math.max(column.max, x);
    addMoment(moments, x);
  } else if (ISO_DATE.test(trimmed) && !Number.isNaN(Date.parse(`${trimmed}T00:00:00Z`))) {
    column.dates++;
    if (column.minDate === '' || trimmed < column.minDate) column.minDate = trimmed;
    if (column.maxDate === '' || trimmed > column.maxDate) column.maxDate = trimmed;
  }
}

export interface ProfileOptions {
  header: readonly string[];
  /** Rows kept in the reservoir sample. */
  sampleRows: number;
  seed: number;
  /** Stop reading after this many rows. */
  maxRows: number;
}

/** Profiles every column over the rows (a stream of reader rows or errors). */
export async function profileRows(
  rows: AsyncIterable<{ line: number; row: LabeledRow } | { line: number; error: string }>,
  options: ProfileOptions,
): Promise<FileProfile> {
  const columns = options.header.map(emptyColumn);
  const moments = columns.map((): Moments => ({ n: 0, mean: 0, m2: 0, m3: 0 }));
  const rng = createRng(options.seed);
  const reservoir: { index: number; row: LabeledRow }[] = [];
  const unreadable: FileProfile['unreadable'] = { count: 0, first: [] };
  let count = 0;
  let truncated = false;
  for await (const source of rows) {
    if ('error' in source) {
      unreadable.count++;
      if (unreadable.first.length < 3) unreadable.first.push(source);
      continue;
    }
    if (count >= options.maxRows) {
      truncated = true;
      break;
    }
    columns.forEach((column, j) => {
      observe(column, moments[j] as Moments, source.row[column.name]);
    });
    // Reservoir sampling (Algorithm R): every row has the same chance to be kept.
    if (reservoir.length < options.sampleRows) reservoir.push({ index: count, row: source.row });
    else {
      const k = rng.int(count + 1);
      if (k < options.sampleRows) reservoir[k] = { index: count, row: source.row };
    }
    count++;
  }
  columns.forEach((column, j) => {
    const m = moments[j] as Moments;
    column.mean = m.mean;
    column.skewness = m.n < 3 || m.m2 === 0 ? 0 : (Math.sqrt(m.n) * m.m3) / m.m2 ** 1.5;
  });
  reservoir.sort((a, b) => a.index - b.index);
  return { columns, rows: count, unreadable, sample: reservoir.map((r) => r.row), truncated };
}
