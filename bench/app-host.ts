import { createAppServices } from '../functions/app.js';
import { FUNCTIONS } from '../functions/definitions.js';
import type { Settings } from '../src/platform/config/index.js';
import { createLocalHost, loadHostConfig, SILENT_LOGGER } from '../src/platform/host/index.js';
import type { StorageClients } from '../src/platform/storage/index.js';

/** The app's services and every function on a started local host (port 0, silent), for a benchmark. */
export async function startAppHost(settings: Settings, storage: StorageClients) {
  const services = await createAppServices(settings, storage);
  const host = createLocalHost({
    definitions: FUNCTIONS,
    services,
    storage,
    hostConfig: loadHostConfig('host.json'),
    port: 0,
    logger: SILENT_LOGGER,
  });
  await host.start();
  return { services, host };
}
