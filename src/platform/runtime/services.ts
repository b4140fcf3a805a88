import type { BatchService, ScoreObserver } from '../batch/index.js';
import type { Settings } from '../config/index.js';
import type { Registry } from '../registry/index.js';
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
  /** Nightly batch and event scoring (plan, chunks, runs, events); set by `createServices`. */
  batch?: BatchService;
  /** Called once per batch-scored set of records (batch chunks, event messages): drift counting plugs in here. */
  scoreObservers?: ScoreObserver[];
  close(): Promise<void>;
}
