/** @module Storage: lazily created Blob/Queue/Table clients and the embedded Azurite process. */
export { type AzuriteInstance, type AzuriteOptions, processAlive, startAzurite } from './azurite.js';
export {
  azuriteConnectionString,
  createStorageClients,
  type StorageClients,
  type StorageClientsOptions,
  type StorageConnection,
  storageConnectionFrom,
} from './clients.js';
export { DEFAULT_RETRY, fastRetry, type StorageRetry } from './retry.js';
