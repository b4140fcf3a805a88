import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelsApprove, modelsPolicyGet, modelsPolicySet, modelsPromote } from '../../functions/models.js';
import { isRiskopsError, type RiskopsError } from '../../src/platform/errors/index.js';
import {
  createRegistry,
  encodeClientPrincipal,
  parseClientPrincipal,
  requestPrincipal,
  seedRegistryFromDirectory,
} from '../../src/platform/registry/index.js';
import { alice, bob, carol, testModel, testRegistry, testUseCase } from './support/fixtures.js';
import { call, servicesFor } from './support/http.js';

const UC = testUseCase.name;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function rejection(promise: Promise<unknown>): Promise<RiskopsError> {
  try {
    await promise;
  } catch (error) {
    if (isRiskopsError(error)) return error;
    throw error;
  }
  throw new Error('expected a RiskopsError');
}

const headers = (values: Record<string, string>) => new Headers(values);
const azure = { RISKOPS_ENVIRONMENT: 'azure' as const, RISKOPS_ACTOR: undefined };

describe('identity', () => {
  it('reads the principal id and name from Easy Auth’s x-ms-client-principal', () => {
    const header = Buffer.from(
      JSON.stringify({
        auth_typ: 'aad',
        name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
        role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
        claims: [
          { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: '1f0c-oid' },
          { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', val: 'Ada Risk' },
          { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'riskops.admin' },
        ],
      }),
    ).toString('base64');
    expect(parseClientPrincipal(header)).toEqual({
      id: '1f0c-oid',
      name: 'Ada Risk',
      source: 'easy-auth',
      roles: ['riskops.admin'],
    });
  });

  it('in Azure, refuses a bare name header, a setting, a malformed principal or one without an object id', () => {
    const refused = (h: Record<string, string>, settings = azure) => {
      try {
        requestPrincipal(headers(h), settings);
      } catch (error) {
        return isRiskopsError(error, 'unauthorized');
      }
      return false;
    };
    expect(refused({ 'x-ms-client-principal-name': 'cfo@example.com' })).toBe(true);
    expect(refused({}, { RISKOPS_ENVIRONMENT: 'azure', RISKOPS_ACTOR: 'cfo@example.com' } as never)).toBe(
      true,
    );
    expect(refused({ 'x-ms-client-principal': 'not base64 json' })).toBe(true);
    const noOid = Buffer.from(JSON.stringify({ claims: [{ typ: 'name', val: 'x' }] })).toString('base64');
    expect(refused({ 'x-ms-client-principal': noOid })).toBe(true);
    const good = encodeClientPrincipal({ id: 'oid-1', name: 'ada@example.com' });
    expect(
      requestPrincipal(
        headers({ 'x-ms-client-principal': good, 'x-ms-client-principal-name': 'cfo' }),
        azure,
      ),
    ).toMatchObject({
      id: 'oid-1',
      name: 'ada@example.com',
    });
    // Locally, settings (or the OS user) name the actor.
    expect(
      requestPrincipal(headers({}), { RISKOPS_ENVIRONMENT: 'local', RISKOPS_ACTOR: 'dev' }),
    ).toMatchObject({
      id: 'dev',
      source: 'settings',
    });
  });
});

describe('separation of duties in Azure', () => {
  it('refuses an approval by the pusher’s principal whatever the caller’s settings and display name say', async () => {
    const { registry, storage } = testRegistry({ azure: true, requireApproval: false });
    const pusher = { id: 'oid-pusher', name: 'pusher@example.com' };
    const { version } = await registry.push(UC, testModel(1).bytes, testModel(1).manifest, {
      actor: pusher.name,
      actorId: pusher.id,
      reason: 'candidate',
    });
    const svc = servicesFor(registry, storage, {
      RISKOPS_ENVIRONMENT: 'azure',
      RISKOPS_REQUIRE_APPROVAL: 'false',
      RISKOPS_ACTOR: 'someone-else',
    });
    const approve = (principal?: { id: string; name: string }, extra: Record<string, string> = {}) =>
      call(modelsApprove, svc, {
        method: 'POST',
        path: `models/${UC}/approve`,
        body: { version, reason: 'looks fine' },
        ...(principal === undefined ? {} : { principal }),
        headers: extra,
      });
    // Same principal id under another display name: still the pusher.
    const self = await approve({ id: pusher.id, name: 'Totally Different Name' });
    expect(self).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    // A name header alone is not an identity in Azure.
    expect((await approve(undefined, { 'x-ms-client-principal-name': 'reviewer@example.com' })).status).toBe(
      401,
    );
    // The promotion needs an approval even though RISKOPS_REQUIRE_APPROVAL=false: the stored policy decides.
    const promoter = { id: 'oid-promoter', name: 'promoter@example.com' };
    const promote = (principal: { id: string; name: string }) =>
      call(modelsPromote, svc, {
        method: 'POST',
        path: `models/${UC}/promote`,
        body: { version, reason: 'go' },
        principal,
      });
    expect((await promote(promoter)).status).toBe(412);
    expect((await promote(pusher)).status).toBe(403);
    expect((await approve({ id: 'oid-reviewer', name: 'reviewer@example.com' })).status).toBe(200);
    const moved = await promote(promoter);
    expect(moved).toMatchObject({
      status: 200,
      body: {
        to: version,
        entry: { approvedBy: 'reviewer@example.com', approvedById: 'oid-reviewer', actorId: 'oid-promoter' },
      },
    });
    await svc.close();
  });

  it('never crowns the shipped model on start in Azure, even after the alias is deleted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'riskops-seed-'));
    dirs.push(dir);
    await mkdir(join(dir, UC));
    await writeFile(join(dir, UC, 'model.onnx'), testModel(1).bytes);
    await writeFile(join(dir, UC, 'manifest.json'), JSON.stringify(testModel(1).manifest));
    const { registry } = testRegistry({ azure: true, requireApproval: false });
    const seeded = await seedRegistryFromDirectory(registry, dir, [UC]);
    expect(seeded).toEqual([{ useCase: UC, status: 'pushed', version: expect.any(String), promoted: false }]);
    expect(await registry.alias(UC, 'champion')).toBeNull();
    const version = seeded[0]?.version ?? '';
    expect((await rejection(registry.promote(UC, version, { ...alice, skipApproval: true }))).code).toBe(
      'forbidden',
    );
  });
});

