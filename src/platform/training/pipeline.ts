/**
 * The training pipeline of one use case: validate labeled rows, split them (seeded), fit features on the
 * training part, train, evaluate on the holdout (metrics, gate, segments, fairness, champion), build the
 * drift reference profile, export ONNX and the manifest. Deterministic: the same rows, settings and seed
 * give byte-identical ONNX and manifest.
 */
import { performance } from 'node:perf_hooks';
import type { FeatureState } from '../features/index.js';
import type { GateResult, Manifest, Metrics } from '../model/index.js';
import type { AnyUseCase, GbdtParams, LogisticParams } from '../use-case/index.js';
import type { SourceRow } from './data-file.js';
import { splitIndices } from './dataset.js';
import { defaultRows } from './default-rows.js';
import { exportModel, type TrainedModel } from './export.js';
import { evaluateGate, type FairnessReport, fairnessReport, segmentMetrics } from './gate.js';
import { trainGbdt } from './gbdt.js';
import { trainLogistic } from './logistic.js';
import { computeMetrics } from './metrics.js';
import { type AlgorithmName, buildManifest } from './pipeline-manifest.js';
import { type ValidationReport, type ValidationThresholds, validateTrainingData } from './validation.js';

export type { AlgorithmName } from './pipeline-manifest.js';

/** The current champion, scored on the same holdout as the challenger. */
export interface ChampionOptions {
  /** Its manifest: the holdout is encoded with its feature state (skipped when its features differ). */
  manifest?: Manifest;
  /** Probabilities of the positive class for the rows of `matrix` (row-major, `features.width` wide). */
  predict(
    matrix: Float32Array,
    rows: number,
    records: readonly Record<string, unknown>[],
  ): ArrayLike<number> | Promise<ArrayLike<number>>;
}

export type TrainingStage = 'validate' | 'split' | 'train' | 'evaluate' | 'export';

export interface TrainingProgress {
  stage: TrainingStage;
  message: string;
}

export interface TrainUseCaseOptions {
  /** Labeled rows (e.g. from `readLabeledFile`); default the use case's generator, else its `training.dataFile`. */
  rows?: Iterable<SourceRow> | AsyncIterable<SourceRow>;
  /** Where `rows` came from, recorded in the manifest (e.g. the file's base name). */
  source?: string;
  /** Generated rows when `rows` is not given (default `training.syntheticRows`; use cases with a generator). */
  syntheticRows?: number;
  /** Seed of the generator, the split and the trainer (default `training.seed`). */
  seed?: number;
  /** Overrides `training.algorithm`. */
  algorithm?: AlgorithmName;
  /** Also trains the other algorithm on the same split and reports both. */
  compare?: boolean;
  /** The previous model's manifest: the data is checked for drift against its reference profile. */
  previous?: Manifest;
  champion?: ChampionOptions;
  validation?: Partial<ValidationThresholds>;
  /** Parameter overrides on top of the use case's (tests and benchmarks). */
  params?: { gbdt?: Partial<GbdtParams>; logistic?: Partial<LogisticParams> };
  onProgress?: (event: TrainingProgress) => void;
}

/** One algorithm's result on the holdout. */
export interface AlgorithmEvaluation {
  algorithm: AlgorithmName;
  metrics: Metrics;
  gate: GateResult;
  /** gbdt: trees kept and rounds run; logistic: Newton iterations. */
  detail: string;
  seconds: number;
}

export type ChampionResult =
  | { auc: number; metrics: Metrics }
  | {
      /** Why the champion was not compared (the gate then has no champion check). */
      skipped: string;
    };

export interface TrainingResult {
  onnx: Uint8Array;
  manifest: Manifest;
  validationReport: ValidationReport;
  /** With `compare`: the chosen algorithm first, then the other. */
  comparison?: AlgorithmEvaluation[];
  champion?: ChampionResult;
  model: TrainedModel;
  /** The holdout as the model saw it, for parity checks against onnxruntime. */
  holdout: {
    records: Record<string, unknown>[];
    labels: Uint8Array;
    matrix: Float32Array;
    predictions: Float64Array;
  };
  /** Not part of any file: wall-clock seconds per stage and the peak RSS sampled between stages. */
  stats: { seconds: Record<TrainingStage, number>; peakRssMb: number };
}

type SegmentValue = string | number | boolean | null;

function segmentValue(value: unknown): SegmentValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

function pick<T>(items: readonly T[], indices: Uint32Array): T[] {
  return Array.from(indices, (i) => items[i] as T);
}

