import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry, seedRegistryFromDirectory } from '../../src/platform/registry/index.js';
import {
  createRetrainConsumer,
  createRetrainState,
  PSI_ALPHA,
  type RetrainRequest,
  retrainMessageId,
} from '../../src/platform/retrain/index.js';
import { writeLabeledFile } from '../../src/platform/training/index.js';
import type { AnyUseCase } from '../../src/platform/use-case/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

/** late_payment with its own settings, except a gate sized for a 3000-row sample. */
function variant(
  overrides: Partial<AnyUseCase> = {},
  gate: Partial<AnyUseCase['training']['gate']> = {},
): AnyUseCase {
  const base = latePayment as unknown as AnyUseCase;
  return {
    ...base,
    training: { ...base.training, gate: { ...base.training.gate, maxEce: 0.08, ...gate } },
    ...overrides,
  };
}

const SMALL = { params: { gbdt: { nEstimators: 30, maxDepth: 4, earlyStoppingRounds: 0 } } };

function request(windowDate = '2026-11-30'): RetrainRequest {
  return {
    requestId: retrainMessageId('late_payment', windowDate),
    useCase: 'late_payment',
    windowDate,
    requestedAt: '2026-12-01T06:00:00.000Z',
    reason: 'PSI ≥ 0.2 on prior_late_rate in 2 of the last 3 windows',
    receipt: {
      useCase: 'late_payment',
      windowDate,
      modelVersion: 'champion-version',
      referenceProfileHash: 'cd'.repeat(32),
      rows: 1200,
      referenceRows: 28_000,
      alpha: PSI_ALPHA,
      thresholds: { watch: 0.1, act: 0.2, minRows: 500 },
      persistence: { k: 2, n: 3, breachedWindows: 2 },
      cooldownHours: 72,
      breaches: ['prior_late_rate'],
      psi: { features: { prior_late_rate: { psi: 0.31 } }, score: { psi: 0.12 } },
      windows: [],
      codeVersion: 'riskops@0.1.0',
    },
  };
}

/** Uploads generated labeled rows (the new relationship: concept drift) as CSV and JSONL parts. */
async function uploadData(container: ReturnType<ReturnType<typeof testStorage>['container']>): Promise<void> {
  await container.createIfNotExists();
  const rows = latePayment.generate({ rows: 3000, seed: 77, conceptDrift: 0.8, startDate: '2026-09-01' });
  const dir = await mkdtemp(join(tmpdir(), 'riskops-test-'));
  try {
    const csv = join(dir, 'a.csv');
    const jsonl = join(dir, 'b.jsonl');
    await writeLabeledFile(csv, latePayment as unknown as AnyUseCase, rows.slice(0, 1500));
    await writeLabeledFile(jsonl, latePayment as unknown as AnyUseCase, rows.slice(1500));
    await container.getBlockBlobClient('late_payment/2026-11-01.csv').uploadData(await readFile(csv));
    await container.getBlockBlobClient('late_payment/2026-11-15.jsonl').uploadData(await readFile(jsonl));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function setup(useCase: AnyUseCase, requireApproval = false) {
  const storage = testStorage();
  const registry = createRegistry({
    storage,
    container: uniqueName('models'),
    ledgerTable: uniqueName('ledger'),
    useCases: [useCase],
    requireApproval,
  });
  await seedRegistryFromDirectory(registry, 'models', ['late_payment']);
  const champion = await registry.resolve('late_payment', 'champion');
  const trainingData = storage.container(uniqueName('training-data'));
  await uploadData(trainingData);
  const consumer = createRetrainConsumer({
    registry,
    useCases: [useCase],
    trainingData,
    state: createRetrainState(storage.table(uniqueName('retrainstate'))),
    training: SMALL,
  });
  return { registry, consumer, champion };
}

describe('retrain consumer', () => {
  it('registers a challenger whose lineage holds the receipt and data hash, and is idempotent on redelivery', async () => {
    const { registry, consumer, champion } = await setup(variant());
    const outcome = await consumer.handle(request(), { messageId: 'retrain:late_payment:2026-11-30' });
    expect(outcome.status, outcome.message).toBe('registered');
    if (outcome.status !== 'registered') return;
    expect(outcome.duplicate).toBe(false);
    expect(outcome.promotion).toBe('not_allowed');
    expect(outcome.champion?.version).toBe(champion);
    expect(outcome.rows).toBe(3000);
    const { manifest } = await registry.show('late_payment', 'challenger');
    expect(manifest.version).toBe(outcome.version);
    expect(manifest.lineage?.requestId).toBe('retrain:late_payment:2026-11-30');
    expect(manifest.lineage?.receipt).toEqual(request().receipt);
    expect(manifest.lineage?.dataHash).toBe(manifest.training.dataHash);
    expect(manifest.lineage?.sources.map((s) => s.name)).toEqual([
      'late_payment/2026-11-01.csv',
      'late_payment/2026-11-15.jsonl',
    ]);
    expect(manifest.params.nEstimators).toBe(30);
    expect(await registry.resolve('late_payment', 'champion')).toBe(champion);

    const again = await consumer.handle(request(), { messageId: 'retrain:late_payment:2026-11-30' });
    expect(again).toMatchObject({ duplicate: true, status: 'registered', version: outcome.version });
    const { versions } = await registry.list('late_payment');
    expect(versions).toHaveLength(2);
    const moves = (await registry.history('late_payment')).filter((e) => e.alias === 'challenger');
    expect(moves).toHaveLength(1);
  });

  it('records a failed gate with its reasons and moves no alias', async () => {
    const { registry, consumer, champion } = await setup(variant({}, { minAuc: 0.99 }));
    const outcome = await consumer.handle(request());
    expect(outcome.status).toBe('gate_failed');
    if (outcome.status !== 'gate_failed') return;
    expect(outcome.reasons.join('\n')).toMatch(/^auc 0\.\d{4} not >= 0\.9900/m);
    const { versions, aliases } = await registry.list('late_payment');
    expect(versions).toHaveLength(1);
    expect(aliases.challenger).toBeNull();
    expect(aliases.champion?.version).toBe(champion);
    await expect(consumer.handle(request())).resolves.toMatchObject({
      duplicate: true,
      status: 'gate_failed',
    });
  });

  it('promotes only where the policy allows it, and leaves it to an approver under separation of duties', async () => {
    const auto = variant({ retrain: { autoPromote: true, promoteMargin: 0.01 } });
    const open = await setup(auto);
    const promoted = await open.consumer.handle(request());
    expect(promoted).toMatchObject({ status: 'registered', promotion: 'promoted' });
    if (promoted.status === 'registered')
      expect(await open.registry.resolve('late_payment', 'champion')).toBe(promoted.version);

    const guarded = await setup(auto, true);
    const waiting = await guarded.consumer.handle(request());
    expect(waiting).toMatchObject({ status: 'registered', promotion: 'awaiting_approval' });
    expect(await guarded.registry.resolve('late_payment', 'champion')).toBe(guarded.champion);

    const strict = await setup(variant({ retrain: { autoPromote: true, promoteMargin: 0.9 } }));
    await expect(strict.consumer.handle(request())).resolves.toMatchObject({ promotion: 'margin_not_met' });
    expect(await strict.registry.resolve('late_payment', 'champion')).toBe(strict.champion);
  });

  it('names the bad fields of a malformed request', async () => {
    const { consumer } = await setup(variant());
    await expect(consumer.handle({ ...request(), windowDate: 'yesterday' })).rejects.toThrow(/windowDate/);
  });
});
