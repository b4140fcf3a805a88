import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreEvents } from '../../functions/batch.js';
import type { BatchService, EventResult } from '../../src/platform/batch/index.js';
import type { MessageHandler } from '../../src/platform/functions/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { batchEnv, batchServices, readLines, recordsOf } from './support.js';

const env = batchEnv();
let services: Services & { batch: BatchService };
let handler: MessageHandler;
const records = recordsOf(latePayment, 6, 41);

async function deliver(message: unknown, id: string): Promise<void> {
  const context = new InvocationContext({
    functionName: 'scoreEvents',
    logHandler: () => undefined,
    triggerMetadata: { id, dequeueCount: 1 },
  });
  await handler(message, context);
}

async function drain(queue: string): Promise<Record<string, unknown>[]> {
  const client = services.storage.queue(queue);
  if (!(await client.exists())) return [];
  const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 32 });
  return receivedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')));
}

beforeAll(async () => {
  services = await batchServices(env);
  if (scoreEvents.kind !== 'storageQueue') throw new Error('scoreEvents is a queue function');
  handler = scoreEvents.create(services);
});
afterAll(() => services.close());

describe('event scoring from score-requests', () => {
  it('scores valid, invalid and mixed messages: every record is a result or a reject, malformed messages go to poison with their reason', async () => {
    const observed: { useCase: string; records: number; probabilities: number[] }[] = [];
    services.scoreObservers = [
      (batch) => {
        observed.push({
          useCase: batch.useCase.name,
          records: batch.records.length,
          probabilities: Array.from(batch.probabilities),
        });
      },
    ];
    await deliver({ useCase: 'late_payment', id: 'one', records: records[0] }, 'm1');
    await deliver(
      { useCase: 'late_payment', records: [records[1], { ...records[2], amount: -5 }, 42, records[3]] },
      'm2',
    );
    await deliver({ useCase: 'late_payment', records: [{ ...records[4], currency: 'XYZ' }] }, 'm3');
    await deliver('this is not JSON', 'm4');
    await deliver({ useCase: 'no_such_case', records: [records[5]] }, 'm5');
    await deliver({ useCase: 'late_payment' }, 'm6');

    const results = (await drain(env.RISKOPS_EVENTS_RESULTS_QUEUE as string)) as unknown as EventResult[];
    const byMessage = new Map(results.map((r) => [r.messageId, r]));
    expect([...byMessage.keys()].sort()).toEqual(['m1', 'm2', 'm3']);
    const model = await services.models.get('late_payment');
    expect(byMessage.get('m1')).toMatchObject({
      id: 'one',
      scored: 1,
      rejected: 0,
      modelVersion: model.version,
    });
    expect(byMessage.get('m1')?.results?.[0]).toMatchObject({
      invoice_id: records[0]?.invoice_id,
      entityId: records[0]?.invoice_id,
    });
    const mixed = byMessage.get('m2');
    expect(mixed).toMatchObject({ scored: 2, rejected: 2 });
    expect(mixed?.results?.map((r) => r.entityId)).toEqual([records[1]?.invoice_id, records[3]?.invoice_id]);
    expect(mixed?.rejectedRecords).toEqual([
      { index: 1, reasons: [expect.stringMatching(/^amount: /)] },
      { index: 2, reasons: ['not a JSON object'] },
    ]);
    expect(byMessage.get('m3')).toMatchObject({ scored: 0, rejected: 1 });
    // Observers (drift counting) see each scored batch once, with the probabilities that were returned.
    expect(observed.map((o) => o.records)).toEqual([1, 2]);
    expect(observed[1]?.probabilities).toEqual(mixed?.results?.map((r) => r.probability));
    expect(byMessage.get('m3')?.rejectedRecords?.[0]?.reasons).toEqual([
      expect.stringMatching(/^currency: /),
    ]);

    const out = env.RISKOPS_BATCH_OUTPUT_CONTAINER as string;
    const stored = await readLines(services, out, 'late_payment/events/', /\/m2\.jsonl$/);
    expect(stored.map((r) => r.entityId)).toEqual([records[1]?.invoice_id, records[3]?.invoice_id]);
    const storedRejects = await readLines(services, out, 'late_payment/events/', /\/m2\.rejects\.jsonl$/);
    expect(storedRejects.map((r) => r.line)).toEqual([2, 3]);

    const poisoned = await drain(`${env.RISKOPS_EVENTS_QUEUE}-poison`);
    expect(poisoned.map((p) => p.reason)).toEqual([
      'message is not JSON',
      expect.stringMatching(/^useCase: unknown use case 'no_such_case'/),
      expect.stringMatching(/^records: /),
    ]);
    expect(poisoned[0]?.message).toBe('this is not JSON');
  });
});
