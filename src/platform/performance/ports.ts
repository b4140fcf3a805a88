/** The ports realized performance needs: what was scored, and where metrics go. */

/** One scored decision, from a batch output or the HTTP decision log. */
export interface ScoredRecord {
  useCase: string;
  entityId: string;
  /** The scoring day (UTC, `YYYY-MM-DD`): the cohort the decision belongs to. */
  scoredOn: string;
  /** When it was scored, if the source knows (ISO); used to pick the latest score of an entity. */
  scoredAt?: string;
  modelVersion: string;
  probability: number;
  band?: string;
  /** Where it came from, e.g. `batch:{runId}` or `http`. */
  source: string;
  /** The scored input fields, when the source keeps them: joined with the outcome they become training rows. */
  record?: Record<string, unknown>;
}

/** What was scored for a use case on the given days. Each adapter decides which run or log counts. */
export interface ScoredRecordSource {
  scored(useCase: string, days: readonly string[]): AsyncIterable<ScoredRecord>;
}

/** Where performance metrics go; the App Insights telemetry module implements it. */
export interface MetricSink {
  trackMetric(name: string, value: number, dimensions: Record<string, string>): void;
}

/** Metric names this capability emits (the telemetry name list should hold them). */
export const PERFORMANCE_METRICS = {
  auc: 'riskops.performance.auc',
  brier: 'riskops.performance.brier',
} as const;

/** Where nightly batch outputs live (`{useCase}/{day}/{runId}/part-{n}.jsonl` + `_SUCCESS.json`). */
export const SCORING_OUTPUT_CONTAINER = 'scoring-output';