function pickLabels(labels: Uint8Array, indices: Uint32Array): Uint8Array {
  return Uint8Array.from(indices, (i) => labels[i] as number);
}

function describeModel(model: TrainedModel): string {
  if (model.algorithm === 'logistic_regression')
    return `${model.iterations} Newton iterations${model.converged ? '' : ' (not converged)'}`;
  return `${model.trees.length} trees of ${model.rounds} rounds${model.stoppedEarly ? ' (early stopping)' : ''}`;
}

/**
 * Trains, evaluates and packages a model of `useCase`.
 * @throws RiskopsError `data_contract` when the data fails validation (message with counts and the top
 *   reject reasons, `details.report` with the report); `invalid_settings` for bad parameters.
 */
export async function trainUseCase(
  useCase: AnyUseCase,
  options: TrainUseCaseOptions = {},
): Promise<TrainingResult> {
  const settings = useCase.training;
  const seed = options.seed ?? settings.seed;
  const algorithm = options.algorithm ?? settings.algorithm;
  const gbdtParams: GbdtParams = { ...settings.gbdt, ...options.params?.gbdt };
  const logisticParams: LogisticParams = { ...settings.logistic, ...options.params?.logistic };
  const progress = (stage: TrainingStage, message: string): void => options.onProgress?.({ stage, message });
  const seconds: Record<TrainingStage, number> = { validate: 0, split: 0, train: 0, evaluate: 0, export: 0 };
  let peakRss = process.memoryUsage().rss;
  let clock = performance.now();
  const lap = (stage: TrainingStage): void => {
    const now = performance.now();
    seconds[stage] += (now - clock) / 1000;
    clock = now;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };

  // 1. Validation: the data contract, before any training.
  let rows = options.rows;
  let source = options.source ?? 'rows';
  if (rows === undefined) {
    const fallback = defaultRows(useCase, { seed, syntheticRows: options.syntheticRows });
    progress('validate', fallback.describe);
    rows = fallback.rows;
    source = options.source ?? fallback.source;
  }
  const previous = options.previous;
  const data = await validateTrainingData(useCase, rows, {
    source,
    thresholds: { psiWatch: useCase.drift.watch, psiAct: useCase.drift.act, ...options.validation },
    previous:
      previous === undefined
        ? undefined
        : {
            features: previous.reference.features,
            rows: previous.reference.rows,
            name: `${previous.useCase} ${previous.version ?? previous.training.dataHash.slice(0, 12)}`,
          },
    onProgress: (n) => progress('validate', `validated ${n} rows`),
  });
  const report = data.report;
  progress(
    'validate',
    `${report.rows.valid} valid rows, ${report.rows.rejected} rejected, ${report.warnings} warnings`,
  );
  lap('validate');

  // 2. Split, then fit the feature state on the training part only.
  const { records, labels } = data;
  const split = splitIndices(
    records.length,
    { validation: settings.validationFraction, holdout: settings.holdoutFraction },
    seed,
  );
  const { features } = useCase;
  const width = features.width;
  const trainRecords = pick(records, split.train);
  const holdoutRecords = pick(records, split.holdout);
  const state: FeatureState = features.fit(trainRecords);
  const train = {
    X: features.matrix(trainRecords, state),
    y: pickLabels(labels, split.train),
    rows: split.train.length,
  };
  const validation = {
    X: features.matrix(pick(records, split.validation), state),
    y: pickLabels(labels, split.validation),
    rows: split.validation.length,
  };
  const holdout = {
    X: features.matrix(holdoutRecords, state),
    y: pickLabels(labels, split.holdout),
    rows: split.holdout.length,
  };
  progress('split', `train ${train.rows}, validation ${validation.rows}, holdout ${holdout.rows} rows`);
  lap('split');

  // 3. Champion on the same holdout (encoded with its own imputation state).
  let champion: ChampionResult | undefined;
  let championAuc: number | undefined;
  if (options.champion !== undefined) {
    const m = options.champion.manifest;
    if (m !== undefined && m.features.hash !== features.hash) {
      champion = { skipped: 'the champion was trained on other features than the use case computes' };
    } else {
      const X = m === undefined ? holdout.X : features.matrix(holdoutRecords, m.features.state);
      const p = Float64Array.from(await options.champion.predict(X, holdout.rows, holdoutRecords));
      const metrics = computeMetrics(holdout.y, p, useCase.bands);
      championAuc = metrics.auc;
      champion = { auc: metrics.auc, metrics };
    }
  }

  // 4. Train and evaluate the chosen algorithm (and, to compare, the other one).
  const segments = holdoutRecords.map((r) => segmentValue(r[settings.segmentAttribute]));
  const sensitive = settings.sensitiveAttribute;
  const groups = sensitive === undefined ? undefined : holdoutRecords.map((r) => segmentValue(r[sensitive]));
  const trainAlgorithm = (name: AlgorithmName): TrainedModel => {
    progress(
      'train',
      name === 'gbdt'
        ? `gbdt: up to ${gbdtParams.nEstimators} rounds on ${train.rows} rows × ${width} features`
        : `logistic: ${train.rows} rows × ${width} features`,
    );
    const model =
      name === 'gbdt'
        ? trainGbdt(train.X, train.y, train.rows, width, gbdtParams, seed, validation, (round, loss) => {
            if (round % 10 === 0) {
              const lossText = loss === undefined ? '' : `, validation log loss ${loss.toFixed(4)}`;
              progress('train', `gbdt: round ${round}/${gbdtParams.nEstimators}${lossText}`);
            }
          })
        : trainLogistic(train.X, train.y, train.rows, width, logisticParams, seed);
    progress('train', `${name}: ${describeModel(model)}`);
    return model;
  };
  const evaluate = (model: TrainedModel) => {
    const predictions = model.predict(holdout.X, holdout.rows);
    const metrics = computeMetrics(holdout.y, predictions, useCase.bands);
    const fairness: FairnessReport | undefined =
      sensitive === undefined || groups === undefined
        ? undefined
        : fairnessReport(predictions, groups, useCase.bands, sensitive);
    const gate = evaluateGate({
      metrics,
      thresholds: settings.gate,
      championAuc,
      favourableRatio: fairness?.minRatio,
      enforceFairness: settings.gateOnFairness,
    });
    return { predictions, metrics, fairness, gate };
  };

  let start = performance.now();
  const model = trainAlgorithm(algorithm);
  const trainSeconds = (performance.now() - start) / 1000;
  lap('train');
  const result = evaluate(model);
  const segmentRows = segmentMetrics(
    holdout.y,
    result.predictions,
    segments,
    useCase.bands,
    settings.segmentAttribute,
  );
  progress(
    'evaluate',
    `holdout AUC ${result.metrics.auc.toFixed(4)}, gate ${result.gate.passed ? 'passed' : 'failed'}`,
  );
  lap('evaluate');

  let comparison: AlgorithmEvaluation[] | undefined;
  if (options.compare === true) {
    const other: AlgorithmName = algorithm === 'gbdt' ? 'logistic' : 'gbdt';
    start = performance.now();
    const otherModel = trainAlgorithm(other);
    const otherSeconds = (performance.now() - start) / 1000;
    lap('train');
    const otherResult = evaluate(otherModel);
    comparison = [
      {
        algorithm,
        metrics: result.metrics,
        gate: result.gate,
        detail: describeModel(model),
        seconds: trainSeconds,
      },
      {
        algorithm: other,
        metrics: otherResult.metrics,
        gate: otherResult.gate,
        detail: describeModel(otherModel),
        seconds: otherSeconds,
      },
    ];
    lap('evaluate');
  }

  // 5. Package: ONNX bytes and the manifest (no wall-clock time anywhere).
  progress('export', 'exporting ONNX and manifest');
  const onnx = exportModel(model, features.names, { useCase: useCase.name });
  const manifest = buildManifest({
    useCase,
    algorithm,
    params: algorithm === 'gbdt' ? gbdtParams : logisticParams,
    seed,
    onnx,
    state,
    training: {
      source,
      dataHash: data.dataHash,
      rows: records.length,
      trainRows: train.rows,
      validationRows: validation.rows,
      holdoutRows: holdout.rows,
      positiveRate: report.label.positiveRate,
      rejectedRows: report.rows.rejected,
    },
    evaluation: { ...result, segments: segmentRows },
    report,
    trainRecords,
    explainer: model.explainer(),
  });
  lap('export');

  return {
    onnx,
    manifest,
    validationReport: report,
    ...(comparison === undefined ? {} : { comparison }),
    ...(champion === undefined ? {} : { champion }),
    model,
    holdout: {
      records: holdoutRecords,
      labels: holdout.y,
      matrix: holdout.X,
      predictions: result.predictions,
    },
    stats: { seconds, peakRssMb: Math.round(peakRss / 2 ** 20) },
  };
}
