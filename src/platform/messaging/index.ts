/** @module Messaging: a queue port (id, properties, JSON body) on Service Bus in Azure and an Azurite queue locally. */
export { ENVELOPE_KEY, type ServiceBusEnvelope, unwrapEnvelope, wrapEnvelope } from './envelope.js';
export {
  createServiceBusQueue,
  type ServiceBusConnection,
  type ServiceBusQueueOptions,
} from './service-bus.js';
export { createMessageQueueFromSettings, DEDUPE_TABLE, serviceBusConnectionFrom } from './settings.js';
export {
  createStorageQueueMessaging,
  DEFAULT_DUPLICATE_WINDOW_MS,
  type StorageQueueMessagingOptions,
} from './storage-queue.js';
export * from './types.js';
