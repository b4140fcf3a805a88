/** @module Training: logistic regression and boosted trees, evaluation metrics and the promotion gate. */
export { type BinMapper, binOf, fitBins } from './binning.js';
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
export { type SyntheticOptions, syntheticDataset } from './synthetic.js';
