import { createHash } from 'node:crypto';
import type { FeatureInput, FeatureInputInfo, FeatureState, RawValue } from './spec.js';

/**
 * The one feature code path: training and serving both call `encode` on the same validated record,
 * so training/serving skew cannot happen by construction.
 */
export interface FeaturePipeline<R> {
  readonly inputs: readonly FeatureInput<R>[];
  /** Column names of the model's input vector, in order. */
  readonly names: readonly string[];
  /** sha256 of the names joined by newlines: the serving contract a model must match. */
  readonly hash: string;
  readonly width: number;
  info(): FeatureInputInfo[];
  /** Learns imputation values from training records. Deterministic for the same records. */
  fit(records: readonly R[]): FeatureState;
  /** One value per input, before encoding (numbers, category strings, booleans, null when missing). */
  raw(record: R): RawValue[];
  /**
   * Writes the encoded vector of `record` into `out` at `offset` (a row of a row-major matrix). With
   * `columns`, also keeps each input's value as `raw` gives it in `columns[input][row]`: a batch that needs
   * the raw inputs again (drift counting) reads them there instead of computing them twice.
   */
  encode(
    record: R,
    state: FeatureState,
    out: Float32Array,
    offset?: number,
    columns?: InputColumns,
    row?: number,
  ): void;
  /** Encodes many records into one row-major matrix. */
  matrix(records: readonly R[], state: FeatureState): Float32Array;
}

/** Raw input values of a batch, one array per input in `inputs` order, one entry per record (`raw` values). */
export type InputColumns = unknown[][];

export function featureHash(names: readonly string[]): string {
  return createHash('sha256').update(names.join('\n')).digest('hex');
}

function columnsOf<R>(input: FeatureInput<R>): string[] {
  switch (input.kind) {
    case 'numeric':
      return input.missingIndicator ? [input.name, `${input.name}__missing`] : [input.name];
    case 'boolean':
      return [input.name];
    case 'categorical':
      return [...input.categories.map((c) => `${input.name}=${c}`), `${input.name}=__other`];
  }
}

function infoOf<R>(input: FeatureInput<R>): FeatureInputInfo {
  if (input.kind === 'boolean') return { kind: 'boolean', name: input.name };
  if (input.kind === 'categorical')
    return { kind: 'categorical', name: input.name, categories: [...input.categories] };
  const info: FeatureInputInfo = {
    kind: 'numeric',
    name: input.name,
    missingIndicator: input.missingIndicator ?? false,
  };
  if (input.transform !== undefined) info.transform = input.transform;
  return info;
}

function isMissingNumber(value: number | null | undefined): value is null | undefined {
  return value === null || value === undefined || Number.isNaN(value);
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Builds the pipeline for a use case's feature inputs. Input names must be unique. */
export function createFeaturePipeline<R>(inputs: readonly FeatureInput<R>[]): FeaturePipeline<R> {
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.name)) throw new Error(`duplicate feature input ${input.name}`);
    seen.add(input.name);
  }
  const names = inputs.flatMap(columnsOf);
  const width = names.length;

  /** What `raw` gives for one input's value: null when missing. */
  const rawOf = (value: unknown): unknown =>
    value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value))
      ? null
      : value;

  const encode = (
    record: R,
    state: FeatureState,
    out: Float32Array,
    offset = 0,
    columns?: InputColumns,
    row = 0,
  ): void => {
    let j = offset;
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k] as FeatureInput<R>;
      switch (input.kind) {
        case 'numeric': {
          const value = input.get(record);
          if (columns !== undefined) (columns[k] as unknown[])[row] = rawOf(value);
          const missing = isMissingNumber(value);
          let x = missing ? (state.medians[input.name] ?? 0) : value;
          if (!missing && input.transform === 'log1p') x = Math.log1p(Math.max(0, x));
          out[j++] = x;
          if (input.missingIndicator) out[j++] = missing ? 1 : 0;
          break;
        }
        case 'boolean': {
          const value = input.get(record);
          if (columns !== undefined) (columns[k] as unknown[])[row] = rawOf(value);
          out[j++] =
            value === null || value === undefined ? (state.booleanRates[input.name] ?? 0) : value ? 1 : 0;
          break;
        }
        case 'categorical': {
          const value = input.get(record);
          if (columns !== undefined) (columns[k] as unknown[])[row] = rawOf(value);
          const index = value === null || value === undefined ? -2 : input.categories.indexOf(value);
          for (let c = 0; c <= input.categories.length; c++) out[j + c] = 0;
          if (index >= 0) out[j + index] = 1;
          else if (index === -1) out[j + input.categories.length] = 1;
          j += input.categories.length + 1;
          break;
        }
      }
    }
  };

  return {
    inputs,
    names,
    hash: featureHash(names),
    width,
    info() {
      return inputs.map(infoOf);
    },
    fit(records) {
      const medians: Record<string, number> = {};
      const booleanRates: Record<string, number> = {};
      for (const input of inputs) {
        if (input.kind === 'numeric') {
          const values: number[] = [];
          for (const record of records) {
            const value = input.get(record);
            if (!isMissingNumber(value))
              values.push(input.transform === 'log1p' ? Math.log1p(Math.max(0, value)) : value);
          }
          medians[input.name] = median(values);
        } else if (input.kind === 'boolean') {
          let trues = 0;
          let known = 0;
          for (const record of records) {
            const value = input.get(record);
            if (value === null || value === undefined) continue;
            known++;
            if (value) trues++;
          }
          booleanRates[input.name] = known === 0 ? 0 : trues / known;
        }
      }
      return { medians, booleanRates };
    },
    raw(record) {
      return inputs.map((input) => rawOf(input.get(record)) as RawValue);
    },
    encode,
    matrix(records, state) {
      const out = new Float32Array(records.length * width);
      records.forEach((record, i) => {
        encode(record, state, out, i * width);
      });
      return out;
    },
  };
}
