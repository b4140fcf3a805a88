import { describe, expect, it } from 'vitest';
import { createServiceBusQueue } from '../../src/platform/messaging/index.js';
import { serviceBusOverPeer } from './amqp-peer.js';
import { messageQueueContract } from './contract.js';

describe('Service Bus adapter: messaging contract over AMQP', () => {
  const sb = serviceBusOverPeer('contract-queue');
  messageQueueContract(() => sb.queue());
});

describe('Service Bus adapter options', () => {
  it('fails at creation on a malformed connection or queue name, naming the setting', () => {
    expect(() =>
      createServiceBusQueue({
        connection: { kind: 'connectionString', connectionString: 'nope' },
        queueName: 'q',
      }),
    ).toThrow(/ServiceBusConnection/);
    expect(() =>
      createServiceBusQueue({
        connection: { kind: 'identity', fullyQualifiedNamespace: 'not a host' },
        queueName: 'q',
      }),
    ).toThrow(/ServiceBusConnection__fullyQualifiedNamespace/);
    expect(() =>
      createServiceBusQueue({
        connection: { kind: 'identity', fullyQualifiedNamespace: 'sb-x.servicebus.windows.net' },
        queueName: ' bad',
      }),
    ).toThrow(/queue name/);
  });

  it('creates no client until used (managed identity needs no network at cold start)', async () => {
    const queue = createServiceBusQueue({
      connection: {
        kind: 'identity',
        fullyQualifiedNamespace: 'sb-x.servicebus.windows.net',
        clientId: 'id',
      },
      queueName: 'retrain-requests',
    });
    expect(queue.backend).toBe('serviceBus');
    await queue.close();
  });
});
