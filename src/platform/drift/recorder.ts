import { randomUUID } from 'node:crypto';
import { RiskopsError } from '../errors/index.js';
import type { InputColumns } from '../features/index.js';
import type { LoadedModel } from '../scoring/index.js';
import type { Telemetry } from '../telemetry/index.js';
import { type AnyUseCase, bandOf } from '../use-case/index.js';
import { type BinCounter, type CountVector, createBinCounter, driftLayout, emptyCounts } from './layout.js';
import type { CountPartial, CountSource, DriftCountStore } from './store.js';

/** What HTTP scoring and each batch chunk hand to drift: validated records and their scores, in order. */
export interface ScoredBatch {
  useCase: string | { name: string };
  model: LoadedModel;
  records: readonly Record<string, unknown>[];
  probabilities: ArrayLike<number>;
  /** The records' raw feature-input values when the scorer kept them while encoding (batch chunks do). */
  inputs?: InputColumns;
  /**
   * Batch: the chunk's identity (e.g. `{runId}-{chunk}`). Its counts then replace that one partial, so a
   * retried chunk is not counted twice. Without it, each call is a partial of its own.
   */
  writer?: string;
  /** Batch: the UTC day the rows belong to (the run's date), so a backfilled day lands in its own window. */
  date?: string;
}

/** The one port through which scoring feeds drift counts (DESIGN.md decision 5). */
export interface DriftRecorder {
  /** HTTP: counts in memory now; written off the response path every flush interval. Never throws. */
  record(batch: ScoredBatch): void;
  /** Batch: counts one scored chunk and resolves once its counts are stored. */
  observe(batch: ScoredBatch): Promise<void>;
  /** Writes every HTTP partial with new counts (single-flight). Never rejects; failures go to `onError`. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface DriftRecorderOptions {
  useCases: readonly AnyUseCase[];
  store: DriftCountStore;
  telemetry?: Telemetry;
  /** How often HTTP counts are written. */
  flushMs: number;
  /** This instance's writer id for HTTP partials (default: a random id per process). */
  writerId?: string;
  clock?: () => Date;
  onError?: (error: unknown) => void;
}

interface Accumulator {
  partial: Omit<CountPartial, keyof CountVector | 'updatedAt'>;
  counts: CountVector;
  /** Bumped on every record; the partial is clean once a write of the current generation succeeded. */
  generation: number;
  written: number;
}

const dayOf = (at: Date): string => at.toISOString().slice(0, 10);
const hourSlot = (at: Date): string => `h${at.toISOString().slice(11, 13)}`;

