import { describe, expect, it } from 'vitest';
import { createTableDecisionLog, type DecisionRecord } from '../../src/platform/audit/index.js';
import {
  combineSources,
  createBatchOutputSource,
  createDecisionLogSource,
  evaluatePerformance,
} from '../../src/platform/performance/index.js';
import { createRng } from '../../src/platform/random/index.js';
import { rocAuc } from '../../src/platform/training/index.js';
import type { AnyUseCase } from '../../src/platform/use-case/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

const useCase = latePayment as unknown as AnyUseCase; // label maturity 30 days

function decision(entityId: string, probability: number, time: string, role: DecisionRecord['role']) {
  return {
    requestId: `req-${entityId}-${time}-${role}`,
    index: 0,
    time,
    useCase: 'late_payment',
    modelVersion: 'v1',
    modelSha256: 'a'.repeat(64),
    role,
    entityId,
    inputs: { invoice_id: entityId },
    probability,
    band: probability < 0.2 ? 'low' : 'high',
    action: 'x',
    reasons: null,
    caller: 'test',
  } satisfies DecisionRecord;
}

describe('decisions returned over HTTP as a source of scored records', () => {
  it('joins labels to the latest returned decision per entity; shadow results do not count', async () => {
    const storage = testStorage();
    const log = createTableDecisionLog({
      table: storage.table(uniqueName('decisions')),
      entityPartitions: 4,
      timeoutMs: 10_000,
    });
    const rng = createRng(5);
    const entities = Array.from({ length: 120 }, (_, i) => ({
      id: `H-${i}`,
      p: Math.round(rng.next() * 1000) / 1000,
    }));
    const outcome = new Map(entities.map((e) => [e.id, rng.bernoulli(e.p) ? 1 : 0] as const));
    const records: DecisionRecord[] = [];
    for (const e of entities) {
      // An earlier decision the same day, superseded by the later one; a shadow result that was never returned.
      records.push(decision(e.id, 0.5, '2026-10-01T08:00:00.000Z', 'champion'));
      records.push(decision(e.id, e.p, '2026-10-01T15:00:00.000Z', 'champion'));
      records.push(decision(e.id, 1 - e.p, '2026-10-01T15:00:00.000Z', 'shadow'));
    }
    await log.append(records);
    const labels = storage.container(uniqueName('labels'));
    await labels.create();
    const csv = [
      'entity_id,outcome,observed_at',
      ...entities.map((e) => `${e.id},${outcome.get(e.id)},2026-11-01`),
    ].join('\n');
    await labels.getBlockBlobClient('late_payment/2026-11-05.csv').upload(csv, Buffer.byteLength(csv));
    const outputs = storage.container(uniqueName('scoring-output')); // no batch runs: never created

    const report = await evaluatePerformance({
      useCase,
      source: combineSources(createBatchOutputSource(outputs), createDecisionLogSource(log)),
      labels,
      sink: { trackMetric: () => undefined },
      asOf: '2026-11-15',
    });
    expect(report.cohorts.map((c) => [c.scoredOn, c.modelVersion, c.kind, c.scored, c.labeled])).toEqual([
      ['2026-10-01', 'v1', 'realized', 240, 120],
    ]);
    const y = Uint8Array.from(entities, (e) => outcome.get(e.id) ?? 0);
    const p = Float64Array.from(entities, (e) => e.p);
    expect(report.cohorts[0]?.auc).toBe(rocAuc(y, p));
    await log.close();
  });
});
