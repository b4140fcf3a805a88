import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createTableDecisionLog,
  type DecisionLog,
  type DecisionRecord,
  decisionRecords,
  HMAC_PREFIX,
} from '../../src/platform/audit/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { blobLog } from './support.js';

const KEY = Buffer.from('k'.repeat(32));

function records(n: number, day: string, entity = (i: number) => `INV-${i % 7}`): DecisionRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    requestId: `req-${day}-${i}`,
    index: 0,
    time: `${day}T10:00:${String(i % 60).padStart(2, '0')}.000Z`,
    useCase: 'late_payment',
    modelVersion: 'v1',
    modelSha256: 'a'.repeat(64),
    role: 'champion',
    entityId: entity(i),
    inputs: { invoice_id: entity(i), customer_name: `${HMAC_PREFIX}x` },
    probability: i / n,
    band: 'low',
    action: 'none',
    reasons: [],
    caller: 'test',
  }));
}

/** The decision log port's contract, run against both adapters (table commits, blob commits + index). */
const ADAPTERS: [string, (partitions: number) => DecisionLog][] = [
  [
    'table commits',
    (partitions) =>
      createTableDecisionLog({
        table: testStorage().table(uniqueName('decisions')),
        entityPartitions: partitions,
        timeoutMs: 10_000,
      }),
  ],
  [
    'blob commits',
    (partitions) =>
      blobLog(testStorage().container(uniqueName('decisionlog')), uniqueName('decisions'), {}, partitions)
        .log,
  ],
];

describe.each(ADAPTERS)('decision log contract: %s (Azurite)', (_name, create) => {
  it('finds every appended decision by day and by entity, across partitions and transactions', async () => {
    const log = create(4);
    const day1 = records(230, '2026-11-30');
    const day2 = records(20, '2026-12-01');
    await Promise.all([log.append(day1.slice(0, 150)), log.append(day1.slice(150)), log.append(day2)]);
    const byDay = await log.find({ useCase: 'late_payment', date: '2026-11-30' });
    expect(byDay.map((r) => r.requestId).sort()).toEqual(day1.map((r) => r.requestId).sort());
    const entity = await log.find({ useCase: 'late_payment', entityId: 'INV-3' });
    const expected = [...day1, ...day2].filter((r) => r.entityId === 'INV-3').map((r) => r.requestId);
    expect(entity.map((r) => r.requestId).sort()).toEqual(expected.sort());
    const both = await log.find({ useCase: 'late_payment', entityId: 'INV-3', date: '2026-12-01' });
    expect(both.every((r) => r.time.startsWith('2026-12-01'))).toBe(true);
    expect(both.length).toBe(day2.filter((r) => r.entityId === 'INV-3').length);
    // an entity id that is a prefix of another is not mixed up with it
    expect(await log.find({ useCase: 'late_payment', entityId: 'INV-' })).toEqual([]);
    await log.close();
  });

  it('keeps entity ids with characters row keys forbid', async () => {
    const log = create(2);
    const odd = records(3, '2026-12-01', (i) => `A/B#C?${i}\\ü\ud800|`);
    await log.append(odd);
    const found = await log.find({ useCase: 'late_payment', entityId: 'A/B#C?1\\ü\ud800|' });
    expect(found.map((r) => r.entityId)).toEqual(['A/B#C?1\\ü\ud800|']);
    // ids too long for a row key in their escaped form are keyed by a hash
    const long = records(2, '2026-12-02', (i) => `${'😀'.repeat(120)}${i}`);
    await log.append(long);
    const one = await log.find({ useCase: 'late_payment', entityId: `${'😀'.repeat(120)}1` });
    expect(one.map((r) => r.entityId)).toEqual([`${'😀'.repeat(120)}1`]);
  });
});

describe('table decision log (Azurite)', () => {
  const storage = testStorage();

  it('never overwrites: the same decision again is one row, another decision under its key fails', async () => {
    const log = createTableDecisionLog({
      table: storage.table(uniqueName('decisions')),
      entityPartitions: 1,
      timeoutMs: 10_000,
    });
    const one = records(1, '2026-12-01');
    await log.append(one);
    await log.append(one);
    expect(await log.find({ useCase: 'late_payment', date: '2026-12-01' })).toHaveLength(1);
    const altered = one.map((r) => ({ ...r, probability: 0.99 }));
    await expect(log.append(altered)).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect((await log.find({ useCase: 'late_payment', date: '2026-12-01' }))[0]?.probability).toBe(0);
  });

  it('keyed-hashes PII fields and leaves the rest of the inputs as they were', () => {
    const record = latePayment.generate({ rows: 1, seed: 3 })[0] as Record<string, unknown>;
    const [logged] = decisionRecords({
      requestId: 'r',
      time: new Date('2026-12-01T00:00:00Z'),
      useCase: latePayment,
      model: { version: 'v', sha256: 's' },
      role: 'champion',
      caller: 'c',
      records: [record],
      scores: [{ entityId: 'e', probability: 0.5, band: 'review', action: 'a' }],
      explanations: null,
      hmacKey: KEY,
    });
    const name = String(record.customer_name);
    expect(logged?.inputs.customer_name).toBe(
      `${HMAC_PREFIX}${createHmac('sha256', KEY).update(name).digest('hex')}`,
    );
    expect(JSON.stringify(logged)).not.toContain(name);
    expect(logged?.inputs.amount).toBe(record.amount);
  });
});
