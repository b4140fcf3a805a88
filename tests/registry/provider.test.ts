import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isRiskopsError } from '../../src/platform/errors/index.js';
import { createRegistryModelProvider } from '../../src/platform/registry/index.js';
import { alice, bob, testModel, testRegistry, testUseCase, WIDTH } from './support/fixtures.js';
import { linearModel } from './support/onnx-models.js';

const UC = testUseCase.name;

async function pushAndPromote(
  registry: ReturnType<typeof testRegistry>['registry'],
  k: number,
): Promise<string> {
  const { bytes, manifest } = testModel(k);
  const { version } = await registry.push(UC, bytes, manifest, alice);
  await registry.promote(UC, version, { ...alice, reason: `release ${k}` });
  return version;
}

describe('registry model provider', () => {
  it('says clearly when no model is registered (503 model_unavailable)', async () => {
    const { registry } = testRegistry();
    const provider = createRegistryModelProvider({ registry, refreshMs: 100 });
    const error = await provider.get(UC).catch((e: unknown) => e);
    expect(isRiskopsError(error, 'model_unavailable')).toBe(true);
    expect((error as Error).message).toContain(`No champion model for ${UC}`);
    expect((error as { status: number }).status).toBe(503);
    expect(await provider.serving([UC])).toMatchObject({
      [UC]: {
        version: null,
        alias: 'champion',
        status: 'unavailable',
        error: expect.stringContaining('No champion model'),
      },
    });
    await provider.close();
  });

  it('reuses one session per sha256, for the champion and for pinned versions', async () => {
    const { registry } = testRegistry();
    const v1 = await pushAndPromote(registry, 1);
    const provider = createRegistryModelProvider({ registry, refreshMs: 60_000 });
    const a = await provider.get(UC);
    const b = await provider.get(UC);
    const pinned = await provider.get(UC, { version: v1 });
    const parallel = await Promise.all(Array.from({ length: 10 }, () => provider.get(UC, { version: v1 })));
    expect(a.version).toBe(v1);
    expect(b.session).toBe(a.session);
    expect(pinned.session).toBe(a.session);
    for (const m of parallel) expect(m.session).toBe(a.session);
    expect(await provider.serving([UC])).toMatchObject({
      [UC]: { version: v1, alias: 'champion', champion: v1, status: 'ok' },
    });
    await provider.close();
  });

  it('serves the previous champion within refreshMs of a rollback, without a restart', async () => {
    const refreshMs = 300;
    const { registry } = testRegistry();
    const v1 = await pushAndPromote(registry, 1);
    const v2 = await pushAndPromote(registry, 2);
    const provider = createRegistryModelProvider({ registry, refreshMs });
    expect((await provider.get(UC)).version).toBe(v2);
    await provider.get(UC, { version: v1 });

    const started = performance.now();
    await registry.rollback(UC, { ...bob, reason: 'incident 42' });
    let served = '';
    while (performance.now() - started < refreshMs * 10) {
      served = (await provider.get(UC)).version;
      if (served === v1) break;
      await sleep(10);
    }
    const elapsed = performance.now() - started;
    expect(served).toBe(v1);
    expect(elapsed).toBeLessThan(refreshMs + 250);
    await provider.close();
  });

  it('refuses a tampered blob at load with integrity_error while the good session keeps serving', async () => {
    const { registry, storage, container } = testRegistry();
    const good = await pushAndPromote(registry, 1);
    const { bytes, manifest } = testModel(2);
    const bad = (await registry.push(UC, bytes, manifest, alice)).version;
    const provider = createRegistryModelProvider({ registry, refreshMs: 50 });
    const before = await provider.get(UC);
    expect(before.version).toBe(good);

    // Someone rewrites v2's bytes after push (a valid model, but not the one reviewed).
    const swapped = linearModel({ coefficients: Array.from({ length: WIDTH }, () => 5) });
    await storage.container(container).getBlockBlobClient(`${UC}/${bad}/model.onnx`).uploadData(swapped);

    const pinned = await provider.get(UC, { version: bad }).catch((e: unknown) => e);
    expect(isRiskopsError(pinned, 'integrity_error')).toBe(true);
    expect((pinned as Error).message).toContain(`Integrity check failed for ${UC} ${bad}`);

    // Promotion itself re-checks the bytes...
    const refusedPromotion = await registry.promote(UC, bad, alice).catch((e: unknown) => e);
    expect(isRiskopsError(refusedPromotion, 'integrity_error')).toBe(true);
    // ...and if the alias is moved behind the registry's back, serving still refuses the bytes.
    const alias = await registry.alias(UC, 'champion');
    const blob = storage.container(container).getBlockBlobClient(`${UC}/aliases/champion.json`);
    const moved = JSON.stringify({ ...alias?.state, version: bad, previous: good, history: [good] });
    await blob.upload(moved, Buffer.byteLength(moved));
    await sleep(60);

    const after = await provider.get(UC);
    expect(after.version).toBe(good);
    expect(after.session).toBe(before.session);
    const serving = await provider.serving([UC], { waitMs: 2000 });
    expect(serving[UC]?.version).toBe(good);
    expect(serving[UC]?.status).toBe('fallback');
    expect(serving[UC]?.error).toContain('Integrity check failed');
    await provider.close();
  });

  it('answers 503 naming the integrity failure when a tampered champion has nothing to fall back on', async () => {
    const { registry, storage, container } = testRegistry();
    const only = await pushAndPromote(registry, 1);
    const swapped = linearModel({ coefficients: Array.from({ length: WIDTH }, () => 5) });
    await storage.container(container).getBlockBlobClient(`${UC}/${only}/model.onnx`).uploadData(swapped);
    const provider = createRegistryModelProvider({ registry, refreshMs: 50 });
    const refused = await provider.get(UC).catch((e: unknown) => e);
    expect(isRiskopsError(refused, 'model_unavailable')).toBe(true);
    expect((refused as Error).message).toContain('Integrity check failed');
    expect(isRiskopsError((refused as Error).cause, 'integrity_error')).toBe(true);
    await provider.close();
  });

  it('notices an unknown use case and a missing pinned version', async () => {
    const { registry } = testRegistry();
    await pushAndPromote(registry, 1);
    const provider = createRegistryModelProvider({ registry, refreshMs: 100 });
    expect(isRiskopsError(await provider.get('nope').catch((e: unknown) => e), 'unknown_use_case')).toBe(
      true,
    );
    const missing = await provider
      .get(UC, { version: '20200101T000000Z-000000000000' })
      .catch((e: unknown) => e);
    expect(isRiskopsError(missing, 'not_found')).toBe(true);
    await provider.close();
  });
});
