import { describe, expect, it } from 'vitest';
import { modelsPromote, modelsRollback } from '../../functions/models.js';
import { score } from '../../functions/score.js';
import { alice, bob, testModel, testRegistry, testUseCase } from './support/fixtures.js';
import { call, servicesFor } from './support/http.js';

const UC = testUseCase.name;
const record = { id: 'r1', amount: 120, days: 12, channel: 'web', repeat: true };
const admin = { id: 'oid-admin', name: 'admin@example.com' };

async function scored(svc: ReturnType<typeof servicesFor>, query: string) {
  return call(score, svc, { method: 'POST', path: `score/${UC}${query}`, body: record });
}

describe('?version= and retired versions over HTTP', () => {
  it('answers malformed version ids with 400 naming the field, before any storage call', async () => {
    const { registry, storage } = testRegistry();
    const svc = servicesFor(registry, storage);
    for (const query of [
      '?version=../../x',
      '?version=..%2F..%2Fx',
      '?version=%2e%2e/%2e%2e/x',
      '?version=',
      '?version=20261122T081500Z-3FA1C2D4E5F6',
    ]) {
      const answer = await scored(svc, query);
      expect([query, answer.status, answer.body.error?.code, answer.body.error?.issues?.[0]?.path]).toEqual([
        query,
        400,
        'invalid_input',
        'version',
      ]);
    }
    const unknown = await scored(svc, '?version=20261122T081500Z-3fa1c2d4e5f6');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    await svc.close();
  });

  it('refuses a retired version for ?version= and for rollback with 409 saying who retired it and why', async () => {
    const { registry, storage } = testRegistry();
    const v1 = (await registry.push(UC, testModel(1).bytes, testModel(1).manifest, alice)).version;
    const v2 = (await registry.push(UC, testModel(2).bytes, testModel(2).manifest, alice)).version;
    const v3 = (await registry.push(UC, testModel(3).bytes, testModel(3).manifest, alice)).version;
    await registry.promote(UC, v1, bob);
    await registry.promote(UC, v2, bob);
    await registry.promote(UC, v3, bob);
    const before = servicesFor(registry, storage);
    expect((await scored(before, `?version=${v1}`)).status).toBe(200);
    await before.close();

    await registry.rollback(UC, { ...bob, reason: 'v3 misbehaves' });
    // v3 was rolled away from; v1 sits in champion's history, so rolling back again would land on it.
    await registry.retire(UC, v1, { ...bob, reason: 'leaks a feature from the future' });
    const svc = servicesFor(registry, storage);
    const pinned = await scored(svc, `?version=${v1}`);
    expect(pinned).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(pinned.body.error.message).toContain('retired (by bob@example.com');
    expect(pinned.body.error.message).toContain('leaks a feature from the future');

    const back = await call(modelsRollback, svc, {
      method: 'POST',
      path: `models/${UC}/rollback`,
      body: { reason: 'v2 also bad' },
      principal: admin,
    });
    expect(back).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(back.body.error.message).toContain(`${v1} of ${UC} is retired`);
    expect(await registry.resolve(UC, 'champion')).toBe(v2);
    const promoted = await call(modelsPromote, svc, {
      method: 'POST',
      path: `models/${UC}/promote`,
      body: { version: v1, reason: 'try again' },
      principal: admin,
    });
    expect(promoted.status).toBe(409);
    await svc.close();
  });
});
