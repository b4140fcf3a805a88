import { describe, expect, it } from 'vitest';
import { createRegistry, seedRegistryFromDirectory } from '../../src/platform/registry/index.js';
import { createRetrainConsumer, createRetrainState } from '../../src/platform/retrain/index.js';
import type { AnyUseCase } from '../../src/platform/use-case/index.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { request, SMALL, uploadData, variant } from './support.js';

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
