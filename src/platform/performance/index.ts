/** @module Realized performance: delayed labels joined to scored decisions, per-cohort realized and estimated metrics. */
export { createBatchOutputSource, SUCCESS_MARKER } from './batch-source.js';
export { combineSources, createDecisionLogSource } from './decision-source.js';
export { estimatePerformance, type PerformanceEstimate } from './estimate.js';
export {
  type Cohort,
  evaluatePerformance,
  type PerformanceOptions,
  type PerformanceReport,
} from './evaluate.js';
export { cohortTable } from './format.js';
export { createJsonLinesMetricSink } from './json-lines-sink.js';
export { type LabelDrop, type LabelRecord, type LabelReject, readLabelDrops } from './labels.js';
export * from './ports.js';
export { type PerformanceJobOptions, registryBaselineAuc, runPerformanceJob } from './run.js';
