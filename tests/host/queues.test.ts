import type { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../src/platform/functions/index.js';
import { decodeMessageText, parseHostConfig } from '../../src/platform/host/index.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { startHost, type TestServices, waitFor } from './support.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const base64 = (text: string) => Buffer.from(text).toString('base64');

interface Received {
  message: unknown;
  metadata: Record<string, unknown>;
  at: number;
}

function queueFunction(
  queueName: string,
  received: Received[],
  behaviour: (message: unknown, context: InvocationContext) => Promise<void> = async () => undefined,
  kind: 'storageQueue' | 'serviceBusQueue' = 'storageQueue',
): FunctionDefinition<TestServices> {
  return {
    kind,
    name: 'consume',
    queueName,
    connection: 'AzureWebJobsStorage',
    create: () => async (message, context) => {
      received.push({ message, metadata: context.triggerMetadata ?? {}, at: Date.now() });
      await behaviour(message, context);
    },
  };
}

describe('local host: queue triggers', () => {
  it('decodes base64 and JSON like the host, passes the metadata, and deletes handled messages', async () => {
    const storage = testStorage();
    const name = uniqueName('q');
    const queue = storage.queue(name);
    await queue.create();
    await queue.sendMessage(base64(JSON.stringify({ chunk: 1 })));
    await queue.sendMessage('{"chunk":2}');
    await queue.sendMessage(base64('plain text'));
    await queue.sendMessage('not base64!');
    const received: Received[] = [];
    const { logger } = await startHost([queueFunction(name, received)]);
    expect(logger.text()).toContain(`consume: storage queue ${name}`);
    await waitFor(() => received.length === 4);
    expect(received.map((r) => r.message)).toEqual(
      expect.arrayContaining([{ chunk: 1 }, { chunk: 2 }, 'plain text', 'not base64!']),
    );
    const first = received.find((r) => JSON.stringify(r.message) === '{"chunk":1}');
    expect(first?.metadata).toMatchObject({ dequeueCount: 1, queueTrigger: '{"chunk":1}' });
    for (const key of ['id', 'insertionTime', 'expirationTime', 'popReceipt', 'nextVisibleTime']) {
      expect(first?.metadata[key], key).toEqual(expect.any(String));
    }
    await waitFor(async () => (await queue.getProperties()).approximateMessagesCount === 0);
    expect(received).toHaveLength(4);
  });

  it('retries a failing message after visibilityTimeout and moves it to <queue>-poison at maxDequeueCount', async () => {
    const storage = testStorage();
    const name = uniqueName('q');
    await storage.queue(name).create();
    await storage.queue(name).sendMessage(base64('{"bad":true}'));
    const received: Received[] = [];
    await startHost([
      queueFunction(name, received, async () => {
        throw new Error('chunk failed');
      }),
    ]);
    await waitFor(() => received.length === 3);
    expect(received.map((r) => r.metadata.dequeueCount)).toEqual([1, 2, 3]);
    expect((received[1]?.at ?? 0) - (received[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    const poison = storage.queue(`${name}-poison`);
    await waitFor(
      async () => (await poison.exists()) && (await poison.peekMessages()).peekedMessageItems.length === 1,
    );
    expect((await poison.peekMessages()).peekedMessageItems[0]?.messageText).toBe(base64('{"bad":true}'));
    expect((await storage.queue(name).peekMessages()).peekedMessageItems).toHaveLength(0);
    await sleep(1300);
    expect(received).toHaveLength(3);
  });

  it('keeps a long-running message hidden by renewing its lease, and handles it once', async () => {
    const storage = testStorage();
    const name = uniqueName('q');
    const queue = storage.queue(name);
    await queue.create();
    await queue.sendMessage(base64('slow'));
    const received: Received[] = [];
    await startHost([queueFunction(name, received, () => sleep(3500))], { messageLeaseSeconds: 2 });
    await waitFor(() => received.length === 1);
    await sleep(2800);
    expect((await queue.receiveMessages()).receivedMessageItems).toHaveLength(0);
    await waitFor(async () => (await queue.getProperties()).approximateMessagesCount === 0);
    expect(received).toHaveLength(1);
  });

  it('runs no more than batchSize + newBatchThreshold messages at once', async () => {
    const storage = testStorage();
    const name = uniqueName('q');
    const queue = storage.queue(name);
    await queue.create();
    for (let i = 0; i < 12; i++) await queue.sendMessage(base64(String(i)));
    let running = 0;
    let most = 0;
    const received: Received[] = [];
    await startHost([
      queueFunction(name, received, async () => {
        running++;
        most = Math.max(most, running);
        await sleep(300);
        running--;
      }),
    ]);
    await waitFor(() => received.length === 12);
    expect(most).toBeLessThanOrEqual(6);
    expect(most).toBeGreaterThan(1);
  });

  it('runs a queue function now with the admin API input as its message', async () => {
    const received: Received[] = [];
    const { host } = await startHost([queueFunction(uniqueName('q'), received)]);
    const response = await fetch(`${host.url}/admin/functions/consume`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: '{"runId":"r1","part":3}' }),
    });
    expect(response.status).toBe(202);
    await waitFor(() => received.length === 1);
    expect(received[0]?.message).toEqual({ runId: 'r1', part: 3 });
  });

  it('serves a Service Bus queue trigger from the Azurite queue of the same name, with maxDeliveryCount', async () => {
    const storage = testStorage();
    const name = uniqueName('retrain');
    await storage.queue(name).create();
    await storage.queue(name).sendMessage(JSON.stringify({ useCase: 'churn' }));
    const received: Received[] = [];
    const hostConfig = parseHostConfig({
      version: '2.0',
      extensions: {
        queues: { maxPollingInterval: '00:00:00.200', visibilityTimeout: '00:00:00', maxDequeueCount: 5 },
        serviceBus: { maxConcurrentCalls: 1, maxDeliveryCount: 2 },
      },
    });
    const failing = queueFunction(
      name,
      received,
      async () => {
        throw new Error('training failed');
      },
      'serviceBusQueue',
    );
    const { logger } = await startHost([failing], { hostConfig });
    expect(logger.text()).toContain(
      `consume: service bus queue ${name} (locally: Azurite storage queue ${name})`,
    );
    await waitFor(() => received.length === 2);
    expect(received[0]?.message).toEqual({ useCase: 'churn' });
    expect(received[1]?.metadata).toMatchObject({ deliveryCount: 2, dequeueCount: 2 });
    const poison = storage.queue(`${name}-poison`);
    await waitFor(
      async () => (await poison.exists()) && (await poison.peekMessages()).peekedMessageItems.length === 1,
    );
  });

  it('only decodes text that is base64 of UTF-8', () => {
    expect(decodeMessageText(base64('héllo'), 'base64')).toBe('héllo');
    expect(decodeMessageText('test', 'base64')).toBe('test');
    expect(decodeMessageText(base64('x'), 'none')).toBe(base64('x'));
  });
});
