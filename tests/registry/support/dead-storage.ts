import { createServer } from 'node:net';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { azuriteConnectionString, type StorageClients } from '../../../src/platform/storage/index.js';

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
  const tableOptions = { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } };
  const blob = BlobServiceClient.fromConnectionString(connectionString, { retryOptions: { maxTries: 1 } });
  const queue = QueueServiceClient.fromConnectionString(connectionString, { retryOptions: { maxTries: 1 } });
  const clients: StorageClients = {
    connection: { kind: 'connectionString', connectionString },
    blobService: () => blob,
    container: (name) => blob.getContainerClient(name),
    queueService: () => queue,
    queue: (name) => queue.getQueueClient(name),
    tableService: () => TableServiceClient.fromConnectionString(connectionString, tableOptions),
    table: (name) => TableClient.fromConnectionString(connectionString, name, tableOptions),
  };
  return clients;
}
