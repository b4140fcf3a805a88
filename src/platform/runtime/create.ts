import { existsSync } from 'node:fs';
import { createBatchService } from '../batch/index.js';
import type { Settings } from '../config/index.js';
import { loadHostConfig } from '../host/index.js';
import {
  createRegistryFromSettings,
  createRegistryModelProvider,
  seedRegistryFromDirectory,
} from '../registry/index.js';
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
  const services: Services = {
    settings,
    storage,
    useCases,
    registry,
    models,
    batch: createBatchService({
      settings,
      storage,
      useCases,
      models,
      observe: async (batch) => {
        for (const observer of services.scoreObservers ?? []) await observer(batch);
      },
      maxDequeueCount: existsSync('host.json')
        ? loadHostConfig('host.json').extensions.queues.maxDequeueCount
        : 5,
    }),
    close: () => models.close(),
  };
  return services;
}
