import { HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import {
  modelsApprove,
  modelsHistory,
  modelsList,
  modelsPromote,
  modelsRollback,
} from '../../functions/models.js';
import { loadSettings } from '../../src/platform/config/index.js';
import type { HttpDefinition } from '../../src/platform/functions/index.js';
import { createRegistryModelProvider, encodeClientPrincipal } from '../../src/platform/registry/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { servicesAround } from '../support/platform-services.js';
import { alice, testModel, testRegistry, testUseCase } from './support/fixtures.js';

const UC = testUseCase.name;

function services(requireApproval = false): Services {
  const { registry, storage } = testRegistry({ requireApproval });
  const settings = loadSettings({
    env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true', RISKOPS_ACTOR: 'local-dev' },
  });
  const models = createRegistryModelProvider({ registry, refreshMs: 1000 });
  return servicesAround(settings, storage, [testUseCase], registry, models);
}

async function call(
  definition: unknown,
  svc: Services,
  init: { method: 'GET' | 'POST'; path: string; body?: unknown; principal?: string },
) {
  const fn = definition as HttpDefinition<Services>;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.principal !== undefined)
    headers['x-ms-client-principal'] = encodeClientPrincipal({
      id: `oid-${init.principal}`,
      name: init.principal,
    });
  const request = new HttpRequest({
    method: init.method,
    url: `http://localhost:7071/api/${init.path}`,
    headers,
    params: { useCase: UC },
    ...(init.body === undefined ? {} : { body: { string: JSON.stringify(init.body) } }),
  });
  const context = new InvocationContext({
    invocationId: 'test',
    functionName: fn.name,
    logHandler: () => undefined,
  });
  const response = await fn.create(svc)(request, context);
  return { status: response.status ?? 200, body: response.jsonBody as Record<string, unknown> };
}

describe('admin model functions', () => {
  it('lists, approves, promotes, rolls back and answers history with the caller identity in the ledger', async () => {
    const svc = services(true);
    const v1 = (await svc.registry.push(UC, testModel(1).bytes, testModel(1).manifest, alice)).version;
    const v2 = (await svc.registry.push(UC, testModel(2).bytes, testModel(2).manifest, alice)).version;
    const promote = (version: string, principal: string) =>
      call(modelsPromote, svc, {
        method: 'POST',
        path: `models/${UC}/promote`,
        body: { version, reason: 'go' },
        principal,
      });

    expect((await promote(v1, 'carol@example.com')).status).toBe(412);
    const approved = await call(modelsApprove, svc, {
      method: 'POST',
      path: `models/${UC}/approve`,
      body: { version: v1, reason: 'reviewed' },
      principal: 'bob@example.com',
    });
    expect(approved.status).toBe(200);
    expect((await promote(v1, 'carol@example.com')).status).toBe(200);
    await svc.registry.approve(UC, v2, 'bob@example.com', 'ok');
    const moved = await promote(v2, 'carol@example.com');
    expect(moved.body).toMatchObject({ from: v1, to: v2, alias: 'champion' });

    const listed = await call(modelsList, svc, { method: 'GET', path: `models/${UC}` });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ useCase: UC, aliases: { champion: { version: v2, previous: v1 } } });

    const back = await call(modelsRollback, svc, {
      method: 'POST',
      path: `models/${UC}/rollback`,
      body: { reason: 'bad scores' },
      principal: 'dave@example.com',
    });
    expect(back.body).toMatchObject({ from: v2, to: v1 });
    const history = await call(modelsHistory, svc, { method: 'GET', path: `models/${UC}/history` });
    const entries = history.body.entries as { action: string; actor: string }[];
    expect(entries.slice(0, 3).map((e) => [e.action, e.actor])).toEqual([
      ['rollback', 'dave@example.com'],
      ['promote', 'carol@example.com'],
      ['approve', 'bob@example.com'],
    ]);
    const past = await call(modelsHistory, svc, {
      method: 'GET',
      path: `models/${UC}/history?at=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    });
    expect(past.body.champion).toMatchObject({ version: v1 });
    await svc.close();
  });

  it('answers bad bodies with 400 naming the field, and unknown use cases with 404', async () => {
    const svc = services();
    const bad = await call(modelsPromote, svc, {
      method: 'POST',
      path: `models/${UC}/promote`,
      body: { version: '20261122T081500Z-3fa1c2d4e5f6' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_input', issues: [{ path: 'reason' }] } });
    const alias = await call(modelsPromote, svc, {
      method: 'POST',
      path: `models/${UC}/promote`,
      body: { version: '20261122T081500Z-3fa1c2d4e5f6', reason: 'r', alias: 'king' },
    });
    expect(alias.body).toMatchObject({ error: { issues: [{ path: 'alias' }] } });
    const at = await call(modelsHistory, svc, { method: 'GET', path: `models/${UC}/history?at=yesterday` });
    expect(at).toMatchObject({ status: 400, body: { error: { issues: [{ path: 'at' }] } } });
    const rollback = await call(modelsRollback, svc, {
      method: 'POST',
      path: `models/${UC}/rollback`,
      body: { reason: 'r' },
    });
    expect(rollback.status).toBe(409);
    await svc.close();
  });
});
