import { odata, type TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { modelsHistory, modelsVerifyLedger } from '../../functions/models.js';
import {
  createLedgerMonitor,
  createRegistry,
  entryHash,
  verifyLedgers,
} from '../../src/platform/registry/index.js';
import { uniqueName } from '../support/storage.js';
import { alice, bob, carol, testModel, testRegistry, testUseCase } from './support/fixtures.js';
import { call, servicesFor } from './support/http.js';

const UC = testUseCase.name;

/** A registry with a short history: two pushes, an approval, a promotion and a rollback. */
async function withHistory() {
  const fixture = testRegistry({ requireApproval: true });
  const { registry } = fixture;
  const v1 = (await registry.push(UC, testModel(1).bytes, testModel(1).manifest, alice)).version;
  const v2 = (await registry.push(UC, testModel(2).bytes, testModel(2).manifest, alice)).version;
  await registry.approve(UC, v1, { ...bob, reason: 'reviewed v1' });
  await registry.promote(UC, v1, carol);
  await registry.approve(UC, v2, { ...bob, reason: 'reviewed v2' });
  await registry.promote(UC, v2, carol);
  return { ...fixture, v1, v2, table: fixture.storage.table(fixture.ledgerTable) };
}

async function rowOf(table: TableClient, filter: string) {
  for await (const row of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
    return row;
  throw new Error(`no row for ${filter}`);
}

describe('hash-chained ledger', () => {
  it('chains every entry (seq, prevHash, hash) and verifies an untouched ledger', async () => {
    const { registry } = await withHistory();
    const entries = await registry.history(UC, { raw: true });
    const chained = [...entries].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    expect(chained.map((e) => e.seq)).toEqual(chained.map((_, i) => i + 1));
    for (let i = 1; i < chained.length; i++) expect(chained[i]?.prevHash).toBe(chained[i - 1]?.hash);
    const verified = await registry.verifyLedger(UC);
    expect(verified).toMatchObject({ ok: true, entries: entries.length, unchained: 0, problems: [] });
  });

  it('detects an approval whose actor was rewritten with the table SDK', async () => {
    const { registry, table, storage } = await withHistory();
    const approval = await rowOf(table, odata`PartitionKey eq ${UC} and action eq ${'approve'}`);
    await table.updateEntity(
      { partitionKey: UC, rowKey: String(approval.rowKey), actor: 'mallory@example.com', actorId: 'mallory' },
      'Merge',
    );
    const verified = await registry.verifyLedger(UC);
    expect(verified.ok).toBe(false);
    expect(verified.problems).toContainEqual(
      expect.objectContaining({
        id: approval.rowKey,
        problem: expect.stringContaining('approve entry was edited'),
      }),
    );
    // history says so too, over HTTP (through the function handler) and in the health summary.
    const svc = servicesFor(registry, storage);
    const history = await call(modelsHistory, svc, { method: 'GET', path: `models/${UC}/history` });
    expect(history.status).toBe(200);
    expect(history.body.chain).toMatchObject({ ok: false });
    const verify = await call(modelsVerifyLedger, svc, { method: 'GET', path: `models/${UC}/ledger/verify` });
    expect(verify.status).toBe(409);
    expect(await verifyLedgers(registry, [UC])).toMatchObject({
      ok: false,
      useCases: { [UC]: { ok: false } },
    });
    await svc.close();
  });

  it('detects a deleted push entry, and deleted newest entries', async () => {
    const { registry, table } = await withHistory();
    const push = await rowOf(table, odata`PartitionKey eq ${UC} and action eq ${'push'}`);
    await table.deleteEntity(UC, String(push.rowKey));
    const verified = await registry.verifyLedger(UC);
    expect(verified.ok).toBe(false);
    expect(verified.problems.map((p) => p.problem).join('\n')).toMatch(/missing: deleted/);

    const fresh = await withHistory();
    const newest = (await fresh.registry.history(UC, { raw: true }))[0];
    await fresh.table.deleteEntity(UC, String(newest?.id));
    const tail = await fresh.registry.verifyLedger(UC);
    expect(tail.ok).toBe(false);
    expect(tail.problems.map((p) => p.problem).join('\n')).toMatch(/newest entries were deleted/);
  });

  it('keeps one chain when writers append concurrently', async () => {
    const { registry } = testRegistry();
    const v = (await registry.push(UC, testModel(1).bytes, testModel(1).manifest, alice)).version;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => registry.approve(UC, v, { actor: `reviewer${i}`, reason: 'ok' })),
    );
    const verified = await registry.verifyLedger(UC);
    expect(verified).toMatchObject({ ok: true, entries: 9 });
  });
});

describe('write-once ledger archive', () => {
  it('copies every entry and catches a table rewritten with a recomputed chain', async () => {
    const archiveContainer = uniqueName('ledgerarchive');
    const fixture = testRegistry({ archiveContainer });
    const { registry, storage, ledgerTable } = fixture;
    const v1 = (await registry.push(UC, testModel(1).bytes, testModel(1).manifest, alice)).version;
    await registry.approve(UC, v1, { ...bob, reason: 'reviewed' });
    const clean = await registry.verifyLedger(UC);
    expect(clean).toMatchObject({ ok: true, archive: { lines: 2, notArchived: 0 } });

    // Whoever can write the table rewrites the approval and re-signs the chain so it verifies on its own.
    const table = storage.table(ledgerTable);
    const entries = (await registry.history(UC, { raw: true })).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    const approval = entries.find((e) => e.action === 'approve');
    if (approval === undefined) throw new Error('no approval');
    const forged = { ...approval, actor: 'mallory', actorId: 'mallory' };
    forged.hash = entryHash(forged);
    const { id, useCase, ...fields } = forged;
    await table.updateEntity({ partitionKey: useCase, rowKey: id, ...fields }, 'Replace');
    await table.updateEntity(
      { partitionKey: UC, rowKey: '!head', seq: forged.seq, hash: forged.hash, id },
      'Replace',
    );
    const alone = createRegistry({
      storage,
      container: fixture.container,
      ledgerTable,
      useCases: [testUseCase],
      requireApproval: false,
    });
    expect((await alone.verifyLedger(UC)).ok).toBe(true);
    const checked = await registry.verifyLedger(UC);
    expect(checked.ok).toBe(false);
    expect(checked.problems).toContainEqual(
      expect.objectContaining({
        seq: approval.seq,
        problem: expect.stringContaining('differs from its WORM archive copy'),
      }),
    );
  });
});

describe('ledger monitor for health', () => {
  it('reuses a verification until it is stale, and reports a ledger it cannot read', async () => {
    const { registry, table } = await withHistory();
    let now = 0;
    const monitor = createLedgerMonitor({ registry, useCases: [UC], maxAgeMs: 1000, now: () => now });
    expect(monitor.latest()).toBeNull();
    expect(await monitor.check()).toMatchObject({ ok: true });
    const approval = await rowOf(table, odata`PartitionKey eq ${UC} and action eq ${'approve'}`);
    await table.updateEntity(
      { partitionKey: UC, rowKey: String(approval.rowKey), reason: 'changed' },
      'Merge',
    );
    expect(await monitor.check()).toMatchObject({ ok: true });
    now = 1000;
    expect(await monitor.check()).toMatchObject({ ok: false, useCases: { [UC]: { ok: false } } });
    expect(monitor.latest()).toMatchObject({ health: { ok: false }, ageMs: 0 });
    const unknown = await verifyLedgers(registry, ['no_such_use_case']);
    expect(unknown).toMatchObject({
      ok: null,
      useCases: { no_such_use_case: { error: expect.stringContaining('Unknown use case') } },
    });
  });
});
