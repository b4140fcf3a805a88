/**
 * Data validation before training: the data contract a training set must meet. Rows that fail the use
 * case's schema or carry a bad label are rejected (line and reason kept); the rest are checked for valid
 * row count, missing values, label balance and, against a previous model's reference profile, drift.
 */
import { createHash } from 'node:crypto';
import {
  type BinProfile,
  binCounts,
  countCategorical,
  countNumeric,
  psi,
  psiBand,
  psiCriticalValue,
} from '../drift/index.js';
import { RiskopsError } from '../errors/index.js';
import type { AnyUseCase, LabelDefinition, LabeledRow } from '../use-case/index.js';
import { type SourceRow, schemaFields } from './data-file.js';

export interface ValidationThresholds {
  /** Fewer valid rows than this is a contract error. */
  minValidRows: number;
  /** A smaller share of valid rows among the input is a contract error. */
  minValidShare: number;
  /** Missing share of a required field above which a warning, and an error, are raised. */
  missingWarning: number;
  missingError: number;
  /** Fewer positives (or negatives) than this is a contract error. */
  minPositives: number;
  /** PSI bands of the distribution check against the previous training set (reported, never fatal). */
  psiWatch: number;
  psiAct: number;
}

export const DEFAULT_VALIDATION_THRESHOLDS: ValidationThresholds = {
  minValidRows: 1000,
  minValidShare: 0.5,
  missingWarning: 0.2,
  missingError: 0.5,
  minPositives: 20,
  psiWatch: 0.1,
  psiAct: 0.2,
};

/** Rejected rows listed one by one in the report; all of them are counted. */
export const LISTED_REJECTS = 100;
/** Distinct reject reasons listed, most frequent first. */
export const LISTED_REASONS = 20;

export interface RowReject {
  /** File line (a CSV header is line 1) or, for generated data, the 1-based row number. */
  line: number;
  reasons: string[];
}

export interface ValidationIssue {
  severity: 'error' | 'warning';
  check: 'valid_rows' | 'missing_rate' | 'label_balance' | 'distribution';
  field?: string;
  message: string;
}

export interface FieldMissing {
  field: string;
  required: boolean;
  missing: number;
  rate: number;
}

export interface FeatureDrift {
  name: string;
  psi: number;
  band: 'stable' | 'watch' | 'act';
  /** PSI that samples of these sizes exceed 5% of the time without drift. */
  criticalValue: number;
}

/** `validation.json`: everything the checks found, without wall-clock time. */
export interface ValidationReport {
  useCase: string;
  source: string;
  passed: boolean;
  errors: number;
  warnings: number;
  rows: { input: number; valid: number; rejected: number };
  label: { field: string; positives: number; negatives: number; positiveRate: number };
  thresholds: ValidationThresholds;
  issues: ValidationIssue[];
  rejectReasons: { reason: string; count: number }[];
  rejects: RowReject[];
  missing: FieldMissing[];
  /** Against the previous model's reference profile, when one was given. */
  distribution: { reference: string; referenceRows: number; features: FeatureDrift[] } | null;
}

export interface ValidatedData {
  /** Schema-parsed records of the valid rows, in input order. */
  records: Record<string, unknown>[];
  labels: Uint8Array;
  /** sha256 over the canonical JSON lines of the valid rows (record plus label), in order. */
  dataHash: string;
  report: ValidationReport;
}

export interface ValidationOptions {
  source: string;
  thresholds?: Partial<ValidationThresholds>;
  /** The previous model's reference profile (`manifest.reference.features`) and a name for it. */
  previous?: { features: readonly BinProfile[]; rows: number; name: string } | undefined;
  /** Called every `progressEvery` input rows (default 10 000). */
  onProgress?: (rows: number) => void;
  progressEvery?: number;
}

function label(value: unknown, text: LabelDefinition['values']): 0 | 1 | undefined {
  if (value === 0 || value === false) return 0;
  if (value === 1 || value === true) return 1;
  if (text !== undefined && typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === text.positive.trim().toLowerCase()) return 1;
    if (v === text.negative.trim().toLowerCase()) return 0;
  }
  return undefined;
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** JSON with sorted keys and without null or absent fields, so CSV and JSONL of the same data agree. */
export function canonicalJson(row: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(row)
    .filter((k) => row[k] !== undefined && row[k] !== null)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(row[k])}`).join(',')}}`;
}

