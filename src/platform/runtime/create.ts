import { existsSync } from 'node:fs';
import { createDecisionLogFromSettings, resolveHmacKey } from '../audit/index.js';
import { createBatchService } from '../batch/index.js';
import type { Settings } from '../config/index.js';
import { createDriftServices } from '../drift/services.js';
import { loadHostConfig } from '../host/index.js';
import { createMessageQueueFromSettings, RETRAIN_QUEUE } from '../messaging/index.js';
import { combineSources, createBatchOutputSource, createDecisionLogSource } from '../performance/index.js';
import {
  createLedgerMonitor,
  createRegistryFromSettings,
  createRegistryModelProvider,
  seedRegistryFromDirectory,
} from '../registry/index.js';
import {
  createRetrainConsumer,
  createRetrainState,
  createRetrainTrigger,
  driftWindowOf,
} from '../retrain/index.js';
import type { StorageClients } from '../storage/index.js';
import type { MetricName } from '../telemetry/index.js';
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
  // Serving reads the registry through clients that give up fast, so a storage outage never stalls a request.
  const models = createRegistryModelProvider({
    registry: createRegistryFromSettings(settings, storage.fast(), useCases),
    refreshMs: settings.RISKOPS_ALIAS_REFRESH_MS,
    retry: { maxMs: settings.RISKOPS_RETRY_MAX_MS },
  });
  // Behind the local spool (RISKOPS_AUDIT_SPOOL): a table outage never holds a decision for long.
  const decisions = await createDecisionLogFromSettings(settings, storage);
  // Load each champion now, in the background, so the first request does not pay for it.
  models.serving(useCases.map((u) => u.name)).catch(() => undefined);
  const retrainQueue = createMessageQueueFromSettings(settings, storage, RETRAIN_QUEUE);
  const retrainState = createRetrainState(storage.table(settings.RISKOPS_RETRAIN_TABLE));
  const retrainTrigger = createRetrainTrigger({ useCases, queue: retrainQueue, state: retrainState });
  const drift = createDriftServices(settings, storage, useCases, registry, async (report) => {
    // Every drift window is a vote in the k-of-n retrain decision (DESIGN decision 8).
    const outcome = await retrainTrigger.consider(driftWindowOf(report));
    if (outcome.decision === 'sent') {
      drift.telemetry.trackEvent('RetrainRequested', {
        useCase: report.useCase,
        reason: outcome.message,
        messageId: outcome.messageId ?? '',
        modelVersion: report.modelVersion,
      });
    }
    await services.onDriftReport?.(report);
  });
  const services: Services = {
    settings,
    storage,
    useCases,
    registry,
    models,
    decisions,
    ledgers: createLedgerMonitor({ registry, useCases: useCases.map((u) => u.name), maxAgeMs: 60_000 }),
    hmacKey: resolveHmacKey(settings),
    ...drift,
    // Every scored request (champion, canary, pinned, shadow) feeds the drift counts, off the response path.
    observeScores: (observation) => services.drift.record(observation),
    batch: createBatchService({
      settings,
      storage,
      useCases,
      models,
      observe: async (batch) => {
        await services.drift.observe(batch);
        for (const observer of services.scoreObservers ?? []) await observer(batch);
      },
      maxDequeueCount: existsSync('host.json')
        ? loadHostConfig('host.json').extensions.queues.maxDequeueCount
        : 5,
    }),
    retrainQueue,
    retrainTrigger,
    retrainConsumer: createRetrainConsumer({
      registry,
      useCases,
      trainingData: storage.container(settings.RISKOPS_TRAINING_DATA_CONTAINER),
      state: retrainState,
    }),
    performance: {
      useCases,
      registry,
      // Nightly batch outputs and the decisions returned over HTTP alike.
      source: combineSources(
        createBatchOutputSource(storage.container(settings.RISKOPS_BATCH_OUTPUT_CONTAINER)),
        createDecisionLogSource(decisions),
      ),
      labels: storage.container(settings.RISKOPS_LABELS_CONTAINER),
      trainingData: storage.container(settings.RISKOPS_TRAINING_DATA_CONTAINER),
      // Realized and estimated AUC go to Application Insights (or JSON lines) with every other metric.
      sink: {
        trackMetric: (name, value, dimensions) =>
          drift.telemetry.trackMetric(name as MetricName, value, dimensions),
      },
    },
    close: async () => {
      await services.batch?.close();
      await decisions.close();
      await services.drift.close();
      await services.telemetry.close();
      await models.close();
      await retrainQueue.close();
    },
  };
  return services;
}
