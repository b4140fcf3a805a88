import type { Settings } from '../config/index.js';
import type { StorageClients } from '../storage/index.js';
import { createRegistry, type Registry } from './registry.js';
import type { RegistryUseCase } from './types.js';

/**
 * What a use case's first stored policy says when the use case declares nothing: RISKOPS_REQUIRE_APPROVAL,
 * else on in Azure and off locally. It only seeds a policy that does not exist yet; in Azure it is always on.
 */
export function approvalRequired(settings: Settings): boolean {
  if (settings.RISKOPS_ENVIRONMENT === 'azure') return true;
  return settings.RISKOPS_REQUIRE_APPROVAL ?? false;
}

/** The registry as the settings describe it. */
export function createRegistryFromSettings(
  settings: Settings,
  storage: StorageClients,
  useCases: readonly RegistryUseCase[],
): Registry {
  return createRegistry({
    storage,
    container: settings.RISKOPS_MODELS_CONTAINER,
    ledgerTable: settings.RISKOPS_LEDGER_TABLE,
    useCases,
    requireApproval: approvalRequired(settings),
    azure: settings.RISKOPS_ENVIRONMENT === 'azure',
    ...(settings.RISKOPS_LEDGER_ARCHIVE_CONTAINER === undefined
      ? {}
      : { archiveContainer: settings.RISKOPS_LEDGER_ARCHIVE_CONTAINER }),
  });
}
