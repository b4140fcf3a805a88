/** @module Training: labeled rows to a validated, trained, gated and packaged model (ONNX + manifest). */
export { type BinMapper, binOf, fitBins } from './binning.js';
export {
  type DataFormat,
  dataColumns,
  dataFormatOf,
  type FieldKind,
  parseCsvRecord,
  readCsvRows,
  readJsonlRows,
  readLabeledFile,
  type SourceRow,
  schemaFields,
  sourceRows,
  writeLabeledFile,
} from './data-file.js';
export {
  checkDataset,
  type Dataset,
  type Labels,
  positiveRate,
  type SplitFractions,
  type SplitIndices,
  splitIndices,
  takeRows,
} from './dataset.js';
export { type DefaultRows, defaultRows } from './default-rows.js';
export { exportModel, type TrainedModel } from './export.js';
export { sigmoid32 } from './float32.js';
export {
  evaluateGate,
  type FairnessReport,
  fairnessReport,
  type GateCheck,
  type GateInput,
  MISSING_SEGMENT,
  type SegmentMetrics,
  segmentMetrics,
} from './gate.js';
export { createGbdtModel, type GbdtModel, type GbdtTree, trainGbdt } from './gbdt.js';
export { createLogisticModel, type LogisticModel, trainLogistic } from './logistic.js';
export {
  bandCutoffs,
  bandMetrics,
  brierScore,
  computeMetrics,
  ECE_BINS,
  expectedCalibrationError,
  ksStatistic,
  LOG_LOSS_EPSILON,
  logLoss,
  rocAuc,
} from './metrics.js';
export { onnxChampion } from './onnx-champion.js';
export {
  type AlgorithmEvaluation,
  type AlgorithmName,
  type ChampionOptions,
  type ChampionResult,
  type TrainingProgress,
  type TrainingResult,
  type TrainingStage,
  type TrainUseCaseOptions,
  trainUseCase,
} from './pipeline.js';
export { buildManifest, type ManifestInput } from './pipeline-manifest.js';
export {
  codeVersion,
  formatJson,
  jsonFile,
  MANIFEST_FILE,
  MODEL_FILE,
  type ModelFiles,
  VALIDATION_FILE,
  writeModelDirectory,
} from './pipeline-output.js';
export { type SyntheticOptions, syntheticDataset } from './synthetic.js';
export {
  canonicalJson,
  DEFAULT_VALIDATION_THRESHOLDS,
  distributionCheck,
  type FeatureDrift,
  type FieldMissing,
  LISTED_REASONS,
  LISTED_REJECTS,
  type RowReject,
  type ValidatedData,
  type ValidationIssue,
  type ValidationOptions,
  type ValidationReport,
  type ValidationThresholds,
  validateTrainingData,
} from './validation.js';
