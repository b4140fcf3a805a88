import { describe, expect, it } from 'vitest';
import { modelsHistory, modelsList, modelsPromote, modelsRollback } from '../../functions/models.js';
import { isRiskopsError, type RiskopsError } from '../../src/platform/errors/index.js';
import { createRegistry, INTENT_GRACE_MS, RECONCILE_ACTOR } from '../../src/platform/registry/index.js';
import { unreachableStorage } from './support/dead-storage.js';
import { alice, bob, testModel, testRegistry, testUseCase } from './support/fixtures.js';
import { call, servicesFor } from './support/http.js';

const UC = testUseCase.name;
const admin = { id: 'oid-admin', name: 'admin@example.com' };

async function rejection(promise: Promise<unknown>): Promise<RiskopsError> {
  try {
    await promise;
  } catch (error) {
    if (isRiskopsError(error)) return error;
    throw error;
  }
  throw new Error('expected a RiskopsError');
}

async function twoVersions(options: Parameters<typeof testRegistry>[0] = {}) {
  const fixture = testRegistry(options);
  const v1 = (await fixture.registry.push(UC, testModel(1).bytes, testModel(1).manifest, alice)).version;
  const v2 = (await fixture.registry.push(UC, testModel(2).bytes, testModel(2).manifest, alice)).version;
  const blob = (path: string) =>
    fixture.storage.container(fixture.container).getBlockBlobClient(`${UC}/${path}`);
  return { ...fixture, v1, v2, blob };
}

