import { userInfo } from 'node:os';
import type { Settings } from '../config/index.js';
import { RiskopsError } from '../errors/index.js';
import type { StorageClients } from '../storage/index.js';
import { createRegistry, type Registry } from './registry.js';
import type { RegistryUseCase } from './types.js';

/** Set by App Service authentication (Easy Auth) on requests it let through: the caller's identity. */
export const PRINCIPAL_HEADER = 'x-ms-client-principal-name';

/** Separation of duties is on in Azure unless RISKOPS_REQUIRE_APPROVAL says otherwise, off locally. */
export function approvalRequired(settings: Settings): boolean {
  return settings.RISKOPS_REQUIRE_APPROVAL ?? settings.RISKOPS_ENVIRONMENT === 'azure';
}

/** Who is acting from a terminal: RISKOPS_ACTOR, else the OS user. */
export function localActor(settings: Pick<Settings, 'RISKOPS_ACTOR'>): string {
  if (settings.RISKOPS_ACTOR !== undefined) return settings.RISKOPS_ACTOR;
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/**
 * Who is acting over HTTP: the authenticated principal; without one, RISKOPS_ACTOR or the OS user locally.
 * @throws RiskopsError `unauthorized` in Azure when no principal is present (the ledger needs a real name).
 */
export function requestActor(principal: string | null | undefined, settings: Settings): string {
  const name = principal?.trim();
  if (name !== undefined && name !== '') return name;
  if (settings.RISKOPS_ENVIRONMENT === 'azure' && settings.RISKOPS_ACTOR === undefined) {
    throw new RiskopsError(
      'unauthorized',
      `Model changes need a caller identity (${PRINCIPAL_HEADER}); enable App Service authentication`,
    );
  }
  return localActor(settings);
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
  });
}
