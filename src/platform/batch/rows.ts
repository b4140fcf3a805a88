import type { InputColumns } from '../features/index.js';
import type { LoadedModel } from '../scoring/index.js';
import { encodeRecords, runModel, toScores, validateRecords } from '../scoring/index.js';
import { csvCell, type TabularItem } from '../tabular/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import type { ModelRunner } from './onnx-offload.js';
import { createLineWriter, SCORE_COLUMNS } from './output-line.js';

export { SCORE_COLUMNS };

import type { ChunkCounts, OutputFormat, ScoreObserver } from './types.js';

/** The input columns a use case copies into score outputs. */
export function keyColumns(useCase: AnyUseCase): readonly string[] {
  return useCase.keyFields ?? [useCase.entityIdField];
}

/** Output columns: the use case's key columns, then `entityId`, `probability`, `band`, `action`, `modelVersion`. */
export function outputColumns(useCase: AnyUseCase): string[] {
  return [...keyColumns(useCase), ...SCORE_COLUMNS];
}

/** The CSV header line of a use case's outputs. */
export function csvHeader(useCase: AnyUseCase): string {
  return `${outputColumns(useCase).map(csvCell).join(',')}\n`;
}

/** A rejected input record: where it was, what it was, and every reason. */
export interface RejectRow {
  source: string;
  line: number;
  raw: string;
  reasons: string[];
}

export interface ScoredText {
  /** Output lines (JSONL or CSV, no header). */
  output: string;
  /** Reject lines (JSONL). */
  rejects: string;
  counts: ChunkCounts;
}

export function emptyCounts(): ChunkCounts {
  return { rows: 0, scored: 0, rejected: 0, bands: {} };
}

export function addCounts(into: ChunkCounts, from: ChunkCounts): void {
  into.rows += from.rows;
  into.scored += from.scored;
  into.rejected += from.rejected;
  for (const [band, n] of Object.entries(from.bands)) into.bands[band] = (into.bands[band] ?? 0) + n;
}

export interface RowScorerOptions {
  useCase: AnyUseCase;
  model: LoadedModel;
  format: OutputFormat;
  observe?: ScoreObserver | undefined;
  /**
   * Names this scorer's batches for observers: the n-th batch is `{writer}-{n}`. A chunk passes its run and
   * chunk, so a redelivered or retried chunk hands drift the same writer keys and replaces its counts rather
   * than adding them twice.
   */
  writer?: string | undefined;
  /** The run's date: drift counts of a backfilled day land in that day's window. */
  date?: string | undefined;
}

/** A batch read, checked and encoded, waiting for its probabilities. */
export interface PreparedBatch {
  counts: ChunkCounts;
  /** Reject lines so far (JSONL). */
  rejects: string;
  /** Whether rejects may be out of line order (a row refused by the reader and one by the schema). */
  unordered: boolean;
  records: Record<string, unknown>[];
  /** The records' features, row-major, for one ONNX run. */
  matrix: Float32Array;
  /** The records' raw input values, kept while encoding when there is an observer (drift reads them). */
  inputs?: InputColumns;
  /** 1 for the scorer's first batch, 2 for the next, … (names drift partials). */
  index: number;
}

/**
 * Scores read records through the same path as HTTP scoring, in two steps so that a caller can run ONNX
 * elsewhere between them: `prepare` (reader rejects, `validateRecords`, `encodeRecords`) and `finish`
 * (bands, actions, output lines in input order, the observer).
 */
export interface BatchScorer {
  prepare(items: readonly TabularItem[], source: string): PreparedBatch;
  finish(prepared: PreparedBatch, probabilities: Float32Array): Promise<ScoredText>;
}

export function createBatchScorer(options: RowScorerOptions): BatchScorer {
  const { useCase, model, format, observe, date } = options;
  let batchIndex = 0;
  const keys = keyColumns(useCase);
  const line = createLineWriter(keys, format, model.version);
  return {
    prepare(items, source) {
      const counts = emptyCounts();
      counts.rows = items.length;
      let rejects = '';
      const reject = (line: number, raw: string, reasons: string[]) => {
        const row: RejectRow = { source, line, raw, reasons };
        rejects += `${JSON.stringify(row)}\n`;
        counts.rejected++;
      };
      const parsed: { line: number; raw: string; row: Record<string, unknown> }[] = [];
      for (const item of items) {
        if ('error' in item) reject(item.line, item.raw, [item.error]);
        else parsed.push(item);
      }
      const { valid, invalid } = validateRecords(
        useCase,
        parsed.map((p) => p.row),
      );
      for (const { index, issues } of invalid) {
        const item = parsed[index] as (typeof parsed)[number];
        reject(
          item.line,
          item.raw,
          issues.map((i) => `${i.path}: ${i.message}`),
        );
      }
      const records = valid.map((v) => v.record);
      const inputs =
        observe === undefined
          ? undefined
          : useCase.features.inputs.map(() => new Array<unknown>(records.length));
      const matrix = encodeRecords(useCase, model, records, inputs);
      batchIndex++;
      const unordered = invalid.length > 0 && parsed.length < items.length;
      return {
        counts,
        rejects,
        unordered,
        records,
        matrix,
        index: batchIndex,
        ...(inputs === undefined ? {} : { inputs }),
      };
    },
    async finish(prepared, probabilities) {
      const { counts, records } = prepared;
      const scores = toScores(useCase, records, probabilities);
      if (observe !== undefined && records.length > 0) {
        const batch = {
          useCase,
          model,
          records,
          probabilities,
          ...(prepared.inputs === undefined ? {} : { inputs: prepared.inputs }),
          ...(date === undefined ? {} : { date }),
        };
        await observe(
          options.writer === undefined ? batch : { ...batch, writer: `${options.writer}-${prepared.index}` },
        );
      }
      let output = '';
      for (let i = 0; i < scores.length; i++) {
        const score = scores[i] as (typeof scores)[number];
        output += line(records[i] as Record<string, unknown>, score);
        counts.bands[score.band] = (counts.bands[score.band] ?? 0) + 1;
      }
      counts.scored = scores.length;
      // Rejects in line order, whichever stage refused them.
      const rejects = prepared.unordered ? sortLines(prepared.rejects) : prepared.rejects;
      return { output, rejects, counts };
    },
  };
}

/**
 * Scores a batch of read records through the same path as HTTP scoring (`validateRecords` then one ONNX run,
 * by `run` or on this thread), returning output and reject lines in input order and the batch's counts.
 */
export function createRowScorer(
  options: RowScorerOptions & { run?: ModelRunner },
): (items: readonly TabularItem[], source: string) => Promise<ScoredText> {
  const scorer = createBatchScorer(options);
  const run = options.run ?? ((matrix, rows) => runModel(options.model, matrix, rows));
  return async (items, source) => {
    const prepared = scorer.prepare(items, source);
    return scorer.finish(prepared, await run(prepared.matrix, prepared.records.length));
  };
}

function sortLines(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => ({ l, line: (JSON.parse(l) as RejectRow).line }))
    .sort((a, b) => a.line - b.line)
    .map((x) => `${x.l}\n`)
    .join('');
}
