/** The label column: exactly two values, which one is the positive outcome, and the base rate. */
import { RiskopsError } from '../errors/index.js';
import type { ColumnProfile } from './profile.js';

export interface LabelPlan {
  field: string;
  /** The file's spelling of the two values (1/0 when the reader converts them). */
  positive: string;
  negative: string;
  /** Set when the label is text: the use case declares these values. */
  text: boolean;
  positives: number;
  negatives: number;
  missing: number;
  rate: number;
}

/** Word pairs read as yes/no (lower case), the first one true. */
export const BOOLEAN_WORDS: readonly (readonly [string, string])[] = [
  ['yes', 'no'],
  ['y', 'n'],
  ['true', 'false'],
  ['t', 'f'],
  ['1', '0'],
];

/** A column's tracked values, most frequent first (ties by value). */
export function byCount(column: ColumnProfile): string[] {
  return [...column.values.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([v]) => v);
}

/**
 * @throws RiskopsError `data_contract` when the column is absent or has other than two values; `invalid_input`
 *   when `positive` is not one of them or cannot be guessed.
 */
export function planLabel(
  column: ColumnProfile | undefined,
  options: { source: string; label: string; positive?: string | undefined },
): LabelPlan {
  if (column === undefined)
    throw new RiskopsError('data_contract', `${options.source}: no label column ${options.label}`);
  const values = byCount(column);
  const shown = values
    .slice(0, 6)
    .map((v) => `'${v}'`)
    .join(', ');
  if (column.overflow || values.length > 2)
    throw new RiskopsError(
      'data_contract',
      `label column ${column.name} has ${column.overflow ? 'more than 200' : values.length} distinct values (${shown}${values.length > 6 ? ', …' : ''}); a risk label has exactly two (e.g. Yes/No or 1/0)`,
    );
  if (values.length < 2)
    throw new RiskopsError(
      'data_contract',
      `label column ${column.name} has ${values.length === 0 ? 'no values' : `only the value ${shown}`}: there is nothing to learn; it needs two`,
    );
  const numeric = values.every((v) => v === '0' || v === '1');
  let positive: string | undefined;
  if (options.positive !== undefined) {
    const wanted = options.positive.trim().toLowerCase();
    positive = numeric
      ? ['1', 'true'].includes(wanted)
        ? '1'
        : undefined
      : values.find((v) => v.trim().toLowerCase() === wanted);
    if (positive === undefined)
      throw new RiskopsError(
        'invalid_input',
        numeric
          ? `--positive ${options.positive}: the label ${column.name} reads as 1/0 (from 1/0 or true/false), and the positive value is 1`
          : `--positive ${options.positive} is not a value of the label ${column.name} (it has ${shown})`,
      );
  } else if (numeric) positive = '1';
  else {
    const lower = values.map((v) => v.trim().toLowerCase());
    const pair = [...BOOLEAN_WORDS, ['positive', 'negative'] as const].find(
      ([t, f]) => lower.includes(t) && lower.includes(f),
    );
    positive = pair === undefined ? undefined : values[lower.indexOf(pair[0])];
    if (positive === undefined)
      throw new RiskopsError(
        'invalid_input',
        `which value of the label ${column.name} is the outcome to predict? Pass --positive (${shown})`,
      );
  }
  const negative = values.find((v) => v !== positive) as string;
  const positives = column.values.get(positive) ?? 0;
  const negatives = column.values.get(negative) ?? 0;
  return {
    field: column.name,
    positive,
    negative,
    text: !numeric,
    positives,
    negatives,
    missing: column.missing,
    rate: positives / (positives + negatives),
  };
}
