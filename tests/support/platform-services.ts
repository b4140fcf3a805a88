import { createTableDecisionLog } from '../../src/platform/audit/index.js';
import type { Settings } from '../../src/platform/config/index.js';
import { createDriftServices } from '../../src/platform/drift/services.js';
import { createMessageQueueFromSettings, RETRAIN_QUEUE } from '../../src/platform/messaging/index.js';
import { createBatchOutputSource } from '../../src/platform/performance/index.js';
import type { Registry } from '../../src/platform/registry/index.js';
import {
  createRetrainConsumer,
  createRetrainState,
  createRetrainTrigger,
} from '../../src/platform/retrain/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import type { ModelProvider } from '../../src/platform/scoring/index.js';
import type { StorageClients } from '../../src/platform/storage/index.js';
import type { AnyUseCase } from '../../src/platform/use-case/index.js';
import { uniqueName } from './storage.js';

/**
 * Services around a registry and model provider a test built itself: the real decision log, drift, telemetry,
 * retrain and performance services on the test's storage (what `createServices` adds), closed together.
 */
export function servicesAround(
  settings: Settings,
  storage: StorageClients,
  useCases: readonly AnyUseCase[],
  registry: Registry,
  models: ModelProvider,
): Services {
  const drift = createDriftServices(settings, storage, useCases, registry, () => undefined);
  const retrainQueue = createMessageQueueFromSettings(settings, storage, RETRAIN_QUEUE);
  const state = createRetrainState(storage.table(settings.RISKOPS_RETRAIN_TABLE));
  const trainingData = storage.container(settings.RISKOPS_TRAINING_DATA_CONTAINER);
  const decisions = createTableDecisionLog({
    table: storage.table(uniqueName('decisions')),
    entityPartitions: 2,
    timeoutMs: 10_000,
  });
  return {
    settings,
    storage,
    useCases,
    registry,
    models,
    decisions,
    hmacKey: Buffer.from('test-decision-log-hmac-key-32-chars!'),
    ...drift,
    retrainQueue,
    retrainTrigger: createRetrainTrigger({ useCases, queue: retrainQueue, state }),
    retrainConsumer: createRetrainConsumer({ registry, useCases, trainingData, state }),
    performance: {
      useCases,
      registry,
      source: createBatchOutputSource(storage.container(settings.RISKOPS_BATCH_OUTPUT_CONTAINER)),
      labels: storage.container(settings.RISKOPS_LABELS_CONTAINER),
      trainingData,
      sink: { trackMetric: () => undefined },
    },
    close: async () => {
      await decisions.close();
      await drift.drift.close();
      await drift.telemetry.close();
      await models.close();
      await retrainQueue.close();
    },
  };
}
