import type { FeaturePipeline } from '../features/index.js';
import { type BinProfile, categoricalReference, numericReference } from './bins.js';

/**
 * Frozen drift bins for every feature input of a pipeline, from the raw (pre-encoding) values of a reference
 * sample: decile bins for numeric inputs, one bin per seen value for categorical and boolean inputs.
 */
export function referenceProfiles<R>(pipeline: FeaturePipeline<R>, records: readonly R[]): BinProfile[] {
  const raws = records.map((record) => pipeline.raw(record));
  return pipeline.inputs.map((input, j) => {
    const column = raws.map((row) => row[j] ?? null);
    return input.kind === 'numeric'
      ? numericReference(
          input.name,
          column.map((v) => (typeof v === 'number' ? v : null)),
        )
      : categoricalReference(
          input.name,
          column.map((v) => (typeof v === 'number' ? String(v) : v)),
        );
  });
}
