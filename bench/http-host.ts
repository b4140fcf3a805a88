/**
 * The server side of the HTTP load benchmark, run as its own process: the local host with every function,
 * reasons and the decision log on, against the Azurite in AzureWebJobsStorage. Prints `READY <url>`.
 */
import { loadSettings } from '../src/platform/config/index.js';
import { createStorageClients, storageConnectionFrom } from '../src/platform/storage/index.js';
import { startAppHost } from './app-host.js';

const settings = loadSettings();
const storage = createStorageClients(storageConnectionFrom(settings));
const { services, host } = await startAppHost(settings, storage, true);
// Bench only (not a product mode): what the host costs without the decision-log write, for comparison.
if (process.env.BENCH_DECISION_LOG === 'off' && services.decisions !== undefined)
  services.decisions.append = async () => undefined;
process.stdout.write(`READY ${host.url}\n`);
process.on('SIGTERM', () => {
  void host
    .stop()
    .then(() => services.close())
    .finally(() => process.exit(0));
});
