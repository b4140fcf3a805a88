/**
 * From a file profile to a use-case plan: each column's type and role (feature, entity id, reference date,
 * sensitive or personal attribute, text kept out of the features, dropped), the label and its positive value,
 * and the settings derived from the data (bands and gate from the base rate).
 */
import { createHash } from 'node:crypto';
import { RiskopsError } from '../errors/index.js';
import { BOOLEAN_WORDS, byCount, type LabelPlan, planLabel } from './label.js';
import type { ColumnProfile, FileProfile } from './profile.js';

export type { LabelPlan } from './label.js';

/** A string column with at most this many levels (and repeats) is a categorical feature. */
export const MAX_LEVELS = 30;

export type ColumnKind = 'number' | 'integer' | 'boolean' | 'category' | 'date' | 'text';
export type ColumnRole = 'feature' | 'id' | 'reference_date' | 'sensitive' | 'pii' | 'text' | 'constant';

export interface PlannedColumn {
  /** As in the file: the schema key and the JSON field callers send. */
  name: string;
  /** snake_case: the feature name (and constant names derive from it). */
  key: string;
  kind: ColumnKind;
  role: ColumnRole;
  missingRate: number;
  profile: ColumnProfile;
  /** Numbers: schema limits (see `limits`) and whether the feature takes log1p. */
  lower?: number;
  upper?: number;
  log1p?: boolean;
  /** Booleans the file spells as words rather than true/false/1/0. */
  words?: { yes: string; no: string };
  /** Categories, most frequent first. */
  levels?: string[];
}

export interface ScaffoldPlan {
  name: string;
  camel: string;
  pascal: string;
  title: string;
  source: string;
  rows: number;
  columns: PlannedColumn[];
  dropped: { name: string; reason: string }[];
  label: LabelPlan;
  entityIdField: string;
  rowHash: boolean;
  /** The date each record describes (label maturity counts from it); `addedAsOf` when the file has none. */
  referenceDate: string;
  addedAsOf: boolean;
  sensitive?: string;
  pii: string[];
  segment: string;
  seed: number;
  bands: { low: number; review: number };
  maxBrier: number;
  notes: string[];
}

export interface PlanOptions {
  name: string;
  source: string;
  label: string;
  positive?: string | undefined;
  id?: string | undefined;
}

/** What the data-file reader itself turns into booleans. */
const NATIVE_BOOLEAN = new Set(['true', 'false', '1', '0']);
const SENSITIVE =
  /(^|_)(gender|sex|race|ethnic\w*|religio\w*|nationality|marital\w*|age_band|age_group|senior\w*)($|_)/;
/** Columns that usually make good segments for per-segment metrics. */
const SEGMENT = /(^|_)(region|country|state|segment|plan|contract|channel|product|tier|market)($|_)/;
const PERSONAL =
  /(^|_)(e_?mail|phone|mobile|name|first_name|last_name|full_name|address|street|postcode|zip|ssn|iban|birth\w*|dob|ip)($|_)/;

/** `MonthlyCharges`, `Monthly Charges`, `customerID` → `monthly_charges`, `monthly_charges`, `customer_id`. */
export function snakeCase(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(snake) ? snake : `f_${snake}`;
}

function camelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Rounds up to one significant digit: 720 → 800, 1187.5 → 2000, 0.45 → 0.5. */
export function niceCeil(x: number): number {
  if (x <= 0) return 0;
  const p = 10 ** Math.floor(Math.log10(x));
  return Number((Math.ceil(x / p - 1e-9) * p).toPrecision(12));
}

/**
 * Schema limits from the observed range: the sign seen is enforced (non-negative stays non-negative) and the
 * magnitude may grow tenfold (rounded up), so tomorrow's larger value scores while a unit slip or a corrupt
 * value is refused.
 */
export function limits(min: number, max: number): { lower: number; upper: number } {
  return {
    lower: min >= 0 ? 0 : -niceCeil(-min * 10),
    upper: max <= 0 ? 0 : niceCeil(max * 10),
  };
}

function twoDigits(x: number): number {
  return Number(x.toPrecision(2));
}

function inferKind(column: ColumnProfile, present: number): Pick<PlannedColumn, 'kind' | 'words' | 'levels'> {
  const distinct = [...column.values.keys()];
  const lower = [...new Set(distinct.map((v) => v.trim().toLowerCase()))];
  if (!column.overflow && lower.length === 2) {
    const pair = BOOLEAN_WORDS.find(([t, f]) => lower.includes(t) && lower.includes(f));
    if (pair !== undefined) {
      if (lower.every((v) => NATIVE_BOOLEAN.has(v))) return { kind: 'boolean' };
      const spelled = (word: string) => distinct.find((v) => v.trim().toLowerCase() === word) ?? word;
      return { kind: 'boolean', words: { yes: spelled(pair[0]), no: spelled(pair[1]) } };
    }
  }
  if (column.numbers === present) return { kind: column.integers === present ? 'integer' : 'number' };
  if (column.dates === present) return { kind: 'date' };
  if (!column.overflow && distinct.length <= MAX_LEVELS && distinct.length < present / 2)
    return { kind: 'category', levels: byCount(column) };
  return { kind: 'text' };
}

/**
 * Plans the use case.
 * @throws RiskopsError `data_contract` for a label that is missing or not binary, or a file with no usable
 *   column; `invalid_input` for a bad name, `--id` or `--positive`.
 */
