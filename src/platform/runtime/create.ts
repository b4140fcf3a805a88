import { join } from 'node:path';
import type { Settings } from '../config/index.js';
import { createMessageQueueFromSettings, RETRAIN_QUEUE } from '../messaging/index.js';
import {
  createBatchOutputSource,
  createJsonLinesMetricSink,
  SCORING_OUTPUT_CONTAINER,
} from '../performance/index.js';
import {
  createRegistryFromSettings,
  createRegistryModelProvider,
  seedRegistryFromDirectory,
} from '../registry/index.js';
import { createRetrainConsumer, createRetrainState, createRetrainTrigger } from '../retrain/index.js';
import type { StorageClients } from '../storage/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import type { Services } from './services.js';

/**
 * Builds the services every function shares. With RISKOPS_SEED_ON_START, registers the models shipped in
 * RISKOPS_SEED_MODELS_DIR and makes each one champion where its use case has none (idempotent).
 */
export async function createServices(
  settings: Settings,
  storage: StorageClients,
  useCases: readonly AnyUseCase[],
): Promise<Services> {
  const registry = createRegistryFromSettings(settings, storage, useCases);
  if (settings.RISKOPS_SEED_ON_START) {
    await seedRegistryFromDirectory(
      registry,
      settings.RISKOPS_SEED_MODELS_DIR,
      useCases.map((u) => u.name),
    );
  }
  const models = createRegistryModelProvider({ registry, refreshMs: settings.RISKOPS_ALIAS_REFRESH_MS });
  const retrainQueue = createMessageQueueFromSettings(settings, storage, RETRAIN_QUEUE);
  const retrainState = createRetrainState(storage.table(settings.RISKOPS_RETRAIN_TABLE));
  return {
    settings,
    storage,
    useCases,
    registry,
    models,
    retrainQueue,
    retrainTrigger: createRetrainTrigger({ useCases, queue: retrainQueue, state: retrainState }),
    retrainConsumer: createRetrainConsumer({
      registry,
      useCases,
      trainingData: storage.container(settings.RISKOPS_TRAINING_DATA_CONTAINER),
      state: retrainState,
    }),
    performance: {
      useCases,
      registry,
      source: createBatchOutputSource(storage.container(SCORING_OUTPUT_CONTAINER)),
      labels: storage.container(settings.RISKOPS_LABELS_CONTAINER),
      trainingData: storage.container(settings.RISKOPS_TRAINING_DATA_CONTAINER),
      // Bound to the App Insights telemetry module at integration; JSON lines under the data dir until then.
      sink: createJsonLinesMetricSink(join(settings.RISKOPS_DATA_DIR, 'metrics', 'performance.jsonl')),
    },
    close: async () => {
      await models.close();
      await retrainQueue.close();
    },
  };
}
