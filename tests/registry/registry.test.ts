import { describe, expect, it } from 'vitest';
import { isRiskopsError, type RiskopsError } from '../../src/platform/errors/index.js';
import { VERSION_PATTERN } from '../../src/platform/registry/index.js';
import { alice, bob, carol, testModel, testRegistry, testUseCase } from './support/fixtures.js';

const UC = testUseCase.name;

async function rejection(promise: Promise<unknown>): Promise<RiskopsError> {
  try {
    await promise;
  } catch (error) {
    if (isRiskopsError(error)) return error;
    throw error;
  }
  throw new Error('expected a RiskopsError');
}

describe('registry versions', () => {
  it('stores an immutable, content-named version with its manifest and ledger entry', async () => {
    const { registry } = testRegistry();
    const { bytes, manifest } = testModel(1);
    const pushed = await registry.push(UC, bytes, manifest, alice);
    expect(pushed.version).toMatch(VERSION_PATTERN);
    expect(pushed.version.endsWith(manifest.onnx.sha256.slice(0, 12))).toBe(true);
    const shown = await registry.show(UC, pushed.version);
    expect(shown.manifest.version).toBe(pushed.version);
    expect(shown.info.pushedBy).toBe(alice.actor);
    const [entry] = await registry.history(UC);
    expect(entry).toMatchObject({ action: 'push', version: pushed.version, actor: alice.actor });
  });

  it('refuses pushing the same bytes again, naming the existing version', async () => {
    const { registry } = testRegistry();
    const { bytes, manifest } = testModel(1);
    const first = await registry.push(UC, bytes, manifest, alice);
    const error = await rejection(registry.push(UC, bytes, manifest, bob));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain(first.version);
    expect((await registry.list(UC)).versions).toHaveLength(1);
  });

  it('never overwrites a version: a second create of the same version id is a conflict', async () => {
    const fixed = new Date('2026-11-20T03:00:00Z');
    const { registry, storage, container } = testRegistry({ clock: () => fixed });
    const { bytes, manifest } = testModel(1);
    const first = await registry.push(UC, bytes, manifest, alice);
    // Lose the content index, so only the conditional writes of the version blobs stand in the way.
    await storage.container(container).deleteBlob(`${UC}/sha256/${manifest.onnx.sha256}.json`);
    const error = await rejection(registry.push(UC, bytes, manifest, bob));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(`Version ${first.version} of ${UC} already exists; versions are immutable`);
    const stored = await registry.load(UC, first.version);
    expect(stored.info.pushedBy).toBe(alice.actor);
  });
});

