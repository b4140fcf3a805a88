import { describe, expect, inject, it } from 'vitest';
import { processAlive, startAzurite } from '../../src/platform/storage/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

describe('Azurite from the tests', () => {
  it('serves blob, queue and table on the shared instance', async () => {
    const storage = testStorage();
    const container = storage.container(uniqueName('c'));
    await container.create();
    await container.getBlockBlobClient('a.txt').upload('hello', 5);
    const text = (await container.getBlobClient('a.txt').downloadToBuffer()).toString();
    expect(text).toBe('hello');

    const queue = storage.queue(uniqueName('q'));
    await queue.create();
    await queue.sendMessage('m1');
    const received = await queue.receiveMessages();
    expect(received.receivedMessageItems[0]?.messageText).toBe('m1');

    const table = storage.table(uniqueName('t'));
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
    expect((await table.getEntity<{ value: number }>('p', 'r')).value).toBe(42);
    expect(processAlive(inject('azuritePid'))).toBe(true);
  });

  it('starts and stops its own instance by process id', async () => {
    const azurite = await startAzurite();
    expect(processAlive(azurite.pid)).toBe(true);
    expect(azurite.ports.blob).toBeGreaterThan(0);
    await azurite.stop();
    expect(processAlive(azurite.pid)).toBe(false);
  });
});
