import { setTimeout as sleep } from 'node:timers/promises';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { score } from '../../functions/score.js';
import { createTableDecisionLog } from '../../src/platform/audit/index.js';
import { loadSettings } from '../../src/platform/config/index.js';
import { isRiskopsError } from '../../src/platform/errors/index.js';
import { createRegistryModelProvider } from '../../src/platform/registry/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import type { ModelProvider } from '../../src/platform/scoring/index.js';
import { alice, testModel, testRegistry, testUseCase, WIDTH } from '../registry/support/fixtures.js';
import { linearModel } from '../registry/support/onnx-models.js';
import { uniqueName } from '../support/storage.js';

const UC = testUseCase.name;
type Fixture = ReturnType<typeof testRegistry>;

async function release(registry: Fixture['registry'], k: number): Promise<string> {
  const { bytes, manifest } = testModel(k);
  const { version } = await registry.push(UC, bytes, manifest, alice);
  await registry.promote(UC, version, { ...alice, reason: `release ${k}` });
  return version;
}

/** A fresh instance (nothing cached) that retries fast. */
function freshProvider(registry: Fixture['registry']): ModelProvider {
  return createRegistryModelProvider({ registry, refreshMs: 100, retry: { baseMs: 50, maxMs: 200 } });
}

function blob(fixture: Fixture, path: string) {
  return fixture.storage.container(fixture.container).getBlockBlobClient(`${UC}/${path}`);
}

async function tamper(fixture: Fixture, version: string): Promise<void> {
  const other = linearModel({ coefficients: Array.from({ length: WIDTH }, () => 5) });
  await blob(fixture, `${version}/model.onnx`).uploadData(other);
}

/** Polls `get` until `version` serves, or gives up after `ms`. */
async function servedWithin(provider: ModelProvider, ms: number): Promise<string | undefined> {
  const deadline = performance.now() + ms;
  let served: string | undefined;
  while (performance.now() < deadline) {
    served = await provider.get(UC).then(
      (m) => (m.fallback === undefined ? m.version : `fallback:${m.version}`),
      () => undefined,
    );
    await sleep(30);
    if (served !== undefined && !served.startsWith('fallback:')) return served;
  }
  return served;
}

