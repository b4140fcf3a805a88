/** The messaging port on an Azurite (or Azure Storage) queue, with Service Bus duplicate detection kept. */
import type { TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';
import { RiskopsError } from '../errors/index.js';
import { unwrapEnvelope, wrapEnvelope } from './envelope.js';
import {
  type MessageQueue,
  type OutgoingMessage,
  OutgoingMessageSchema,
  type ReceivedMessage,
  type ReceiveOptions,
  type SendResult,
} from './types.js';

export interface StorageQueueMessagingOptions {
  queue: QueueClient;
  /** Holds one row per sent message id (partition = queue name) for duplicate detection. */
  dedupeTable: TableClient;
  /** As the Service Bus queue's `duplicateDetectionHistoryTimeWindow` (infra: PT1H). */
  duplicateWindowMs?: number;
  /** How long a received message stays invisible before it is delivered again. */
  lockSeconds?: number;
  clock?: () => Date;
}

export const DEFAULT_DUPLICATE_WINDOW_MS = 60 * 60 * 1000;

/** Table keys may not hold / \ # ? or control characters. */
const rowKey = (messageId: string): string => encodeURIComponent(messageId);

const statusOf = (error: unknown): number | undefined =>
  (error as { statusCode?: number } | undefined)?.statusCode;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends each message as the local host expects a Service Bus message on a storage queue: base64 text of a
 * JSON envelope (id, properties, body). A message id already sent within the window is not sent again —
 * the same outcome as Service Bus duplicate detection, decided by a conditional table write.
 */
export function createStorageQueueMessaging(options: StorageQueueMessagingOptions): MessageQueue {
  const { queue, dedupeTable } = options;
  const windowMs = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  const lockSeconds = options.lockSeconds ?? 300;
  const clock = options.clock ?? (() => new Date());
  if (!(windowMs > 0)) throw new RiskopsError('invalid_settings', 'duplicateWindowMs must be positive');
  const handles = new WeakMap<ReceivedMessage, { id: string; popReceipt: string }>();
  let ready: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    ready ??= Promise.all([queue.createIfNotExists(), dedupeTable.createTable()]).then(
      () => undefined,
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    );
    return ready;
  };

  /** Claims the id for this send; false when it was sent within the window. */
  const claim = async (messageId: string, now: Date): Promise<boolean> => {
    const entity = {
      partitionKey: queue.name,
      rowKey: rowKey(messageId),
      messageId,
      sentAt: now.toISOString(),
    };
    try {
      await dedupeTable.createEntity(entity);
      return true;
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
    const existing = await dedupeTable.getEntity<{ sentAt: string }>(entity.partitionKey, entity.rowKey);
    if (now.getTime() - Date.parse(existing.sentAt) < windowMs) return false;
    try {
      await dedupeTable.updateEntity(entity, 'Replace', { etag: existing.etag });
      return true;
    } catch (error) {
      if (statusOf(error) === 412) return false; // another sender claimed it first
      throw error;
    }
  };

  return {
    queueName: queue.name,
    backend: 'storageQueue',

    async send(input: OutgoingMessage): Promise<SendResult> {
      const message = OutgoingMessageSchema.parse(input);
      await ensure();
      if (!(await claim(message.messageId, clock())))
        return { messageId: message.messageId, accepted: false };
      const text = wrapEnvelope(
        {
          messageId: message.messageId,
          applicationProperties: message.applicationProperties,
          ...(message.subject === undefined ? {} : { subject: message.subject }),
          contentType: 'application/json',
        },
        message.body,
      );
      try {
        await queue.sendMessage(Buffer.from(text, 'utf8').toString('base64'));
      } catch (error) {
        // Not sent: release the id so a retry can send it.
        await dedupeTable.deleteEntity(queue.name, rowKey(message.messageId)).catch(() => undefined);
        throw error;
      }
      return { messageId: message.messageId, accepted: true };
    },

    async receive(receive: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
      await ensure();
      const deadline = Date.now() + (receive.maxWaitMs ?? 0);
      for (;;) {
        const { receivedMessageItems: items } = await queue.receiveMessages({
          numberOfMessages: Math.min(32, receive.maxMessages ?? 1),
          visibilityTimeout: lockSeconds,
        });
        if (items.length > 0 || Date.now() >= deadline) {
          return items.map((item) => {
            const text = Buffer.from(item.messageText, 'base64').toString('utf8');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
            const envelope = unwrapEnvelope(parsed);
            const meta = envelope?.serviceBusMessage;
            const received: ReceivedMessage = {
              messageId: meta?.messageId ?? item.messageId,
              body: envelope === undefined ? parsed : envelope.body,
              applicationProperties: meta?.applicationProperties ?? {},
              deliveryCount: item.dequeueCount,
              ...(meta?.subject === undefined ? {} : { subject: meta.subject }),
            };
            handles.set(received, { id: item.messageId, popReceipt: item.popReceipt });
            return received;
          });
        }
        await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
      }
    },

    async complete(message: ReceivedMessage): Promise<void> {
      const handle = handles.get(message);
      if (handle === undefined) throw new RiskopsError('invalid_input', 'message was not received here');
      await queue.deleteMessage(handle.id, handle.popReceipt);
      handles.delete(message);
    },

    async abandon(message: ReceivedMessage): Promise<void> {
      const handle = handles.get(message);
      if (handle === undefined) throw new RiskopsError('invalid_input', 'message was not received here');
      await queue.updateMessage(handle.id, handle.popReceipt, undefined, 0);
      handles.delete(message);
    },

    close: () => Promise.resolve(),
  };
}
