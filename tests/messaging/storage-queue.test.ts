import { describe, expect, it } from 'vitest';
import type { MessageHandler } from '../../src/platform/functions/index.js';
import {
  createMessageQueueFromSettings,
  createStorageQueueMessaging,
  type MessageQueue,
} from '../../src/platform/messaging/index.js';
import { startHost, waitFor } from '../host/support.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { messageQueueContract } from './contract.js';

function localQueue(clock?: () => Date): MessageQueue {
  const storage = testStorage();
  return createStorageQueueMessaging({
    queue: storage.queue(uniqueName('q')),
    dedupeTable: storage.table(uniqueName('dedupe')),
    ...(clock === undefined ? {} : { clock }),
  });
}

describe('storage queue adapter: messaging contract on Azurite', () => {
  const queue = localQueue();
  messageQueueContract(() => queue);
});

describe('storage queue adapter: duplicate detection as Service Bus does it', () => {
  it('does not send the same message id twice within the window, and does again after it', async () => {
    let now = new Date('2026-12-01T10:00:00Z');
    const queue = localQueue(() => now);
    const message = { messageId: 'late_payment:2026-11-30', body: { n: 1 } };
    await expect(queue.send(message)).resolves.toEqual({ messageId: message.messageId, accepted: true });
    now = new Date('2026-12-01T10:59:00Z');
    await expect(queue.send({ ...message, body: { n: 2 } })).resolves.toEqual({
      messageId: message.messageId,
      accepted: false,
    });
    const first = await queue.receive({ maxMessages: 10, maxWaitMs: 2000 });
    expect(first.map((m) => m.body)).toEqual([{ n: 1 }]);
    now = new Date('2026-12-01T11:00:01Z');
    await expect(queue.send({ ...message, body: { n: 3 } })).resolves.toMatchObject({ accepted: true });
    const second = await queue.receive({ maxMessages: 10, maxWaitMs: 2000 });
    expect(second.map((m) => m.body)).toEqual([{ n: 3 }]);
  });

  it('sends one message when the same id is sent concurrently', async () => {
    const queue = localQueue();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => queue.send({ messageId: 'same-id', body: { i } })),
    );
    expect(results.filter((r) => r.accepted)).toHaveLength(1);
    const received = await queue.receive({ maxMessages: 10, maxWaitMs: 2000 });
    expect(received).toHaveLength(1);
  });

  it('is what the settings give without a Service Bus connection', () => {
    const queue = createMessageQueueFromSettings({}, testStorage(), 'retrain-requests');
    expect(queue.backend).toBe('storageQueue');
    expect(queue.queueName).toBe('retrain-requests');
    const bus = createMessageQueueFromSettings(
      { ServiceBusConnection__fullyQualifiedNamespace: 'sb-x.servicebus.windows.net' },
      testStorage(),
      'retrain-requests',
    );
    expect(bus.backend).toBe('serviceBus');
  });
});

describe('local host: a Service Bus trigger served from the storage queue', () => {
  it('gets the body, and the message id and properties in triggerMetadata, as on Azure', async () => {
    const queueName = uniqueName('sbq');
    const seen: { input: unknown; metadata: Record<string, unknown> | undefined }[] = [];
    const handler: MessageHandler = async (input, context) => {
      seen.push({ input, metadata: context.triggerMetadata });
    };
    await startHost([
      {
        kind: 'serviceBusQueue',
        name: 'sbTest',
        queueName,
        connection: 'ServiceBusConnection',
        create: () => handler,
      },
    ]);
    const storage = testStorage();
    const queue = createStorageQueueMessaging({
      queue: storage.queue(queueName),
      dedupeTable: storage.table(uniqueName('dedupe')),
    });
    await queue.send({
      messageId: 'invoice_fraud:2026-11-30',
      body: { useCase: 'invoice_fraud' },
      applicationProperties: { useCase: 'invoice_fraud' },
    });
    await waitFor(() => seen.length === 1);
    expect(seen[0]?.input).toEqual({ useCase: 'invoice_fraud' });
    expect(seen[0]?.metadata).toMatchObject({
      messageId: 'invoice_fraud:2026-11-30',
      applicationProperties: { useCase: 'invoice_fraud' },
      deliveryCount: 1,
    });
  });
});
