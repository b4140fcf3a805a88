import type { ContainerClient } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import {
  createBatchOutputSource,
  estimatePerformance,
  evaluatePerformance,
  type MetricSink,
} from '../../src/platform/performance/index.js';
import { createRng } from '../../src/platform/random/index.js';
import { brierScore, rocAuc } from '../../src/platform/training/index.js';
import type { AnyUseCase } from '../../src/platform/use-case/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

const useCase = latePayment as unknown as AnyUseCase; // label maturity 30 days

async function put(container: ContainerClient, name: string, text: string): Promise<void> {
  await container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
}

interface Row {
  entityId: string;
  probability: number;
  outcome: 0 | 1;
}

function rows(prefix: string, n: number, seed: number): Row[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const probability = Math.round(1000 / (1 + Math.exp(-(rng.normal() * 1.5 - 1)))) / 1000;
    return { entityId: `${prefix}-${i}`, probability, outcome: rng.bernoulli(probability) ? 1 : 0 };
  });
}

function part(list: Row[], version: string): string {
  return list
    .map((r) =>
      JSON.stringify({
        invoice_id: r.entityId,
        amount: 100 + r.probability * 1000,
        entityId: r.entityId,
        probability: r.probability,
        band: r.probability < 0.2 ? 'low' : 'high',
        action: 'x',
        modelVersion: version,
      }),
    )
    .join('\n');
}

async function fixture() {
  const storage = testStorage();
  const outputs = storage.container(uniqueName('scoring-output'));
  const labels = storage.container(uniqueName('labels'));
  const trainingData = storage.container(uniqueName('training-data'));
  await Promise.all([outputs.create(), labels.create()]);
  const old = rows('A', 400, 1);
  const stale = old.map((r) => ({ ...r, probability: 0.5 }));
  // 2026-10-01: an older complete run, the latest complete run, and a newer run that never finished.
  await put(outputs, 'late_payment/2026-10-01/run-a/part-0.jsonl', part(stale, 'v1'));
  await put(outputs, 'late_payment/2026-10-01/run-a/_SUCCESS.json', '{}');
  await put(outputs, 'late_payment/2026-10-01/run-b/part-0.jsonl', part(old.slice(0, 250), 'v1'));
  await put(outputs, 'late_payment/2026-10-01/run-b/part-1.jsonl', part(old.slice(250), 'v1'));
  await put(outputs, 'late_payment/2026-10-01/run-b/_SUCCESS.json', '{}');
  await put(outputs, 'late_payment/2026-10-01/run-c/part-0.jsonl', part(stale, 'v1'));
  // 2026-11-10: not matured on 2026-11-15, two model versions.
  const recent = rows('B', 300, 2);
  await put(outputs, 'late_payment/2026-11-10/run-d/part-0.jsonl', part(recent.slice(0, 200), 'v1'));
  await put(outputs, 'late_payment/2026-11-10/run-d/part-1.jsonl', part(recent.slice(200), 'v2'));
  await put(outputs, 'late_payment/2026-11-10/run-d/_SUCCESS.json', '{}');

  // Outcomes: most of cohort A as CSV (one entity twice, one bad row, one unknown entity), some of B as JSONL.
  const labeledA = old.slice(0, 350);
  const csv = [
    'entity_id,outcome,observed_at',
    ...labeledA.map((r) => `${r.entityId},${r.outcome === 1 ? 'true' : '0'},2026-11-01`),
    `${old[0]?.entityId},${old[0]?.outcome},2026-11-02`,
    'A-1,maybe,2026-11-01',
    'Z-9,1,2026-11-01',
  ].join('\n');
  await put(labels, 'late_payment/2026-11-05.csv', csv);
  const jsonl = recent
    .slice(0, 50)
    .map((r) =>
      JSON.stringify({ entityId: r.entityId, outcome: r.outcome, observedAt: '2026-11-12T08:00:00Z' }),
    )
    .join('\n');
  await put(labels, 'late_payment/2026-11-12.jsonl', jsonl);
  return { outputs, labels, trainingData, old, labeledA, recent };
}

function recordingSink(): MetricSink & {
  calls: { name: string; value: number; dims: Record<string, string> }[];
} {
  const calls: { name: string; value: number; dims: Record<string, string> }[] = [];
  return { calls, trackMetric: (name, value, dims) => calls.push({ name, value, dims }) };
}

