import { createServer } from 'node:net';
import {
  azuriteConnectionString,
  createStorageClients,
  type StorageClients,
} from '../../../src/platform/storage/index.js';

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Real SDK clients for a storage account that is down (connection refused), with SDK retries off so a test
 * sees the failure at once rather than after the SDK's back-off.
 */
export async function unreachableStorage(): Promise<StorageClients> {
  const port = await closedPort();
  const connectionString = azuriteConnectionString({ blob: port, queue: port, table: port });
  return createStorageClients(
    { kind: 'connectionString', connectionString },
    { retry: { maxTries: 1, tryTimeoutMs: 2000, retryDelayMs: 0, maxRetryDelayMs: 0 }, fastTimeoutMs: 2000 },
  );
}
