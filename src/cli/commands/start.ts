/** `riskops start`: the local Functions host on Azurite, the stand-in for `func start`. */
import { join } from 'node:path';
import { createAppServices } from '../../../functions/app.js';
import { FUNCTIONS } from '../../../functions/definitions.js';
import { seedInputs, utcDate } from '../../platform/batch/index.js';
import { loadSettings, type Settings } from '../../platform/config/index.js';
import {
  createConsoleLogger,
  createLocalHost,
  describeConnection,
  type EmbeddedAzurite,
  exportLocalSettings,
  type LocalHost,
  loadHostConfig,
  startEmbeddedAzurite,
} from '../../platform/host/index.js';
import type { Services } from '../../platform/runtime/services.js';
import {
  createStorageClients,
  type StorageConnection,
  storageConnectionFrom,
} from '../../platform/storage/index.js';
import { USE_CASES } from '../../use_cases/index.js';
import { startConsumers } from './batch-local.js';

const LOCAL_SETTINGS = 'local.settings.json';
const HOST_JSON = 'host.json';
/** After a clean stop, exit even if a stray handle (a socket, a timer) would keep Node running. */
const EXIT_GRACE_MS = 2000;

const USAGE = `usage: riskops start

Runs every function in functions/definitions.ts like \`func start\`: HTTP on RISKOPS_HTTP_PORT (7071),
timers on their schedules, queue triggers on Azurite, and the admin API (POST /admin/functions/{name}).
Reads local.settings.json (its Values become environment variables; the environment wins) and host.json.
With RISKOPS_EMBEDDED_AZURITE=true (the default) it starts Azurite with its data in RISKOPS_DATA_DIR.
Ctrl-C stops it cleanly (running invocations finish first); a second Ctrl-C forces the exit.
`;

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`riskops start takes no arguments (got ${args.join(' ')})\n\n${USAGE}`);
    return 2;
  }
  exportLocalSettings(LOCAL_SETTINGS);
  // The file's Values are in the environment now (exported above), so the environment is the whole source.
  const settings = loadSettings();
  const hostConfig = loadHostConfig(HOST_JSON);
  const logger = createConsoleLogger(settings.RISKOPS_LOG_LEVEL);

  let azurite: EmbeddedAzurite | undefined;
  let services: Services | undefined;
  let host: LocalHost | undefined;
  let consumers: { stop(): Promise<void> } | undefined;
  let signals = 0;
  let requestStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    requestStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      console.log(`\n${signal}: stopping (running invocations finish first; Ctrl-C again to force)`);
      requestStop();
      return;
    }
    console.error('Forced exit.');
    azurite?.kill();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    let effective: Settings = settings;
    let connection: StorageConnection;
    if (settings.RISKOPS_EMBEDDED_AZURITE) {
      azurite = await startEmbeddedAzurite({
        dataDir: settings.RISKOPS_DATA_DIR,
        ports: {
          blob: settings.RISKOPS_AZURITE_BLOB_PORT,
          queue: settings.RISKOPS_AZURITE_QUEUE_PORT,
          table: settings.RISKOPS_AZURITE_TABLE_PORT,
        },
        logger,
      });
      connection = { kind: 'connectionString', connectionString: azurite.connectionString };
      effective = { ...settings, AzureWebJobsStorage: azurite.connectionString };
      process.env.AzureWebJobsStorage = azurite.connectionString;
    } else {
      connection = storageConnectionFrom(settings);
    }
    if (signals > 0) return 0;
    const storage = createStorageClients(connection, {
      fastTimeoutMs: settings.RISKOPS_STORAGE_FAST_TIMEOUT_MS,
    });
    services = await createAppServices(effective, storage);
    if (signals > 0) return 0;
    host = createLocalHost({
      definitions: FUNCTIONS,
      services,
      storage,
      hostConfig,
      port: settings.RISKOPS_HTTP_PORT,
      maxRequestBytes: settings.RISKOPS_MAX_REQUEST_BYTES,
      logger,
      keys: { master: settings.RISKOPS_HOST_MASTER_KEY, function: settings.RISKOPS_HOST_FUNCTION_KEYS },
    });
    await host.start();
    const date = utcDate(new Date());
    const seeded = await seedInputs(
      storage.container(effective.RISKOPS_BATCH_INPUT_CONTAINER),
      USE_CASES,
      date,
      settings.RISKOPS_ENVIRONMENT === 'azure' ? 0 : settings.RISKOPS_BATCH_SEED_INPUT_ROWS,
    );
    if (seeded.length > 0)
      console.log(
        `Seeded ${seeded.length} input files for ${date} in ${effective.RISKOPS_BATCH_INPUT_CONTAINER}; score them now with\n  curl -X POST ${host.url}/admin/functions/nightlyBatch -H 'content-type: application/json' -d '{}'\n`,
      );
    consumers = startConsumers(settings.RISKOPS_QUEUE_CONSUMERS - 1, effective, logger);
    const where = azurite
      ? `embedded Azurite (pid ${azurite.pid}, data in ${join(settings.RISKOPS_DATA_DIR, 'azurite')})`
      : 'external';
    console.log(`Storage: ${where}\n  ${describeConnection(connection)}\n`);
    console.log(`Host: ${host.url} (admin API: ${host.url}/admin/functions)\nPress Ctrl-C to stop.`);
    await stopRequested;
    await host.stop();
    return 0;
  } finally {
    await consumers?.stop();
    await host?.stop();
    if (services !== undefined) {
      await services
        .close()
        .catch((error: unknown) => console.error(`Closing services failed: ${String(error)}`));
    }
    if (azurite !== undefined) {
      await azurite.stop();
      console.log(`Azurite (pid ${azurite.pid}) stopped.`);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    setTimeout(() => process.exit(process.exitCode ?? 0), EXIT_GRACE_MS).unref();
  }
}
