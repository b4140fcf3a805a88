import type { FeaturePipeline } from '../features/index.js';
import { type BinProfile, categoricalReference, numericReferenceColumn } from './bins.js';

/** One reference column per feature input: numbers (NaN when missing) or category values (null when missing). */
export type ReferenceColumn =
  | { kind: 'numeric'; name: string; values: Float64Array }
  | { kind: 'categorical'; name: string; values: readonly (string | boolean | null)[] };

/** Frozen bins of every column: decile bins for numeric columns, one bin per seen value for the others. */
export function referenceProfilesFromColumns(columns: readonly ReferenceColumn[]): BinProfile[] {
  return columns.map((column) =>
    column.kind === 'numeric'
      ? numericReferenceColumn(column.name, column.values)
      : categoricalReference(column.name, column.values),
  );
}

/**
 * Frozen drift bins for every feature input of a pipeline, from the raw (pre-encoding) values of a reference
 * sample: decile bins for numeric inputs, one bin per seen value for categorical and boolean inputs.
 */
export function referenceProfiles<R>(pipeline: FeaturePipeline<R>, records: readonly R[]): BinProfile[] {
  const columns: ReferenceColumn[] = pipeline.inputs.map((input) =>
    input.kind === 'numeric'
      ? { kind: 'numeric', name: input.name, values: new Float64Array(records.length) }
      : { kind: 'categorical', name: input.name, values: new Array<string | boolean | null>(records.length) },
  );
  records.forEach((record, i) => {
    const raw = pipeline.raw(record);
    columns.forEach((column, j) => {
      const v = raw[j] ?? null;
      if (column.kind === 'numeric') column.values[i] = typeof v === 'number' ? v : Number.NaN;
      else (column.values as (string | boolean | null)[])[i] = typeof v === 'number' ? String(v) : v;
    });
  });
  return referenceProfilesFromColumns(columns);
}