describe('realized performance from delayed labels', () => {
  it('realized AUC and Brier of a matured cohort equal a direct computation on the joined rows', async () => {
    const f = await fixture();
    const sink = recordingSink();
    const report = await evaluatePerformance({
      useCase,
      source: createBatchOutputSource(f.outputs),
      labels: f.labels,
      trainingData: f.trainingData,
      sink,
      asOf: '2026-11-15',
      baselineAuc: async (version) => (version === 'v1' ? 0.862 : undefined),
    });
    expect(report.cohorts.map((c) => [c.scoredOn, c.modelVersion, c.kind, c.scored, c.labeled])).toEqual([
      ['2026-10-01', 'v1', 'realized', 400, 350],
      ['2026-11-10', 'v1', 'estimated', 200, 50],
      ['2026-11-10', 'v2', 'estimated', 100, 0],
    ]);
    const y = Uint8Array.from(f.labeledA, (r) => r.outcome);
    const p = Float64Array.from(f.labeledA, (r) => r.probability);
    const [matured, young] = report.cohorts;
    expect(matured?.auc).toBe(rocAuc(y, p));
    expect(matured?.brier).toBe(brierScore(y, p));
    expect(matured?.positives).toBe(y.reduce((s, v) => s + v, 0));
    expect(young?.auc).toBe(estimatePerformance(f.recent.slice(0, 200).map((r) => r.probability)).auc);
    expect(report.labels).toEqual({ files: 2, rows: 402, rejected: 1, duplicates: 1, unmatched: 1 });
    expect(report.rejects[0]).toMatchObject({ file: 'late_payment/2026-11-05.csv', line: 353 });
    expect(report.rejects[0]?.reason).toMatch(/outcome/);

    const auc = sink.calls.filter((c) => c.name === 'riskops.performance.auc');
    expect(auc.map((c) => c.dims.kind)).toEqual(['realized', 'estimated', 'estimated']);
    expect(auc[0]).toMatchObject({
      value: matured?.auc,
      dims: { useCase: 'late_payment', modelVersion: 'v1', cohort: '2026-10-01', baselineAuc: '0.862' },
    });
    expect(auc[2]?.dims.baselineAuc).toBeUndefined();

    // Joined rows became training rows: the input fields plus the label, one blob per drop.
    expect(report.trainingRows).toEqual([
      { blob: 'late_payment/labels-2026-11-05.jsonl', rows: 350 },
      { blob: 'late_payment/labels-2026-11-12.jsonl', rows: 50 },
    ]);
    const text = (
      await f.trainingData.getBlobClient('late_payment/labels-2026-11-05.jsonl').downloadToBuffer()
    ).toString();
    const first = JSON.parse(text.split('\n')[0] ?? '{}') as Record<string, unknown>;
    expect(Object.keys(first).sort()).toEqual(['amount', 'invoice_id', 'paid_late_30d']);

    // A second run overwrites the same blobs: nothing is counted twice.
    const again = await evaluatePerformance({
      useCase,
      source: createBatchOutputSource(f.outputs),
      labels: f.labels,
      trainingData: f.trainingData,
      asOf: '2026-11-15',
    });
    expect(again.cohorts).toEqual(report.cohorts);
    const blobs: string[] = [];
    for await (const b of f.trainingData.listBlobsFlat()) blobs.push(b.name);
    expect(blobs).toHaveLength(2);
  });

  it('once the young cohort matures, its AUC is realized on its labeled rows', async () => {
    const f = await fixture();
    const report = await evaluatePerformance({
      useCase,
      source: createBatchOutputSource(f.outputs),
      labels: f.labels,
      asOf: '2026-12-10',
    });
    const young = report.cohorts.find((c) => c.scoredOn === '2026-11-10' && c.modelVersion === 'v1');
    expect(young?.kind).toBe('realized');
    const y = Uint8Array.from(f.recent.slice(0, 50), (r) => r.outcome);
    const p = Float64Array.from(f.recent.slice(0, 50), (r) => r.probability);
    expect(young?.auc).toBe(rocAuc(y, p));
  });

  it('names the blob, line and field of a malformed output row', async () => {
    const f = await fixture();
    await put(
      f.outputs,
      'late_payment/2026-11-11/run-e/part-0.jsonl',
      '{"entityId":"x","probability":2,"modelVersion":"v1"}',
    );
    await put(f.outputs, 'late_payment/2026-11-11/run-e/_SUCCESS.json', '{}');
    await expect(
      evaluatePerformance({
        useCase,
        source: createBatchOutputSource(f.outputs),
        labels: f.labels,
        asOf: '2026-11-15',
      }),
    ).rejects.toThrow(/run-e\/part-0\.jsonl:1: probability/);
  });
});