export function createDriftRecorder(options: DriftRecorderOptions): DriftRecorder {
  const clock = options.clock ?? (() => new Date());
  const writerId = options.writerId ?? `http-${randomUUID()}`;
  const counters = new Map<string, { counter: BinCounter; referenceHash: string; length: number }>();
  const open = new Map<string, Accumulator>();
  const bandDeltas = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let closed = false;

  const useCaseOf = (ref: ScoredBatch['useCase']): AnyUseCase => {
    const name = typeof ref === 'string' ? ref : ref.name;
    const found = options.useCases.find((u) => u.name === name);
    if (found === undefined)
      throw new RiskopsError('unknown_use_case', `drift counts: unknown use case '${name}'`);
    return found;
  };
  const counterOf = (useCase: AnyUseCase, model: LoadedModel) => {
    const key = `${useCase.name}|${model.version}|${model.sha256}`;
    let compiled = counters.get(key);
    if (compiled === undefined) {
      const layout = driftLayout(model.manifest.reference);
      compiled = {
        counter: createBinCounter(layout, useCase.features as never),
        referenceHash: layout.referenceHash,
        length: layout.length,
      };
      counters.set(key, compiled);
    }
    return compiled;
  };
  const count = (batch: ScoredBatch): { useCase: AnyUseCase; vector: CountVector } => {
    const useCase = useCaseOf(batch.useCase);
    const compiled = counterOf(useCase, batch.model);
    const vector: CountVector = {
      referenceHash: compiled.referenceHash,
      rows: 0,
      counts: new Array<number>(compiled.length).fill(0),
    };
    compiled.counter(batch.records, batch.probabilities, vector, batch.inputs);
    return { useCase, vector };
  };
  const bandCounts = (useCase: AnyUseCase, probabilities: ArrayLike<number>): Map<string, number> => {
    const bands = new Map<string, number>();
    for (let i = 0; i < probabilities.length; i++) {
      const band = bandOf(useCase.bands, probabilities[i] as number).name;
      bands.set(band, (bands.get(band) ?? 0) + 1);
    }
    return bands;
  };
  const emitBands = (useCase: string, version: string, source: CountSource, bands: Map<string, number>) => {
    for (const [band, rows] of bands) {
      options.telemetry?.trackMetric('riskops.score.band_count', rows, {
        useCase,
        modelVersion: version,
        band,
        source,
      });
    }
  };
  const report = (error: unknown) => options.onError?.(error);

  const flushOnce = async (): Promise<void> => {
    for (const [key, rows] of bandDeltas) {
      const [useCase = '', version = '', band = ''] = key.split('|');
      options.telemetry?.trackMetric('riskops.score.band_count', rows, {
        useCase,
        modelVersion: version,
        band,
        source: 'http',
      });
    }
    bandDeltas.clear();
    const now = clock();
    for (const [key, acc] of [...open]) {
      const generation = acc.generation;
      if (acc.written < generation) {
        try {
          await options.store.put({
            ...acc.partial,
            ...acc.counts,
            counts: [...acc.counts.counts],
            updatedAt: now.toISOString(),
          });
          acc.written = generation;
        } catch (error) {
          report(error);
          continue;
        }
      }
      const current = acc.partial.date === dayOf(now) && acc.partial.slot === hourSlot(now);
      if (acc.written === acc.generation && !current) open.delete(key);
    }
  };

  const recorder: DriftRecorder = {
    record(batch) {
      try {
        if (closed) throw new RiskopsError('internal', 'drift recorder is closed');
        const { useCase, vector } = count(batch);
        const at = clock();
        const partial = {
          useCase: useCase.name,
          date: dayOf(at),
          modelVersion: batch.model.version,
          source: 'http' as const,
          slot: hourSlot(at),
          writer: writerId,
        };
        const key = `${partial.useCase}|${partial.date}|${partial.slot}|${partial.modelVersion}`;
        let acc = open.get(key);
        if (acc === undefined) {
          acc = {
            partial,
            counts: { ...vector, rows: 0, counts: new Array<number>(vector.counts.length).fill(0) },
            generation: 0,
            written: 0,
          };
          open.set(key, acc);
        }
        for (let i = 0; i < vector.counts.length; i++)
          acc.counts.counts[i] = (acc.counts.counts[i] as number) + (vector.counts[i] as number);
        acc.counts.rows += vector.rows;
        acc.generation++;
        for (const [band, rows] of bandCounts(useCase, batch.probabilities)) {
          const bandKey = `${useCase.name}|${batch.model.version}|${band}`;
          bandDeltas.set(bandKey, (bandDeltas.get(bandKey) ?? 0) + rows);
        }
        timer ??= setInterval(() => void recorder.flush(), options.flushMs).unref();
      } catch (error) {
        report(error);
      }
    },
    async observe(batch) {
      const { useCase, vector } = count(batch);
      const at = clock();
      await options.store.put({
        ...vector,
        useCase: useCase.name,
        date: batch.date ?? dayOf(at),
        modelVersion: batch.model.version,
        source: 'batch',
        slot: 'batch',
        writer: `batch-${batch.writer ?? randomUUID()}`,
        updatedAt: at.toISOString(),
      });
      emitBands(useCase.name, batch.model.version, 'batch', bandCounts(useCase, batch.probabilities));
    },
    flush() {
      flushing ??= flushOnce().finally(() => {
        flushing = undefined;
      });
      return flushing;
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await flushing;
      await recorder.flush();
    },
  };
  return recorder;
}

/** Counts a whole set of records at once (tests and benchmarks compare merged partials with this). */
export function countAll(
  useCase: AnyUseCase,
  model: Pick<LoadedModel, 'manifest'>,
  records: readonly Record<string, unknown>[],
  probabilities: ArrayLike<number>,
): CountVector {
  const layout = driftLayout(model.manifest.reference);
  const vector = emptyCounts(layout);
  createBinCounter(layout, useCase.features as never)(records, probabilities, vector);
  return vector;
}
