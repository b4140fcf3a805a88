/**
 * The server side of the HTTP load benchmark, run as its own process: the local host with every function,
 * reasons and the decision log on, against the Azurite in AzureWebJobsStorage. Prints `READY <url>`.
 */
import { createAppServices } from '../functions/app.js';
import { FUNCTIONS } from '../functions/definitions.js';
import { loadSettings } from '../src/platform/config/index.js';
import { createLocalHost, loadHostConfig, SILENT_LOGGER } from '../src/platform/host/index.js';
import { createStorageClients, storageConnectionFrom } from '../src/platform/storage/index.js';

const settings = loadSettings();
const storage = createStorageClients(storageConnectionFrom(settings));
const services = await createAppServices(settings, storage);
// Bench only (not a product mode): what the host costs without the decision-log write, for comparison.
if (process.env.BENCH_DECISION_LOG === 'off' && services.decisions !== undefined)
  services.decisions.append = async () => undefined;
const host = createLocalHost({
  definitions: FUNCTIONS,
  services,
  storage,
  hostConfig: loadHostConfig('host.json'),
  port: 0,
  logger: SILENT_LOGGER,
  maxRequestBytes: settings.RISKOPS_MAX_REQUEST_BYTES,
  keys: { master: settings.RISKOPS_HOST_MASTER_KEY, function: settings.RISKOPS_HOST_FUNCTION_KEYS },
});
await host.start();
process.stdout.write(`READY ${host.url}\n`);
process.on('SIGTERM', () => {
  void host
    .stop()
    .then(() => services.close())
    .finally(() => process.exit(0));
});
