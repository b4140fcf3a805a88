import type { Settings } from '../config/index.js';
import type { StorageClients } from '../storage/index.js';
import { createServiceBusQueue, type ServiceBusConnection } from './service-bus.js';
import { createStorageQueueMessaging } from './storage-queue.js';
import type { MessageQueue } from './types.js';

/** Table of the local duplicate-detection records (one partition per queue). */
export const DEDUPE_TABLE = 'messagededupe';

type ServiceBusSettings = Pick<
  Settings,
  'ServiceBusConnection' | 'ServiceBusConnection__fullyQualifiedNamespace' | 'ServiceBusConnection__clientId'
>;

/** The Service Bus connection the settings describe, or undefined when none is configured. */
export function serviceBusConnectionFrom(settings: ServiceBusSettings): ServiceBusConnection | undefined {
  if (settings.ServiceBusConnection !== undefined)
    return { kind: 'connectionString', connectionString: settings.ServiceBusConnection };
  const namespace = settings.ServiceBusConnection__fullyQualifiedNamespace;
  if (namespace === undefined) return undefined;
  return {
    kind: 'identity',
    fullyQualifiedNamespace: namespace,
    ...(settings.ServiceBusConnection__clientId === undefined
      ? {}
      : { clientId: settings.ServiceBusConnection__clientId }),
  };
}

/**
 * The queue `queueName` as the settings say: Service Bus when `ServiceBusConnection` (or its
 * `__fullyQualifiedNamespace`) is set, otherwise the storage queue of the same name, which the local host
 * binds Service Bus triggers to.
 */
export function createMessageQueueFromSettings(
  settings: ServiceBusSettings,
  storage: StorageClients,
  queueName: string,
): MessageQueue {
  const connection = serviceBusConnectionFrom(settings);
  if (connection !== undefined) return createServiceBusQueue({ connection, queueName });
  return createStorageQueueMessaging({
    queue: storage.queue(queueName),
    dedupeTable: storage.table(DEDUPE_TABLE),
  });
}
