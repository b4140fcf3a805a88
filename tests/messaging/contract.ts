/** The messaging port's contract, run against every adapter (Service Bus through the AMQP peer, Azurite). */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { MessageQueue } from '../../src/platform/messaging/index.js';

export function messageQueueContract(queue: () => MessageQueue): void {
  it('delivers body, message id, application properties and subject as sent', async () => {
    const id = `late_payment:${randomUUID()}`;
    const body = { useCase: 'late_payment', counts: { rows: 1200 }, nested: [1, 'two', { three: 3 }] };
    await expect(
      queue().send({
        messageId: id,
        body,
        applicationProperties: { useCase: 'late_payment', maxPsi: 0.25, breached: true },
        subject: 'late_payment',
      }),
    ).resolves.toEqual({ messageId: id, accepted: true });
    const [message, ...rest] = await queue().receive({ maxMessages: 10, maxWaitMs: 5000 });
    expect(rest).toEqual([]);
    expect(message?.messageId).toBe(id);
    expect(message?.body).toEqual(body);
    expect(message?.applicationProperties).toEqual({ useCase: 'late_payment', maxPsi: 0.25, breached: true });
    expect(message?.subject).toBe('late_payment');
    expect(message?.deliveryCount).toBeGreaterThanOrEqual(0);
    if (message !== undefined) await queue().complete(message);
    await expect(queue().receive({ maxMessages: 10, maxWaitMs: 300 })).resolves.toEqual([]);
  });

  it('refuses a message without an id, or with one longer than 128 characters, naming the field', async () => {
    await expect(queue().send({ messageId: '', body: {} })).rejects.toThrow(/messageId/);
    await expect(queue().send({ messageId: 'x'.repeat(129), body: {} })).rejects.toThrow(/messageId/);
    await expect(queue().receive({ maxMessages: 10, maxWaitMs: 300 })).resolves.toEqual([]);
  });
}
