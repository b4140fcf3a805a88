/**
 * The app's wiring: the use cases this deployment serves and the services built from settings. Shared by
 * the Azure entry point (`index.ts`) and the local host (`riskops start`).
 */
import type { Settings } from '../src/platform/config/index.js';
import { createServices } from '../src/platform/runtime/create.js';
import type { Services } from '../src/platform/runtime/services.js';
import type { StorageClients } from '../src/platform/storage/index.js';
import { USE_CASES } from '../src/use_cases/index.js';

export function createAppServices(settings: Settings, storage: StorageClients): Promise<Services> {
  return createServices(settings, storage, USE_CASES);
}