describe('aliases', () => {
  it('lets exactly one of two racing promotions win, and the ledger shows one move', async () => {
    const { registry } = testRegistry();
    const v1 = (await registry.push(UC, testModel(1).bytes, testModel(1).manifest, alice)).version;
    const v2 = (await registry.push(UC, testModel(2).bytes, testModel(2).manifest, alice)).version;
    const results = await Promise.allSettled([
      registry.promote(UC, v1, { ...alice, from: null }),
      registry.promote(UC, v2, { ...bob, from: null }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(isRiskopsError(lost[0]?.reason, 'conflict')).toBe(true);
    expect(String((lost[0]?.reason as Error | undefined)?.message)).toMatch(/champion of test_payments/);
    const moves = (await registry.history(UC)).filter(
      (e) => e.action === 'promote' && e.outcome === 'committed',
    );
    expect(moves).toHaveLength(1);
    const champion = await registry.resolve(UC, 'champion');
    expect(moves[0]?.to).toBe(champion);
  });

  it('keeps an unbroken chain when many promotions race without an expected state', async () => {
    const { registry } = testRegistry();
    const versions: string[] = [];
    for (let k = 1; k <= 5; k++) {
      const { bytes, manifest } = testModel(k);
      versions.push((await registry.push(UC, bytes, manifest, alice)).version);
    }
    const results = await Promise.allSettled(versions.map((v) => registry.promote(UC, v, alice)));
    const wins = results.filter((r) => r.status === 'fulfilled').length;
    expect(wins).toBeGreaterThanOrEqual(1);
    for (const r of results)
      if (r.status === 'rejected') expect(isRiskopsError(r.reason, 'conflict')).toBe(true);
    const intents = (await registry.history(UC)).filter((e) => e.action === 'promote');
    // Every intent that lost its race is closed as aborted; the committed ones form one unbroken chain.
    expect(intents.filter((e) => e.outcome === 'aborted').length).toBe(intents.length - wins);
    const moves = intents.filter((e) => e.outcome === 'committed').reverse();
    expect(moves).toHaveLength(wins);
    moves.forEach((move, i) => {
      expect(move.from).toBe(i === 0 ? undefined : moves[i - 1]?.to);
    });
  });

  it('rolls back to the previous champion in one step, and again to the one before', async () => {
    const { registry } = testRegistry();
    const versions: string[] = [];
    for (let k = 1; k <= 3; k++) {
      const { bytes, manifest } = testModel(k);
      const v = (await registry.push(UC, bytes, manifest, alice)).version;
      versions.push(v);
      await registry.promote(UC, v, { ...alice, reason: `release ${k}` });
    }
    const [v1, v2, v3] = versions;
    const back = await registry.rollback(UC, { ...bob, reason: 'v3 misbehaves' });
    expect(back).toMatchObject({ from: v3, to: v2 });
    expect(await registry.resolve(UC, 'champion')).toBe(v2);
    await registry.rollback(UC, { ...bob, reason: 'v2 too' });
    expect(await registry.resolve(UC, 'champion')).toBe(v1);
    const error = await rejection(registry.rollback(UC, bob));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('no earlier version');
    const [last] = await registry.history(UC);
    expect(last).toMatchObject({ action: 'rollback', from: v2, to: v1, actor: bob.actor, reason: 'v2 too' });
  });

  it('answers which version was champion at a given moment', async () => {
    let now = new Date('2026-11-19T00:00:00Z');
    const { registry } = testRegistry({ clock: () => now });
    const v1 = (await registry.push(UC, testModel(1).bytes, testModel(1).manifest, alice)).version;
    const v2 = (await registry.push(UC, testModel(2).bytes, testModel(2).manifest, alice)).version;
    now = new Date('2026-11-19T12:00:00Z');
    await registry.promote(UC, v1, alice);
    now = new Date('2026-11-20T06:00:00Z');
    await registry.promote(UC, v2, alice);
    now = new Date('2026-11-21T09:30:00Z');
    await registry.rollback(UC, bob);

    expect(await registry.championAt(UC, new Date('2026-11-19T11:59:59Z'))).toBeNull();
    expect((await registry.championAt(UC, new Date('2026-11-20T03:00:00Z')))?.version).toBe(v1);
    const at = await registry.championAt(UC, new Date('2026-11-21T00:00:00Z'));
    expect(at).toMatchObject({ version: v2, since: '2026-11-20T06:00:00.000Z' });
    expect((await registry.championAt(UC, new Date('2026-11-21T09:30:00Z')))?.version).toBe(v1);
    const until = await registry.history(UC, { until: new Date('2026-11-20T03:00:00Z') });
    // The first promotion seeded the use case's approval policy, audited like any change.
    expect(until.map((e) => e.action)).toEqual(['promote', 'policy', 'push', 'push']);
  });

  it('retires versions that no alias holds, and refuses promoting them', async () => {
    const { registry } = testRegistry();
    const v1 = (await registry.push(UC, testModel(1).bytes, testModel(1).manifest, alice)).version;
    const v2 = (await registry.push(UC, testModel(2).bytes, testModel(2).manifest, alice)).version;
    await registry.promote(UC, v1, alice);
    expect((await rejection(registry.retire(UC, v1, bob))).message).toContain('is champion');
    await registry.retire(UC, v2, { ...bob, reason: 'superseded' });
    expect((await rejection(registry.promote(UC, v2, alice))).message).toContain('retired');
    const listed = await registry.list(UC);
    expect(listed.versions.map((v) => [v.version, v.retired, v.aliases])).toEqual([
      [v1, false, ['champion']],
      [v2, true, []],
    ]);
    expect((await registry.history(UC))[0]).toMatchObject({
      action: 'retire',
      version: v2,
      reason: 'superseded',
    });
  });
});

describe('separation of duties', () => {
  it('needs an approval by another identity before a version becomes champion', async () => {
    const { registry } = testRegistry({ requireApproval: true });
    const { bytes, manifest } = testModel(1);
    const { version } = await registry.push(UC, bytes, manifest, alice);

    const unapproved = await rejection(registry.promote(UC, version, carol));
    expect(unapproved.code).toBe('precondition_failed');
    expect(unapproved.message).toContain('approval by someone other than its pusher (alice@example.com)');
    const byPusher = await rejection(registry.promote(UC, version, alice));
    expect(byPusher.code).toBe('forbidden');

    const self = await rejection(registry.approve(UC, version, alice.actor, 'looks good to me'));
    expect(self.code).toBe('forbidden');
    expect(self.message).toContain('cannot also approve it');

    await registry.approve(UC, version, bob.actor, 'reviewed metrics and gate');
    // The approver cannot be the promoter either: three principals.
    expect((await rejection(registry.promote(UC, version, bob))).code).toBe('precondition_failed');
    const move = await registry.promote(UC, version, { ...carol, reason: 'release' });
    expect(move.entry.approvedBy).toBe(bob.actor);
    const ledger = (await registry.history(UC)).filter((e) => e.action !== 'policy');
    expect(ledger.map((e) => [e.action, e.actor])).toEqual([
      ['promote', carol.actor],
      ['approve', bob.actor],
      ['push', alice.actor],
    ]);
    // Challengers need no approval.
    const other = await registry.push(UC, testModel(2).bytes, testModel(2).manifest, alice);
    await registry.promote(UC, other.version, { ...alice, alias: 'challenger' });
  });

  it('lets a use case override the registry-wide setting either way', async () => {
    const strict = testRegistry({
      requireApproval: false,
      useCases: [{ ...testUseCase, requireApproval: true }],
    });
    const first = await strict.registry.push(UC, testModel(3).bytes, testModel(3).manifest, alice);
    expect((await rejection(strict.registry.promote(UC, first.version, carol))).code).toBe(
      'precondition_failed',
    );

    const relaxed = testRegistry({
      requireApproval: true,
      useCases: [{ ...testUseCase, requireApproval: false }],
    });
    const second = await relaxed.registry.push(UC, testModel(4).bytes, testModel(4).manifest, alice);
    expect((await relaxed.registry.promote(UC, second.version, alice)).to).toBe(second.version);
  });
});
