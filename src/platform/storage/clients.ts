import type { TokenCredential } from '@azure/core-auth';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { type QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { RiskopsError } from '../errors/index.js';
import {
  blobPipeline,
  DEFAULT_RETRY,
  fastRetry,
  queuePipeline,
  type StorageRetry,
  tableClientOptions,
} from './retry.js';

/** How to reach a storage account: a connection string (Azurite or a key), or service URIs with an identity. */
export type StorageConnection =
  | { kind: 'connectionString'; connectionString: string }
  | {
      kind: 'identity';
      blobServiceUri: string;
      queueServiceUri: string;
      tableServiceUri: string;
      clientId?: string;
    };

/** Lazily created SDK clients, shared by every capability and reused across invocations. */
export interface StorageClients {
  readonly connection: StorageConnection;
  blobService(): BlobServiceClient;
  container(name: string): ContainerClient;
  queueService(): QueueServiceClient;
  queue(name: string): QueueClient;
  tableService(): TableServiceClient;
  table(name: string): TableClient;
  /** How these clients time out and retry each request. */
  readonly retry: StorageRetry;
  /**
   * The same account through clients that give up fast (short per-try timeout, at most one retry): for
   * background checks and probes, which must never tie a worker up in the SDK's default retry storm.
   */
  fast(): StorageClients;
}

export interface StorageClientsOptions {
  /** Per-try timeout and retries of the ordinary clients. Default: `DEFAULT_RETRY`. */
  retry?: StorageRetry;
  /** Per-try timeout of the `fast()` clients (settings.RISKOPS_STORAGE_FAST_TIMEOUT_MS). Default 2000. */
  fastTimeoutMs?: number;
}

const DEV_STORAGE = /^UseDevelopmentStorage=true;?$/i;

/**
 * `UseDevelopmentStorage=true` is understood by the blob and queue SDKs but not by `@azure/data-tables`,
 * so it is expanded to Azurite's well-known account on the default ports.
 */
function expandDevelopmentStorage(connectionString: string): string {
  if (!DEV_STORAGE.test(connectionString.trim())) return connectionString;
  return azuriteConnectionString({ blob: 10000, queue: 10001, table: 10002 });
}

const AZURITE_ACCOUNT = 'devstoreaccount1';
// Azurite's published, well-known development key (not a secret).
const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The connection string of an Azurite listening on the given loopback ports. */
export function azuriteConnectionString(
  ports: { blob: number; queue: number; table: number },
  host = '127.0.0.1',
): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=http://${host}:${ports.blob}/${AZURITE_ACCOUNT}`,
    `QueueEndpoint=http://${host}:${ports.queue}/${AZURITE_ACCOUNT}`,
    `TableEndpoint=http://${host}:${ports.table}/${AZURITE_ACCOUNT}`,
  ].join(';');
}

/** Picks the connection from settings-shaped values. */
export function storageConnectionFrom(values: {
  AzureWebJobsStorage?: string | undefined;
  AzureWebJobsStorage__blobServiceUri?: string | undefined;
  AzureWebJobsStorage__queueServiceUri?: string | undefined;
  AzureWebJobsStorage__tableServiceUri?: string | undefined;
  AzureWebJobsStorage__clientId?: string | undefined;
}): StorageConnection {
  if (values.AzureWebJobsStorage !== undefined) {
    return {
      kind: 'connectionString',
      connectionString: expandDevelopmentStorage(values.AzureWebJobsStorage),
    };
  }
  const blob = values.AzureWebJobsStorage__blobServiceUri;
  const queue = values.AzureWebJobsStorage__queueServiceUri;
  const table = values.AzureWebJobsStorage__tableServiceUri;
  if (blob === undefined && queue === undefined && table === undefined) {
    // Nothing configured: the local Azurite on its default ports (where `riskops start` runs it).
    return {
      kind: 'connectionString',
      connectionString: expandDevelopmentStorage('UseDevelopmentStorage=true'),
    };
  }
  if (blob === undefined || queue === undefined || table === undefined) {
    throw new RiskopsError('invalid_settings', 'Incomplete storage connection: set all three service URIs');
  }
  const connection: StorageConnection = {
    kind: 'identity',
    blobServiceUri: blob,
    queueServiceUri: queue,
    tableServiceUri: table,
  };
  if (values.AzureWebJobsStorage__clientId !== undefined)
    connection.clientId = values.AzureWebJobsStorage__clientId;
  return connection;
}

