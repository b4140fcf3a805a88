/**
 * @module Building blocks shared by the use cases' schemas, features and synthetic generators:
 * ISO-date arithmetic, option checking, independent random streams and the data-quality knobs
 * (data drift, missing optional fields, malformed rows). Nothing here knows a particular use case.
 */

import { createRng, type Rng } from '../platform/random/index.js';
import type { GeneratorOptions, LabeledRow } from '../platform/use-case/index.js';

const DAY_MS = 86_400_000;

/** Zod error option: a missing required field says so instead of "expected number, received undefined". */
export const REQUIRED = {
  error: (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined ? 'Required field is missing' : undefined,
};

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written in `iso[from, from + n)`, or -1 when any of those characters is not a digit. */
function digitsAt(iso: string, from: number, n: number): number {
  let value = 0;
  for (let i = from; i < from + n; i++) {
    const c = iso.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/** Days since 1970-01-01 of a real calendar date (proleptic Gregorian, days-from-civil). */
function civilDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/**
 * Days since 1970-01-01 of an ISO date or datetime (its own calendar date, offset ignored). A well-formed
 * `YYYY-MM-DD` of a real date is counted directly (batch scoring calls this millions of times); anything
 * else goes through `Date.parse`, as it always did.
 */
export function dayNumber(iso: string): number {
  if (iso.length >= 10 && iso.charCodeAt(4) === 45 && iso.charCodeAt(7) === 45) {
    const year = digitsAt(iso, 0, 4);
    const month = digitsAt(iso, 5, 2);
    const day = digitsAt(iso, 8, 2);
    if (year >= 1000 && month >= 1 && month <= 12 && day >= 1) {
      const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
      if (day <= (MONTH_DAYS[month - 1] as number) + (leap ? 1 : 0)) return civilDays(year, month, day);
    }
  }
  return Math.floor(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / DAY_MS);
}

/** Whole days from `from` to `to` (ISO dates); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

export function addDays(isoDate: string, days: number): string {
  return new Date((dayNumber(isoDate) + days) * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, of the calendar date written in an ISO date or datetime. */
export function weekday(iso: string): number {
  return (dayNumber(iso) + 4) % 7;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

export function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f + 0; // + 0 turns -0 into 0, which JSON cannot tell apart
}

/** Draws from a log-normal with the given median and log-scale sigma. */
export function logNormal(rng: Rng, median: number, sigma: number, shift = 0): number {
  return median * Math.exp(sigma * (rng.normal() + shift));
}

export interface ResolvedOptions {
  rows: number;
  seed: number;
  startDate: string;
  spanDays: number;
  dataDrift: Readonly<Record<string, number>>;
  conceptDrift: number;
  missingRate: number;
  malformedRate: number;
}

/**
 * Applies defaults and checks the knobs.
 * @throws RangeError on a negative or fractional row count, a bad start date, or a rate outside [0, 1].
 */
export function resolveOptions(options: GeneratorOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    rows: options.rows,
    seed: options.seed,
    startDate: options.startDate ?? '2026-01-01',
    spanDays: options.spanDays ?? 180,
    dataDrift: options.dataDrift ?? {},
    conceptDrift: options.conceptDrift ?? 0,
    missingRate: options.missingRate ?? 0,
    malformedRate: options.malformedRate ?? 0,
  };
  if (!Number.isInteger(resolved.rows) || resolved.rows < 0)
    throw new RangeError('rows must be an integer >= 0');
  if (!Number.isInteger(resolved.seed)) throw new RangeError('seed must be an integer');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(resolved.startDate) || Number.isNaN(Date.parse(resolved.startDate)))
    throw new RangeError(`startDate must be an ISO date, got ${resolved.startDate}`);
  if (!Number.isInteger(resolved.spanDays) || resolved.spanDays < 1)
    throw new RangeError('spanDays must be an integer >= 1');
  for (const key of ['conceptDrift', 'missingRate', 'malformedRate'] as const) {
    const value = resolved[key];
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${key} must be in [0, 1], got ${value}`);
  }
  return resolved;
}

/** The calendar date of each row: rows are in date order, spread evenly over the span. */
export function createRowDates(options: ResolvedOptions): (index: number) => string {
  const cache = new Map<number, string>();
  return (index) => {
    const offset = options.rows === 0 ? 0 : Math.floor((index * options.spanDays) / options.rows);
    let date = cache.get(offset);
    if (date === undefined) {
      date = addDays(options.startDate, offset);
      cache.set(offset, date);
    }
    return date;
  };
}

/** The labeled row of a record: absent optional fields become absent keys, the label comes last. */
export function toRow(
  record: Readonly<Record<string, unknown>>,
  labelField: string,
  label: 0 | 1,
): LabeledRow {
  const row: LabeledRow = {};
  for (const key in record) {
    const value = record[key];
    if (value !== undefined) row[key] = value;
  }
  row[labelField] = label;
  return row;
}

/**
 * Independent streams, forked in a fixed order whatever the knobs, so turning one knob on does not
 * perturb the records, labels or the other knobs' choices.
 */
export interface Streams {
  records: Rng;
  labels: Rng;
  drift: Rng;
  missing: Rng;
  malformed: Rng;
}

export function createStreams(seed: number): Streams {
  const root = createRng(seed);
  return {
    records: root.fork('records'),
    labels: root.fork('labels'),
    drift: root.fork('drift'),
    missing: root.fork('missing'),
    malformed: root.fork('malformed'),
  };
}

/** What data drift can move: numeric fields (with the spread one unit of shift means) and categoricals. */
export interface DriftTable {
  numeric: Readonly<Record<string, number>>;
  categorical: Readonly<Record<string, readonly string[]>>;
  /** Boolean fields: a shift of s moves the log-odds of `true` by s. */
  boolean: readonly string[];
  /** Feature input names that read one field under another name, mapped to that field. */
  aliases?: Readonly<Record<string, string>>;
}

/** Per-row data-drift lookups, resolved once from the options. */
export interface DriftPlan {
  /** Shift to add to a numeric field, in that field's own units (0 without drift). */
  numeric(field: string): number;
  /** Returns `value`, or with probability 1 − e^(−s/2) the last category of the vocabulary. */
  categorical<T extends string>(field: string, value: T, categories: readonly T[]): T;
  /** Probability of `true` after a drift of s in log-odds. */
  boolean(field: string, probability: number): number;
}

/**
 * Resolves `dataDrift` against a use case's drift table.
 * @throws RangeError on a key that is neither a driftable field nor an alias, or a non-finite shift.
 */
export function createDriftPlan(
  dataDrift: Readonly<Record<string, number>>,
  table: DriftTable,
  rng: Rng,
): DriftPlan {
  const shifts = new Map<string, number>();
  for (const [key, shift] of Object.entries(dataDrift)) {
    const field = table.aliases?.[key] ?? key;
    const known = field in table.numeric || field in table.categorical || table.boolean.includes(field);
    if (!known) throw new RangeError(`dataDrift: ${key} is not a driftable field`);
    if (!Number.isFinite(shift)) throw new RangeError(`dataDrift: ${key} must be a finite number`);
    shifts.set(field, (shifts.get(field) ?? 0) + shift);
  }
  return {
    numeric: (field) => (shifts.get(field) ?? 0) * (table.numeric[field] ?? 0),
    categorical(field, value, categories) {
      const u = rng.next();
      const shift = Math.abs(shifts.get(field) ?? 0);
      const last = categories[categories.length - 1];
      return shift > 0 && last !== undefined && u < 1 - Math.exp(-shift / 2) ? last : value;
    },
    boolean(field, probability) {
      const shift = shifts.get(field) ?? 0;
      if (shift === 0) return probability;
      return sigmoid(Math.log(probability / (1 - probability)) + shift);
    },
  };
}

/** Drops each listed optional field with probability `rate` (one draw per field, always taken). */
export function dropOptional(row: LabeledRow, fields: readonly string[], rng: Rng, rate: number): void {
  for (const field of fields) if (rng.next() < rate) delete row[field];
}

/** Fields a malformed row can be broken in; each must be required in the schema. */
export interface MalformTargets {
  /** Required numeric fields: given as a string, or made negative. */
  numeric: readonly string[];
  /** Required ISO date or datetime fields. */
  dates: readonly string[];
  /** Required enum fields. */
  enums: readonly string[];
  /** Required boolean fields. */
  booleans: readonly string[];
  /** Required fields of any kind that may be left out. */
  required: readonly string[];
}

const BAD_DATES = ['2026-02-30', '31/01/2026', 'not a date', '', '2026-1-5'];
const BAD_NUMBER_TEXT = ['1,234.50', 'n/a', '', 'twelve', '42 EUR'];

/**
 * With probability `rate`, breaks the row in one of several ways so that it fails the schema: a string
 * where a number belongs, a negative number, a bad date, an unknown enum value, a string for a boolean,
 * or a required field left out. Always takes three draws, so the other rows' choices are unaffected.
 */
export function malform(row: LabeledRow, targets: MalformTargets, rng: Rng, rate: number): boolean {
  const hit = rng.next() < rate;
  const kind = rng.int(6);
  const pickIndex = rng.next();
  if (!hit) return false;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(pickIndex * items.length)] as T;
  switch (kind) {
    case 0: {
      const field = pick(targets.numeric);
      row[field] = BAD_NUMBER_TEXT[Math.floor(pickIndex * 997) % BAD_NUMBER_TEXT.length];
      break;
    }
    case 1: {
      const field = pick(targets.numeric);
      const value = row[field];
      row[field] = typeof value === 'number' && value !== 0 ? -Math.abs(value) : -1;
      break;
    }
    case 2:
      row[pick(targets.dates)] = BAD_DATES[Math.floor(pickIndex * 997) % BAD_DATES.length];
      break;
    case 3:
      row[pick(targets.enums)] = 'UNKNOWN';
      break;
    case 4:
      row[pick(targets.booleans)] = 'yes';
      break;
    default:
      delete row[pick(targets.required)];
  }
  return true;
}