export function planUseCase(profile: FileProfile, options: PlanOptions): ScaffoldPlan {
  const { name } = options;
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(name))
    throw new RiskopsError(
      'invalid_input',
      `use case name ${name}: use snake_case (a-z, 0-9, _), starting with a letter`,
    );
  if (profile.rows === 0)
    throw new RiskopsError('data_contract', `${options.source}: the file has a header but no data rows`);
  const byName = new Map(profile.columns.map((c) => [c.name, c]));
  const label = planLabel(byName.get(options.label), options);
  if (options.id !== undefined && !byName.has(options.id))
    throw new RiskopsError(
      'invalid_input',
      `--id ${options.id}: no such column (columns: ${[...byName.keys()].join(', ')})`,
    );
  if (options.id === options.label)
    throw new RiskopsError('invalid_input', '--id cannot be the label column');

  const notes: string[] = [];
  const dropped: ScaffoldPlan['dropped'] = [];
  const columns: PlannedColumn[] = [];
  const keys = new Set<string>();
  for (const column of profile.columns) {
    if (column.name === options.label) continue;
    const present = column.rows - column.missing;
    if (present === 0) {
      dropped.push({ name: column.name, reason: 'every value is missing' });
      continue;
    }
    let key = snakeCase(column.name);
    while (keys.has(key)) key = `${key}_2`;
    keys.add(key);
    const planned: PlannedColumn = {
      name: column.name,
      key,
      ...inferKind(column, present),
      role: 'feature',
      missingRate: column.missing / column.rows,
      profile: column,
    };
    if (planned.kind === 'number' || planned.kind === 'integer') {
      Object.assign(planned, limits(column.min, column.max));
      planned.log1p = column.min >= 0 && column.skewness > 1;
    }
    if (column.name === options.id) {
      planned.role = 'id';
      planned.kind = 'text';
    } else if (column.values.size === 1 && !column.overflow) planned.role = 'constant';
    else if (SENSITIVE.test(key)) planned.role = 'sensitive';
    else if (PERSONAL.test(key) && (planned.kind === 'text' || planned.kind === 'date')) planned.role = 'pii';
    else if (planned.kind === 'text') planned.role = 'text';
    columns.push(planned);
  }

  const dates = columns.filter((c) => c.kind === 'date' && c.role === 'feature');
  const reference = dates[0];
  if (reference !== undefined) reference.role = 'reference_date';
  const features = columns.filter((c) => c.role === 'feature');
  if (features.length === 0)
    throw new RiskopsError(
      'data_contract',
      `${options.source}: no column can be a feature (numbers, yes/no, categories of up to ${MAX_LEVELS} levels, dates)`,
    );
  const sensitive = columns.filter((c) => c.role === 'sensitive');
  const segments = features.filter((c) => c.kind === 'category' && (c.levels?.length ?? 0) <= 12);
  const segment =
    segments.find((c) => SEGMENT.test(c.key)) ??
    segments.sort((a, b) => (b.levels?.length ?? 0) - (a.levels?.length ?? 0))[0] ??
    features.find((c) => c.kind === 'boolean');
  const idColumn = columns.find((c) => c.role === 'id');
  let entityIdField = idColumn?.name ?? 'row_hash';
  while (idColumn === undefined && byName.has(entityIdField)) entityIdField = `${entityIdField}_id`;
  const referenceDate = reference?.name ?? 'as_of';

  if (idColumn === undefined) {
    const candidates = columns.filter(
      (c) =>
        (c.kind === 'text' || c.kind === 'integer') &&
        !c.profile.overflow &&
        c.profile.values.size === c.profile.rows,
    );
    const named = columns.filter((c) => /(^|_)id$/.test(c.key) && c.profile.overflow);
    const hint = [...candidates, ...named].map((c) => c.name);
    notes.push(
      `no id column given: the entity id is ${entityIdField}, the first 16 hex digits of the sha256 of the record's fields — the same record always gets the same id${hint.length > 0 ? `; ${hint.slice(0, 3).join(', ')} look${hint.length === 1 ? 's' : ''} like an id: re-run with --id ${hint[0]}` : ''}`,
    );
  }
  if (reference === undefined)
    notes.push(
      'no ISO date column (YYYY-MM-DD): added an optional as_of date field; label maturity counts from it — send it when scoring',
    );
  const p = label.rate;
  const low = twoDigits(p);
  let review = twoDigits(Math.min(0.8, Math.max(2 * p, p + 0.05)));
  if (review <= low) review = twoDigits((low + 1) / 2);
  const title = name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return {
    name,
    camel: camelCase(name),
    pascal: camelCase(name).replace(/^./, (c) => c.toUpperCase()),
    title,
    source: options.source,
    rows: profile.rows,
    columns,
    dropped,
    label,
    entityIdField,
    rowHash: idColumn === undefined,
    referenceDate,
    addedAsOf: reference === undefined,
    ...(sensitive[0] === undefined ? {} : { sensitive: sensitive[0].name }),
    pii: columns.filter((c) => c.role === 'pii').map((c) => c.name),
    segment: segment?.name ?? entityIdField,
    seed: Number.parseInt(createHash('sha256').update(name).digest('hex').slice(0, 7), 16),
    bands: { low, review },
    maxBrier: Number((p * (1 - p)).toFixed(4)),
    notes,
  };
}