/** Creates the shared clients. Nothing connects until a client is first used. */
export function createStorageClients(
  connection: StorageConnection,
  options: StorageClientsOptions = {},
): StorageClients {
  const shared: { credential?: TokenCredential } = {};
  const identity = (): TokenCredential => {
    if (connection.kind !== 'identity')
      throw new Error('identity credential requested for a connection string');
    shared.credential ??= new DefaultAzureCredential(
      connection.clientId === undefined ? {} : { managedIdentityClientId: connection.clientId },
    );
    return shared.credential;
  };
  const retry = options.retry ?? DEFAULT_RETRY;
  const normal = clientsWith(connection, retry, identity);
  let fast: StorageClients | undefined;
  const withFast = (clients: Omit<StorageClients, 'fast'>, self: () => StorageClients): StorageClients => ({
    ...clients,
    fast: self,
  });
  const fastClients = (): StorageClients => {
    fast ??= withFast(
      clientsWith(connection, fastRetry(options.fastTimeoutMs ?? 2000), identity),
      fastClients,
    );
    return fast;
  };
  return withFast(normal, fastClients);
}

function clientsWith(
  connection: StorageConnection,
  retry: StorageRetry,
  identity: () => TokenCredential,
): Omit<StorageClients, 'fast'> {
  let blob: BlobServiceClient | undefined;
  let queue: QueueServiceClient | undefined;
  let table: TableServiceClient | undefined;
  const tables = new Map<string, TableClient>();
  const tableOptions = tableClientOptions(retry);
  // Azurite speaks plain HTTP; shared-key signing over it is fine locally (Azure connection strings are https).
  const stringTableOptions = { ...tableOptions, allowInsecureConnection: true };
  const isString = connection.kind === 'connectionString';

  const clients: Omit<StorageClients, 'fast'> = {
    connection,
    retry,
    blobService() {
      if (blob === undefined) {
        // Parsed once by the SDK, then rebuilt on a pipeline that carries the per-try timeout.
        const base = isString
          ? BlobServiceClient.fromConnectionString(connection.connectionString)
          : undefined;
        const credential = base?.credential ?? identity();
        const url = base?.url ?? (connection.kind === 'identity' ? connection.blobServiceUri : '');
        blob = new BlobServiceClient(url, blobPipeline(credential, retry));
      }
      return blob;
    },
    container(name) {
      return clients.blobService().getContainerClient(name);
    },
    queueService() {
      if (queue === undefined) {
        const base = isString
          ? QueueServiceClient.fromConnectionString(connection.connectionString)
          : undefined;
        // The queue SDK keeps its parsed credential private; the blob SDK reads the same account key.
        const credential = isString
          ? BlobServiceClient.fromConnectionString(connection.connectionString).credential
          : identity();
        const url = base?.url ?? (connection.kind === 'identity' ? connection.queueServiceUri : '');
        queue = new QueueServiceClient(url, queuePipeline(credential, retry));
      }
      return queue;
    },
    queue(name) {
      return clients.queueService().getQueueClient(name);
    },
    tableService() {
      table ??=
        connection.kind === 'connectionString'
          ? TableServiceClient.fromConnectionString(connection.connectionString, stringTableOptions)
          : new TableServiceClient(connection.tableServiceUri, identity(), tableOptions);
      return table;
    },
    table(name) {
      let client = tables.get(name);
      if (client === undefined) {
        client =
          connection.kind === 'connectionString'
            ? TableClient.fromConnectionString(connection.connectionString, name, stringTableOptions)
            : new TableClient(connection.tableServiceUri, name, identity(), tableOptions);
        tables.set(name, client);
      }
      return client;
    },
  };
  return clients;
}
