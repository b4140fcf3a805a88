import { describe, expect, it } from 'vitest';
import {
  createTableDecisionLog,
  createTableReplay,
  type DecisionRecord,
} from '../../src/platform/audit/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

function record(tag: string): DecisionRecord {
  return {
    requestId: tag,
    index: 0,
    time: '2026-12-01T10:00:00.000Z',
    useCase: 'late_payment',
    modelVersion: 'v1',
    modelSha256: 'a'.repeat(64),
    role: 'champion',
    entityId: `INV-${tag}`,
    inputs: { invoice_id: `INV-${tag}` },
    probability: 0.5,
    band: 'low',
    action: 'none',
    reasons: [],
    caller: 'test',
  };
}

async function rows(table: ReturnType<ReturnType<typeof testStorage>['table']>): Promise<number> {
  let n = 0;
  for await (const _ of table.listEntities()) n++;
  return n;
}

describe('a decision-log table that disappears (storage restarted without it)', () => {
  it('is created again by the replay, and its records are never set aside as refused', async () => {
    const table = testStorage().table(uniqueName('gone'));
    const replay = createTableReplay({ table, entityPartitions: 2, timeoutMs: 5000 });
    const refused: DecisionRecord[] = [];
    const onRejected = async (r: DecisionRecord) => {
      refused.push(r);
    };
    await replay([record('a')], onRejected);
    await table.deleteTable();
    // The first round meets the missing table and fails (the journal keeps the record); the next creates it.
    await replay([record('b')], onRejected).catch(() => undefined);
    await replay([record('b')], onRejected);
    expect(refused).toEqual([]);
    expect(await rows(table)).toBe(2); // record b, by day and by entity
  });

  it('is created again by the direct writer', async () => {
    const table = testStorage().table(uniqueName('gone'));
    const log = createTableDecisionLog({ table, entityPartitions: 2, timeoutMs: 5000 });
    await log.append([record('a')]);
    await table.deleteTable();
    await log.append([record('b')]).catch(() => undefined);
    await log.append([record('c')]);
    expect(await rows(table)).toBeGreaterThanOrEqual(2);
    await log.close();
  });
});