/** Counts of one feature's raw values in the frozen bins of `profile`. */
function countInto(profile: BinProfile, values: readonly (number | string | boolean | null)[]): BinProfile {
  if (profile.kind === 'numeric')
    return countNumeric(
      profile,
      values.map((v) => (typeof v === 'number' ? v : null)),
    );
  return countCategorical(
    profile,
    values.map((v) => (typeof v === 'number' ? String(v) : v)),
  );
}

/**
 * PSI per feature input of `records` against frozen reference bins (the previous manifest's
 * `reference.features`); features the reference does not hold are left out.
 */
export function distributionCheck(
  useCase: AnyUseCase,
  records: readonly Record<string, unknown>[],
  reference: readonly BinProfile[],
  thresholds: Pick<ValidationThresholds, 'psiWatch' | 'psiAct'> = DEFAULT_VALIDATION_THRESHOLDS,
): FeatureDrift[] {
  const raws = records.map((r) => useCase.features.raw(r));
  const byName = new Map(reference.map((p) => [p.name, p]));
  const out: FeatureDrift[] = [];
  useCase.features.inputs.forEach((input, j) => {
    const profile = byName.get(input.name);
    if (profile === undefined) return;
    const current = countInto(
      profile,
      raws.map((row) => row[j] ?? null),
    );
    const value = psi(profile, current);
    const referenceRows = binCounts(profile).reduce((a, b) => a + b, 0);
    out.push({
      name: input.name,
      psi: value,
      band: psiBand(value, thresholds.psiWatch, thresholds.psiAct),
      criticalValue: psiCriticalValue(binCounts(profile).length, referenceRows, records.length),
    });
  });
  return out;
}

function topReasons(counts: Map<string, number>): { reason: string; count: number }[] {
  return [...counts]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0))
    .slice(0, LISTED_REASONS);
}

/** The message of a `data_contract` error: the counts, the failed checks and the top reject reasons. */
function contractMessage(useCase: string, report: ValidationReport): string {
  const { input, valid, rejected } = report.rows;
  const failed = report.issues.filter((i) => i.severity === 'error').map((i) => `  - ${i.message}`);
  const reasons = report.rejectReasons.slice(0, 5).map((r) => `  - ${r.reason} (${r.count} rows)`);
  return [
    `${useCase} training data breaks the data contract: ${valid} of ${input} rows valid, ${rejected} rejected.`,
    ...failed,
    ...(reasons.length > 0 ? ['Top reject reasons:', ...reasons] : []),
  ].join('\n');
}

/**
 * Validates labeled rows (or reader errors) against the use case's data contract.
 * @throws RiskopsError `data_contract` when any check fails (too few valid rows, a required field
 *   mostly missing, too few positives or negatives); `details.report` holds the full report.
 */