describe('approval policy stored with the registry', () => {
  it('is seeded once, never overridden by a later caller’s setting, and changed only by an audited command', async () => {
    const strict = testRegistry({ requireApproval: true });
    const v1 = (await strict.registry.push(UC, testModel(1).bytes, testModel(1).manifest, alice)).version;
    expect(await strict.registry.policy(UC)).toMatchObject({
      requireApproval: true,
      policy: { changedBy: 'riskops-policy-seed' },
    });
    // Another process on the same registry whose settings say approval is off.
    const relaxed = createRegistry({
      storage: strict.storage,
      container: strict.container,
      ledgerTable: strict.ledgerTable,
      useCases: [testUseCase],
      requireApproval: false,
    });
    expect((await rejection(relaxed.promote(UC, v1, carol))).code).toBe('precondition_failed');

    const svc = servicesFor(relaxed, strict.storage);
    const admin = { id: 'oid-admin', name: 'admin@example.com' };
    const noReason = await call(modelsPolicySet, svc, {
      method: 'POST',
      path: `models/${UC}/policy`,
      body: { requireApproval: false },
      principal: admin,
    });
    expect(noReason).toMatchObject({ status: 400, body: { error: { issues: [{ path: 'reason' }] } } });
    const changed = await call(modelsPolicySet, svc, {
      method: 'POST',
      path: `models/${UC}/policy`,
      body: { requireApproval: false, reason: 'sandbox use case: single-person releases accepted by risk' },
      principal: admin,
    });
    expect(changed).toMatchObject({
      status: 200,
      body: { policy: { requireApproval: false, changedById: 'oid-admin' } },
    });
    const entry = (await relaxed.history(UC))[0];
    expect(entry).toMatchObject({
      action: 'policy',
      requireApproval: false,
      actor: admin.name,
      actorId: admin.id,
    });
    expect((await relaxed.promote(UC, v1, carol)).to).toBe(v1);

    // Editing the policy blob outside the command fails closed.
    const edited = JSON.stringify({ ...changed.body.policy, requireApproval: true, reason: 'edited' });
    await strict.storage
      .container(strict.container)
      .getBlockBlobClient(`${UC}/policy.json`)
      .upload(edited, Buffer.byteLength(edited));
    const got = await call(modelsPolicyGet, svc, { method: 'GET', path: `models/${UC}/policy` });
    expect(got.body).toMatchObject({
      requireApproval: true,
      problem: expect.stringContaining('does not match'),
    });
    await svc.close();
  });

  it('seeds approval on in Azure whatever RISKOPS_REQUIRE_APPROVAL says', async () => {
    const { registry } = testRegistry({ azure: true, requireApproval: false });
    expect(await registry.policy(UC)).toMatchObject({ requireApproval: true });
    const v = (await registry.push(UC, testModel(2).bytes, testModel(2).manifest, alice)).version;
    await registry.approve(UC, v, bob);
    expect((await registry.promote(UC, v, carol)).entry.approvedBy).toBe(bob.actor);
  });
});

describe('admin reads in Azure', () => {
  it('refuse callers without the validated principal, reads included', async () => {
    const { registry, storage } = testRegistry({ azure: true, requireApproval: true });
    const svc = servicesFor(registry, storage, { RISKOPS_ENVIRONMENT: 'azure', RISKOPS_ACTOR: 'ops' });
    const anonymous = await call(modelsPolicyGet, svc, {
      method: 'GET',
      path: `models/${UC}/policy`,
      headers: { 'x-ms-client-principal-name': 'ops@example.com' },
    });
    expect(anonymous).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    const signedIn = await call(modelsPolicyGet, svc, {
      method: 'GET',
      path: `models/${UC}/policy`,
      principal: { id: 'oid-ops', name: 'ops@example.com' },
    });
    expect(signedIn).toMatchObject({ status: 200, body: { requireApproval: true } });
    await svc.close();
  });
});
