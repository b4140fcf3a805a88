import type { Settings } from '../config/index.js';
import type { MessageQueue } from '../messaging/index.js';
import type { PerformanceJobOptions } from '../performance/index.js';
import type { Registry } from '../registry/index.js';
import type { RetrainConsumer, RetrainTrigger } from '../retrain/index.js';
import type { ModelProvider } from '../scoring/ports.js';
import type { StorageClients } from '../storage/index.js';
import type { AnyUseCase } from '../use-case/index.js';

/** Everything a function handler may use, created once per process (composition root). */
export interface Services {
  settings: Settings;
  storage: StorageClients;
  useCases: readonly AnyUseCase[];
  registry: Registry;
  models: ModelProvider;
  /** Retraining loop (issue 11): the `retrain-requests` queue, the drift → request trigger, the consumer. */
  retrainQueue: MessageQueue;
  retrainTrigger: RetrainTrigger;
  retrainConsumer: RetrainConsumer;
  /** Realized performance (issue 11): label drops joined to batch outputs; `sink` is where metrics go. */
  performance: PerformanceJobOptions;
  close(): Promise<void>;
}