describe('a champion that fails its checks on a fresh instance', () => {
  it('falls back to the previous champion from the alias history, and says so in health and the response', async () => {
    const fixture = testRegistry();
    const v1 = await release(fixture.registry, 1);
    const v2 = await release(fixture.registry, 2);
    await tamper(fixture, v2);
    const provider = freshProvider(fixture.registry);

    const model = await provider.get(UC);
    expect(model.version).toBe(v1);
    expect(model.fallback).toMatchObject({ champion: v2, code: 'integrity_error' });
    const state = (await provider.serving([UC]))[UC];
    expect(state).toMatchObject({ version: v1, champion: v2, status: 'fallback' });
    expect(state?.error).toContain('Integrity check failed');

    const decisions = createTableDecisionLog({
      table: fixture.storage.table(uniqueName('decisions')),
      entityPartitions: 2,
      timeoutMs: 5000,
    });
    const services = {
      settings: loadSettings({ env: {} }),
      useCases: [testUseCase],
      models: provider,
      decisions,
      hmacKey: Buffer.from('fault-test-hmac-key-of-32-characters!'),
    } as unknown as Services;
    if (score.kind !== 'http') throw new Error('score is an HTTP function');
    const response = await score.create(services)(
      new HttpRequest({
        method: 'POST',
        url: `http://localhost/api/score/${UC}`,
        params: { useCase: UC },
        headers: { 'content-type': 'application/json' },
        body: { string: JSON.stringify({ id: 'a', amount: 10, days: 3 }) },
      }),
      new InvocationContext({ functionName: 'score', logHandler: () => undefined }),
    );
    expect(response.status).toBe(200);
    const headers = new Headers(response.headers as Record<string, string>);
    expect(headers.get('x-model-version')).toBe(v1);
    expect(headers.get('x-model-fallback')).toBe(`champion=${v2}; reason=integrity_error`);
    await decisions.close();
    await provider.close();
  });

  it('heals without a restart once a deleted manifest is restored', async () => {
    const fixture = testRegistry();
    const v1 = await release(fixture.registry, 1);
    const v2 = await release(fixture.registry, 2);
    const manifest = await blob(fixture, `${v2}/manifest.json`).downloadToBuffer();
    await blob(fixture, `${v2}/manifest.json`).delete();
    const provider = freshProvider(fixture.registry);

    const model = await provider.get(UC);
    expect(model.version).toBe(v1);
    expect(model.fallback).toMatchObject({ champion: v2, code: 'not_found' });

    await blob(fixture, `${v2}/manifest.json`).uploadData(manifest);
    expect(await servedWithin(provider, 3000)).toBe(v2);
    expect((await provider.serving([UC]))[UC]).toMatchObject({ version: v2, status: 'ok' });
    await provider.close();
  });

  it('answers 503 with nothing to fall back on, and heals once the bytes are restored', async () => {
    const fixture = testRegistry();
    const only = await release(fixture.registry, 1);
    const original = await blob(fixture, `${only}/model.onnx`).downloadToBuffer();
    await tamper(fixture, only);
    const provider = freshProvider(fixture.registry);

    const refused = await provider.get(UC).catch((e: unknown) => e);
    expect(isRiskopsError(refused, 'model_unavailable')).toBe(true);
    expect((refused as Error).message).toContain('Integrity check failed');
    expect((await provider.serving([UC]))[UC]).toMatchObject({ version: null, status: 'unavailable' });

    await blob(fixture, `${only}/model.onnx`).uploadData(original);
    expect(await servedWithin(provider, 3000)).toBe(only);
    await provider.close();
  });

  it('skips earlier champions that fail their checks or are retired, taking the most recent good one', async () => {
    const fixture = testRegistry();
    const v1 = await release(fixture.registry, 1);
    const v2 = await release(fixture.registry, 2);
    const v3 = await release(fixture.registry, 3);
    const v4 = await release(fixture.registry, 4);
    await tamper(fixture, v4);
    await tamper(fixture, v3);
    // The alias remembers v3, v2, v1 behind the broken v4: v3 is broken too, and v2 is withdrawn.
    expect((await fixture.registry.alias(UC, 'champion'))?.state.history).toEqual([v3, v2, v1]);
    await fixture.registry.retire(UC, v2, { ...alice, reason: 'withdrawn' });
    const provider = freshProvider(fixture.registry);

    const model = await provider.get(UC);
    expect(model.version).toBe(v1);
    expect(model.fallback?.champion).toBe(v4);
    await provider.close();
  });

  it('serves the champion the ledger records when the alias blob itself is unreadable', async () => {
    const fixture = testRegistry();
    const v1 = await release(fixture.registry, 1);
    await blob(fixture, 'aliases/champion.json').upload('{ not json', 10);
    const provider = freshProvider(fixture.registry);

    const model = await provider.get(UC);
    expect(model.version).toBe(v1);
    expect(model.fallback).toMatchObject({ champion: null, code: 'integrity_error' });
    expect((await provider.serving([UC]))[UC]?.status).toBe('fallback');
    await provider.close();
  });

  it('keeps serving, and says so, when the alias vanishes under a serving instance', async () => {
    const fixture = testRegistry();
    const v1 = await release(fixture.registry, 1);
    const provider = freshProvider(fixture.registry);
    expect((await provider.get(UC)).version).toBe(v1);
    await blob(fixture, 'aliases/champion.json').delete();
    await sleep(150);
    await provider.get(UC);
    const state = (await provider.serving([UC], { waitMs: 2000 }))[UC];
    expect(state).toMatchObject({ version: v1, champion: null, status: 'fallback' });
    expect(state?.error).toContain('no longer exists');
    expect((await provider.get(UC)).version).toBe(v1);
    await provider.close();
  });
});
