/**
 * Retraining-loop benchmark: (a) the confidence-based estimate on 1M probabilities; (b) the performance job end
 * to end on Azurite (100k batch-scored rows in 4 parts, 60k outcomes: join, cohorts, training rows written);
 * (c) the retrain consumer on 20k labeled rows with late_payment's own training settings (champion compared).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  createBatchOutputSource,
  estimatePerformance,
  evaluatePerformance,
} from '../src/platform/performance/index.js';
import { createRng } from '../src/platform/random/index.js';
import { createRegistry, seedRegistryFromDirectory } from '../src/platform/registry/index.js';
import {
  createRetrainConsumer,
  createRetrainState,
  PSI_ALPHA,
  retrainMessageId,
} from '../src/platform/retrain/index.js';
import { createStorageClients } from '../src/platform/storage/index.js';
import { type AnyUseCase, requireGenerator } from '../src/platform/use-case/index.js';
import { latePayment } from '../src/use_cases/late_payment/index.js';

const name = (prefix: string) => `${prefix}${randomBytes(4).toString('hex')}`;
const seconds = (start: number) => Math.round((performance.now() - start) / 10) / 100;

export async function benchPerformance(connectionString: string): Promise<Record<string, unknown>> {
  const storage = createStorageClients({ kind: 'connectionString', connectionString });
  const useCase = latePayment as unknown as AnyUseCase;
  const rng = createRng(11);

  // (a) estimate
  const probabilities = Float64Array.from(
    { length: 1_000_000 },
    () => 1 / (1 + Math.exp(-(rng.normal() * 1.5 - 1))),
  );
  let start = performance.now();
  estimatePerformance(probabilities);
  const estimateSeconds = seconds(start);

  // (b) performance job
  const outputs = storage.container(name('scoring'));
  const labels = storage.container(name('labels'));
  const training = storage.container(name('training'));
  await Promise.all([outputs.create(), labels.create()]);
  const N = 100_000;
  const PARTS = 4;
  for (let part = 0; part < PARTS; part++) {
    const lines: string[] = [];
    for (let i = part; i < N; i += PARTS) {
      const p = probabilities[i] as number;
      lines.push(
        JSON.stringify({
          invoice_id: `E${i}`,
          entityId: `E${i}`,
          probability: p,
          band: 'x',
          modelVersion: 'v1',
        }),
      );
    }
    const text = lines.join('\n');
    await outputs
      .getBlockBlobClient(`late_payment/2026-10-01/run-1/part-${part}.jsonl`)
      .upload(text, Buffer.byteLength(text));
  }
  await outputs.getBlockBlobClient('late_payment/2026-10-01/run-1/_SUCCESS.json').upload('{}', 2);
  const labelLines = ['entityId,outcome,observedAt'];
  for (let i = 0; i < 60_000; i++)
    labelLines.push(`E${i},${rng.bernoulli(probabilities[i] as number) ? 1 : 0},2026-11-05`);
  const csv = labelLines.join('\n');
  await labels.getBlockBlobClient('late_payment/2026-11-05.csv').upload(csv, Buffer.byteLength(csv));
  start = performance.now();
  const report = await evaluatePerformance({
    useCase,
    source: createBatchOutputSource(outputs),
    labels,
    trainingData: training,
    asOf: '2026-11-15',
  });
  const jobSeconds = seconds(start);
  const cohort = report.cohorts[0];

  // (c) retrain consumer, full late_payment settings
  const registry = createRegistry({
    storage,
    container: name('models'),
    ledgerTable: name('ledger'),
    useCases: [useCase],
    requireApproval: false,
  });
  await seedRegistryFromDirectory(registry, 'models', ['late_payment']);
  const data = storage.container(name('training'));
  await data.create();
  const rows = requireGenerator(useCase)({ rows: 20_000, seed: 5, conceptDrift: 0.5 });
  const jsonl = rows.map((r) => JSON.stringify(r)).join('\n');
  await data.getBlockBlobClient('late_payment/2026-11.jsonl').upload(jsonl, Buffer.byteLength(jsonl));
  const consumer = createRetrainConsumer({
    registry,
    useCases: [useCase],
    trainingData: data,
    state: createRetrainState(storage.table(name('retrain'))),
  });
  const requestId = retrainMessageId('late_payment', '2026-11-30');
  start = performance.now();
  const body = {
    requestId,
    useCase: 'late_payment',
    windowDate: '2026-11-30',
    requestedAt: new Date().toISOString(),
    reason: 'bench',
    receipt: {
      useCase: 'late_payment',
      windowDate: '2026-11-30',
      modelVersion: 'bench',
      referenceProfileHash: 'bench',
      rows: 1000,
      referenceRows: 1000,
      alpha: PSI_ALPHA,
      thresholds: { watch: 0.1, act: 0.2, minRows: 500 },
      persistence: { k: 2, n: 3, breachedWindows: 2 },
      cooldownHours: 72,
      breaches: ['score'],
      psi: { features: {}, score: { psi: 0.3 } },
      windows: [],
      codeVersion: 'bench',
    },
  };
  const outcome = await consumer.handle(body);
  const retrainSeconds = seconds(start);
  start = performance.now();
  const redelivered = await consumer.handle(body, { messageId: requestId });
  const redeliverySeconds = seconds(start);

  return {
    estimate: { rows: probabilities.length, seconds: estimateSeconds },
    performanceJob: {
      scoredRows: N,
      labels: report.labels.rows,
      seconds: jobSeconds,
      rowsPerSecond: Math.round(N / jobSeconds),
      realizedAuc: cohort?.auc,
      estimatedAuc: cohort?.estimate.auc,
      trainingRowsWritten: report.trainingRows.reduce((s, t) => s + t.rows, 0),
    },
    retrainConsumer: {
      rows: 20_000,
      status: outcome.status,
      auc: outcome.status === 'registered' ? outcome.auc : outcome.metrics.auc,
      championAuc: outcome.champion?.auc,
      seconds: retrainSeconds,
      redeliverySeconds,
      redeliveryWasDuplicate: redelivered.duplicate,
    },
  };
}