describe('alias and ledger stay consistent', () => {
  it('refuses an oversized or multi-line actor or reason before writing anything', async () => {
    const { registry, v1 } = await twoVersions();
    const before = await registry.history(UC);
    const long = await rejection(registry.promote(UC, v1, { actor: 'x'.repeat(70_000), reason: 'go' }));
    expect(long).toMatchObject({ code: 'invalid_input', issues: [{ path: 'actor' }] });
    const forged = await rejection(registry.promote(UC, v1, { actor: 'eve', reason: 'ok\nAPPROVED by cfo' }));
    expect(forged).toMatchObject({ code: 'invalid_input', issues: [{ path: 'reason' }] });
    expect(
      (await rejection(registry.rollback(UC, { actor: 'eve', reason: 'r'.repeat(501) }))).issues[0]?.path,
    ).toBe('reason');
    expect(await registry.alias(UC, 'champion')).toBeNull();
    expect(await registry.history(UC)).toEqual(before);
  });

  it('detects a move whose alias write failed after its ledger intent, and records it as not applied', async () => {
    let now = Date.now();
    const { registry, v1, v2, blob } = await twoVersions({ clock: () => new Date(now) });
    await registry.promote(UC, v1, bob);
    // Another process holds a lease on the alias blob: Azurite refuses the second write of the move.
    const lease = blob('aliases/champion.json').getBlobLeaseClient();
    await lease.acquireLease(60);
    const failed = await rejection(registry.promote(UC, v2, bob));
    expect(failed.code).toBe('storage_unavailable');
    expect(failed.message).toContain('recorded as ledger intent');
    await lease.releaseLease();

    // Within the grace period the intent may still land: reported as pending, left alone.
    const intent = (await registry.history(UC)).find((e) => e.action === 'promote' && e.to === v2);
    expect(intent).toBeDefined();
    expect((await registry.list(UC)).aliases.champion?.version).toBe(v1);
    expect((await registry.history(UC, { raw: true })).some((e) => e.action === 'abort')).toBe(false);
    expect((await registry.history(UC))[0]).toMatchObject({ id: intent?.id, outcome: 'pending' });
    expect((await rejection(registry.promote(UC, v2, bob))).message).toContain(
      'is being moved by another promote',
    );

    // Past it, the next read closes the intent: the ledger says what really happened.
    now += INTENT_GRACE_MS + 1000;
    const history = await registry.history(UC, { raw: true });
    expect(history[0]).toMatchObject({ action: 'abort', ref: intent?.id, actor: RECONCILE_ACTOR });
    expect(history[0]?.reason).toContain(`still holds ${v1}`);
    expect((await registry.history(UC))[0]).toMatchObject({ id: intent?.id, outcome: 'aborted' });
    expect((await registry.championAt(UC, new Date(now)))?.version).toBe(v1);
    expect((await registry.verifyLedger(UC)).ok).toBe(true);
    // And the move can be made again.
    expect(await registry.promote(UC, v2, bob)).toMatchObject({ from: v1, to: v2 });
    const [latest] = await registry.history(UC);
    expect(latest).toMatchObject({ action: 'promote', to: v2, outcome: 'committed' });
    expect((await registry.list(UC)).aliases.champion?.entryId).toBe(latest?.id);
  });

  it('reports a corrupt alias over HTTP and repairs it by rollback and promote with a reason', async () => {
    const { registry, storage, v1, v2, blob } = await twoVersions();
    await registry.promote(UC, v1, bob);
    await registry.promote(UC, v2, bob);
    await blob('aliases/champion.json').upload('{"alias": "champion", "vers', 27);
    expect(isRiskopsError(await rejection(registry.alias(UC, 'champion')), 'integrity_error')).toBe(true);

    const svc = servicesFor(registry, storage);
    const listed = await call(modelsList, svc, { method: 'GET', path: `models/${UC}` });
    expect(listed.status).toBe(200);
    expect(listed.body.problems).toEqual([
      expect.objectContaining({
        alias: 'champion',
        ledgerVersion: v2,
        problem: expect.stringContaining('not JSON'),
      }),
    ]);
    expect((await call(modelsHistory, svc, { method: 'GET', path: `models/${UC}/history` })).status).toBe(
      200,
    );
    const noReason = await call(modelsRollback, svc, {
      method: 'POST',
      path: `models/${UC}/rollback`,
      body: {},
      principal: admin,
    });
    expect(noReason).toMatchObject({ status: 400, body: { error: { issues: [{ path: 'reason' }] } } });
    const back = await call(modelsRollback, svc, {
      method: 'POST',
      path: `models/${UC}/rollback`,
      body: { reason: 'champion alias corrupt; back to the version before' },
      principal: admin,
    });
    expect(back).toMatchObject({ status: 200, body: { from: v2, to: v1 } });
    expect((await registry.alias(UC, 'champion'))?.state).toMatchObject({ version: v1, movedBy: admin.name });

    await blob('aliases/champion.json').upload('[]', 2);
    const repaired = await call(modelsPromote, svc, {
      method: 'POST',
      path: `models/${UC}/promote`,
      body: { version: v1, reason: 're-write the corrupt alias' },
      principal: admin,
    });
    expect(repaired).toMatchObject({ status: 200, body: { to: v1 } });
    expect((await registry.list(UC)).problems).toEqual([]);
    await svc.close();
  });

  it('notices a deleted alias blob and lets a promotion put it back', async () => {
    const { registry, v1, v2, blob } = await twoVersions();
    await registry.promote(UC, v1, bob);
    await blob('aliases/champion.json').delete();
    const listed = await registry.list(UC);
    expect(listed.problems[0]).toMatchObject({ alias: 'champion', ledgerVersion: v1 });
    expect(listed.problems[0]?.problem).toContain('deleted');
    expect(await registry.promote(UC, v2, { ...bob, reason: 'restore' })).toMatchObject({ from: v1, to: v2 });
    expect((await registry.list(UC)).problems).toEqual([]);
  });

  it('answers a tampered version with integrity_error (409) over HTTP', async () => {
    const { registry, storage, v1, blob } = await twoVersions();
    const bytes = testModel(3).bytes;
    await blob(`${v1}/model.onnx`).uploadData(bytes);
    const svc = servicesFor(registry, storage);
    const promoted = await call(modelsPromote, svc, {
      method: 'POST',
      path: `models/${UC}/promote`,
      body: { version: v1, reason: 'release' },
      principal: admin,
    });
    expect(promoted.status).toBe(409);
    expect(promoted.body.error).toMatchObject({ code: 'integrity_error' });
    expect(promoted.body.error.message).toContain('Integrity check failed');
    await svc.close();
  });

  it('answers 503 storage_unavailable on admin routes when storage is down', async () => {
    const storage = await unreachableStorage();
    const registry = createRegistry({
      storage,
      container: 'models',
      ledgerTable: 'ledger',
      useCases: [testUseCase],
      requireApproval: false,
    });
    const svc = servicesFor(registry, storage);
    for (const init of [
      { method: 'GET' as const, path: `models/${UC}` },
      { method: 'GET' as const, path: `models/${UC}/history` },
      { method: 'POST' as const, path: `models/${UC}/rollback`, body: { reason: 'r' }, principal: admin },
    ]) {
      const fn = init.path.endsWith('history')
        ? modelsHistory
        : init.method === 'POST'
          ? modelsRollback
          : modelsList;
      const answered = await call(fn, svc, init);
      expect([init.path, answered.status, answered.body.error?.code]).toEqual([
        init.path,
        503,
        'storage_unavailable',
      ]);
    }
    expect((await rejection(registry.load(UC, '20261122T081500Z-3fa1c2d4e5f6'))).code).toBe(
      'storage_unavailable',
    );
    await svc.close();
  });
});
