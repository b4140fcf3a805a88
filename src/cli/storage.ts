import type { Settings } from '../platform/config/index.js';
import { azuriteEndpointsPath, describeConnection, readAzuriteEndpoints } from '../platform/host/index.js';
import { type StorageConnection, storageConnectionFrom } from '../platform/storage/index.js';
import { setStorageDescription } from './storage-hint.js';

const DEV_STORAGE = /^UseDevelopmentStorage=true;?$/i;

/**
 * The storage a CLI command talks to. Explicit settings win (a connection string, or service URIs with an
 * identity); with none, or only `UseDevelopmentStorage=true`, the Azurite of a running `riskops start` in
 * RISKOPS_DATA_DIR (it records its endpoints there, whatever ports it got); else Azurite's default ports.
 * The choice is remembered so that an unreachable storage is named in the error.
 */
export function cliStorageConnection(settings: Settings): StorageConnection {
  const explicit =
    (settings.AzureWebJobsStorage !== undefined && !DEV_STORAGE.test(settings.AzureWebJobsStorage.trim())) ||
    settings.AzureWebJobsStorage__blobServiceUri !== undefined;
  const running = explicit ? undefined : readAzuriteEndpoints(settings.RISKOPS_DATA_DIR);
  if (running !== undefined) {
    const connection: StorageConnection = {
      kind: 'connectionString',
      connectionString: running.connectionString,
    };
    setStorageDescription(
      `the Azurite of the running riskops start (pid ${running.pid}, recorded in ${azuriteEndpointsPath(settings.RISKOPS_DATA_DIR)}): ${describeConnection(connection)}`,
    );
    return connection;
  }
  const connection = storageConnectionFrom(settings);
  setStorageDescription(
    explicit
      ? describeConnection(connection)
      : `${describeConnection(connection)} (no running riskops start recorded in ${azuriteEndpointsPath(settings.RISKOPS_DATA_DIR)}; start one, or set AzureWebJobsStorage)`,
  );
  return connection;
}
