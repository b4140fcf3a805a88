import { createAppServices } from '../functions/app.js';
import { FUNCTIONS } from '../functions/definitions.js';
import type { Settings } from '../src/platform/config/index.js';
import { createLocalHost, loadHostConfig, SILENT_LOGGER } from '../src/platform/host/index.js';
import type { StorageClients } from '../src/platform/storage/index.js';

/**
 * The app's services and every function on a started local host (port 0, silent), for a benchmark. `limits`:
 * enforce keys and the request size limit as `riskops start` does (the HTTP load benchmark's host).
 */
export async function startAppHost(settings: Settings, storage: StorageClients, limits = false) {
  const services = await createAppServices(settings, storage);
  const host = createLocalHost({
    definitions: FUNCTIONS,
    services,
    storage,
    hostConfig: loadHostConfig('host.json'),
    port: 0,
    logger: SILENT_LOGGER,
    ...(limits
      ? {
          maxRequestBytes: settings.RISKOPS_MAX_REQUEST_BYTES,
          keys: { master: settings.RISKOPS_HOST_MASTER_KEY, function: settings.RISKOPS_HOST_FUNCTION_KEYS },
        }
      : {}),
  });
  await host.start();
  return { services, host };
}
