/**
 * Every metric and event the app emits, with its dimensions: the one list (DESIGN.md decision 11). The alert
 * rules and the workbook in infra/ are checked against it, both ways, by tests/infra.
 */

export interface MetricDefinition {
  description: string;
  unit: string;
  /** Dimensions every measurement must carry. */
  dimensions: readonly string[];
  /** Dimensions a measurement may carry. */
  optional?: readonly string[];
}

export interface EventDefinition {
  description: string;
  /** Properties every event must carry. */
  properties: readonly string[];
  optional?: readonly string[];
}

export const METRICS = {
  'riskops.drift.psi': {
    description: 'PSI of one feature in one window against the model’s frozen reference bins',
    unit: 'psi',
    dimensions: ['useCase', 'feature', 'modelVersion'],
    optional: ['window'],
  },
  'riskops.drift.score_psi': {
    description: 'PSI of the score (predicted probability) in one window',
    unit: 'psi',
    dimensions: ['useCase', 'modelVersion'],
    optional: ['window'],
  },
  'riskops.batch.rows': {
    description: 'Rows a finished batch run scored (emitted once per run, when it completes)',
    unit: 'rows',
    dimensions: ['useCase', 'runId'],
    optional: ['modelVersion'],
  },
  'riskops.batch.rejected_share': {
    description: 'Share of a batch run’s rows rejected by validation',
    unit: 'share',
    dimensions: ['useCase', 'runId'],
    optional: ['modelVersion'],
  },
  'riskops.score.latency': {
    description: 'Duration of one HTTP score request, in milliseconds',
    unit: 'ms',
    dimensions: ['useCase', 'status'],
  },
  'riskops.score.band_count': {
    description: 'Rows scored into one decision band (HTTP per flush interval, batch per chunk)',
    unit: 'rows',
    dimensions: ['useCase', 'modelVersion', 'band', 'source'],
  },
  'riskops.performance.auc': {
    description: 'AUC of the serving model: realized (matured labels) or estimated',
    unit: 'auc',
    dimensions: ['useCase', 'modelVersion', 'kind'],
    optional: ['cohort', 'baselineAuc'],
  },
  'riskops.performance.brier': {
    description: 'Brier score of the serving model: realized (matured labels) or estimated',
    unit: 'brier',
    dimensions: ['useCase', 'modelVersion', 'kind'],
    optional: ['cohort', 'baselineAuc'],
  },
} as const satisfies Record<string, MetricDefinition>;

export const EVENTS = {
  DriftDetected: {
    description: 'A drift run found a feature or the score in the act band (PSI at or above act)',
    properties: ['useCase', 'window', 'modelVersion', 'features', 'maxPsi', 'report'],
  },
  BatchRunFailed: {
    description: 'A nightly batch run failed or was abandoned',
    properties: ['useCase', 'runId', 'reason'],
    optional: ['modelVersion'],
  },
  RetrainRequested: {
    description: 'A retrain request was sent after a persistent drift breach',
    properties: ['useCase', 'reason', 'messageId'],
    optional: ['modelVersion'],
  },
} as const satisfies Record<string, EventDefinition>;

export type MetricName = keyof typeof METRICS;
export type EventName = keyof typeof EVENTS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