export async function validateTrainingData(
  useCase: AnyUseCase,
  rows: Iterable<SourceRow> | AsyncIterable<SourceRow>,
  options: ValidationOptions,
): Promise<ValidatedData> {
  const thresholds = { ...DEFAULT_VALIDATION_THRESHOLDS, ...options.thresholds };
  const fields = schemaFields(useCase);
  const missingCounts = new Array<number>(fields.length).fill(0);
  const labelField = useCase.label.field;
  const labelText = useCase.label.values;
  const records: Record<string, unknown>[] = [];
  const labels: number[] = [];
  const rejects: RowReject[] = [];
  const reasonCounts = new Map<string, number>();
  const hash = createHash('sha256');
  const every = options.progressEvery ?? 10_000;
  let input = 0;
  let objects = 0;
  let rejected = 0;

  const reject = (line: number, reasons: string[]): void => {
    rejected++;
    if (rejects.length < LISTED_REJECTS) rejects.push({ line, reasons });
    for (const reason of reasons) reasonCounts.set(reason, (reasonCounts.get(reason) ?? 0) + 1);
  };

  for await (const source of rows) {
    input++;
    if (options.onProgress !== undefined && input % every === 0) options.onProgress(input);
    if ('error' in source) {
      reject(source.line, [source.error]);
      continue;
    }
    const row: LabeledRow = source.row;
    objects++;
    fields.forEach((f, i) => {
      if (isMissing(row[f.name])) missingCounts[i] = (missingCounts[i] as number) + 1;
    });
    const reasons: string[] = [];
    const parsed = useCase.schema.safeParse(row);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.length === 0 ? '(row)' : issue.path.map(String).join('.');
        reasons.push(`${path}: ${issue.message}`);
      }
    }
    const y = label(row[labelField], labelText);
    if (y === undefined)
      reasons.push(
        isMissing(row[labelField])
          ? `${labelField}: label is missing`
          : `${labelField}: label must be ${labelText === undefined ? '' : `${labelText.positive}/${labelText.negative}, `}0/1 or true/false`,
      );
    if (reasons.length > 0 || !parsed.success || y === undefined) {
      reject(source.line, reasons);
      continue;
    }
    records.push(parsed.data);
    labels.push(y);
    hash.update(`${canonicalJson({ ...parsed.data, [labelField]: y })}\n`);
  }

  const valid = records.length;
  const positives = labels.reduce((a, b) => a + b, 0);
  const issues: ValidationIssue[] = [];
  const minValid = Math.max(thresholds.minValidRows, Math.ceil(thresholds.minValidShare * input));
  if (valid < minValid)
    issues.push({
      severity: 'error',
      check: 'valid_rows',
      message: `only ${valid} of ${input} rows are valid; need at least ${thresholds.minValidRows} and ${Math.round(thresholds.minValidShare * 100)}% of the input`,
    });

  const missing: FieldMissing[] = fields.map((f, i) => {
    const count = missingCounts[i] as number;
    return { field: f.name, required: f.required, missing: count, rate: objects === 0 ? 0 : count / objects };
  });
  for (const m of missing) {
    if (!m.required) continue;
    const pct = `${(m.rate * 100).toFixed(1)}%`;
    if (m.rate > thresholds.missingError)
      issues.push({
        severity: 'error',
        check: 'missing_rate',
        field: m.field,
        message: `required field ${m.field} is missing in ${pct} of rows (error above ${thresholds.missingError * 100}%)`,
      });
    else if (m.rate > thresholds.missingWarning)
      issues.push({
        severity: 'warning',
        check: 'missing_rate',
        field: m.field,
        message: `required field ${m.field} is missing in ${pct} of rows (warning above ${thresholds.missingWarning * 100}%)`,
      });
  }

  const negatives = valid - positives;
  if (positives < thresholds.minPositives || negatives < thresholds.minPositives)
    issues.push({
      severity: 'error',
      check: 'label_balance',
      field: labelField,
      message: `${positives} positive and ${negatives} negative labels among valid rows; need at least ${thresholds.minPositives} of each`,
    });

  let distribution: ValidationReport['distribution'] = null;
  if (options.previous !== undefined && valid > 0) {
    const features = distributionCheck(useCase, records, options.previous.features, thresholds);
    distribution = { reference: options.previous.name, referenceRows: options.previous.rows, features };
    for (const f of features) {
      if (f.band === 'stable') continue;
      issues.push({
        severity: 'warning',
        check: 'distribution',
        field: f.name,
        message: `${f.name} moved against ${options.previous.name}: PSI ${f.psi.toFixed(3)} (${f.band === 'act' ? 'flagged' : 'watch'})`,
      });
    }
  }

  const errors = issues.filter((i) => i.severity === 'error').length;
  const report: ValidationReport = {
    useCase: useCase.name,
    source: options.source,
    passed: errors === 0,
    errors,
    warnings: issues.length - errors,
    rows: { input, valid, rejected },
    label: { field: labelField, positives, negatives, positiveRate: valid === 0 ? 0 : positives / valid },
    thresholds,
    issues,
    rejectReasons: topReasons(reasonCounts),
    rejects,
    missing,
    distribution,
  };
  if (!report.passed)
    throw new RiskopsError('data_contract', contractMessage(useCase.name, report), { details: { report } });
  return { records, labels: Uint8Array.from(labels), dataHash: hash.digest('hex'), report };
}
