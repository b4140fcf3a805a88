import type { DecisionLog } from '../audit/index.js';
import type { BatchService, ScoreObserver } from '../batch/index.js';
import type { Settings } from '../config/index.js';
import type { DriftMonitor, DriftRecorder, DriftReport } from '../drift/index.js';
import type { MessageQueue } from '../messaging/index.js';
import type { PerformanceJobOptions } from '../performance/index.js';
import type { LedgerMonitor, Registry } from '../registry/index.js';
import type { RetrainConsumer, RetrainTrigger } from '../retrain/index.js';
import type { ModelProvider, ScoreObservation } from '../scoring/ports.js';
import type { StorageClients } from '../storage/index.js';
import type { Telemetry } from '../telemetry/index.js';
import type { AnyUseCase } from '../use-case/index.js';

/** Everything a function handler may use, created once per process (composition root). */
export interface Services {
  settings: Settings;
  storage: StorageClients;
  useCases: readonly AnyUseCase[];
  registry: Registry;
  models: ModelProvider;
  /**
   * Decision log (issue 9): every 200 decision is appended before the response is sent. Scoring answers 503
   * without one (optional only so that services built for other functions need not create it).
   */
  decisions?: DecisionLog;
  /** Key for the keyed hash of PII fields in the decision log (required with `decisions`). */
  hmacKey?: Buffer;
  /**
   * Called once per scored request after the decision is logged, off the response path (never awaited;
   * errors are the observer's to handle). Drift bin counting plugs in here.
   */
  observeScores?: (observation: ScoreObservation) => void;
  /** Metrics and events: Application Insights, or JSON lines under the data dir. */
  telemetry: Telemetry;
  /** Drift counts from every score (HTTP `record`, batch chunks `observe`). */
  drift: DriftRecorder;
  /** The drift run (timer `driftMonitor`, `riskops drift run`). */
  driftMonitor: DriftMonitor;
  /** Called with every drift report the run writes (retraining's k-of-n decision hooks in here). */
  onDriftReport?: (report: DriftReport) => Promise<void> | void;
  /** Nightly batch and event scoring (plan, chunks, runs, events); set by `createServices`. */
  batch?: BatchService;
  /** Called once per batch-scored set of records (batch chunks, event messages): drift counting plugs in here. */
  scoreObservers?: ScoreObserver[];
  /** Retraining loop (issue 11): the `retrain-requests` queue, the drift → request trigger, the consumer. */
  retrainQueue: MessageQueue;
  retrainTrigger: RetrainTrigger;
  retrainConsumer: RetrainConsumer;
  /** Realized performance (issue 11): label drops joined to batch outputs; `sink` is where metrics go. */
  performance: PerformanceJobOptions;
  /** Ledger chain verification for health (cached; verified in the background at most once a minute). */
  ledgers?: LedgerMonitor;
  close(): Promise<void>;
}
