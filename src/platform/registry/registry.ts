import { RiskopsError } from '../errors/index.js';
import type { Manifest } from '../model/index.js';
import { findUseCase } from '../use-case/index.js';
import { corruptAliasError, createAliases } from './aliases.js';
import { createLedgerArchive } from './archive.js';
import type { LedgerVerification } from './chain.js';
import { foldOutcomes } from './history.js';
import { createLedger } from './ledger.js';
import { type AliasView, createMoves, type Move } from './moves.js';
import { createPolicies, type EffectivePolicy } from './policy.js';
import { prepareVersion } from './prepare.js';
import { type CheckedChange, checkApproval, checkChange, sameOrRetired } from './rules.js';
import { withStorageErrors } from './storage-errors.js';
import { createVersionStore, type StoredVersion, versionId } from './store.js';
import {
  ALIAS_HISTORY_LIMIT,
  ALIASES,
  type Alias,
  type AliasRead,
  type AliasState,
  type ChangeOptions,
  type LedgerEntry,
  type RegistryUseCase,
  type VersionInfo,
} from './types.js';
import { checkVersionId } from './validation.js';

export type { Move } from './moves.js';
export type {
  AliasProblem,
  ChampionAt,
  PromoteOptions,
  PushResult,
  RegistryOptions,
} from './registry-types.js';

import type {
  AliasProblem,
  ChampionAt,
  PromoteOptions,
  PushResult,
  RegistryOptions,
} from './registry-types.js';

/**
 * The model registry: immutable content-addressed versions in Blob Storage, `champion` / `challenger` aliases
 * moved by ETag-guarded writes after a ledger intent, a hash-chained append-only ledger in Table Storage, and
 * a per use case approval policy stored beside the models.
 */
export function createRegistry(options: RegistryOptions) {
  if (options.useCases.length === 0)
    throw new RiskopsError('invalid_settings', 'The registry needs at least one use case');
  const clock = options.clock ?? (() => new Date());
  const azure = options.azure === true;
  const store = createVersionStore(options.storage.container(options.container));
  const aliases = createAliases(store);
  const archive =
    options.archiveContainer === undefined
      ? undefined
      : createLedgerArchive(options.storage.container(options.archiveContainer));
  const ledger = createLedger(options.storage.table(options.ledgerTable), clock, archive);
  const moves = createMoves(aliases, ledger, clock);

  const useCase = (name: string): RegistryUseCase => findUseCase(options.useCases, name);
  const policies = createPolicies({
    store,
    ledger,
    clock,
    initial: (name) => {
      if (azure) return { requireApproval: true, why: 'always required in Azure' };
      const declared = useCase(name).requireApproval;
      return declared === undefined
        ? {
            requireApproval: options.requireApproval,
            why: 'RISKOPS_REQUIRE_APPROVAL when the policy was created',
          }
        : { requireApproval: declared, why: 'declared by the use case' };
    },
  });
  const existing = async (name: string, version: string): Promise<VersionInfo> => {
    const info = await store.info(useCase(name).name, checkVersionId(version));
    if (info === null) throw new RiskopsError('not_found', `Version ${version} of ${name} is not registered`);
    return info;
  };
  /** Refuses a retired version (409) saying who retired it, when and why. */
  const notRetired = async (name: string, version: string, doing: string): Promise<void> => {
    const retirement = await store.retirement(name, version);
    if (retirement !== null) throw sameOrRetired(name, version, doing, retirement);
  };
  const view = (name: string, alias: Alias, repair = true): Promise<AliasView> =>
    moves.view(useCase(name).name, alias, repair);
  /** The alias a move starts from: a move in flight is a conflict; a corrupt blob is repaired by the move. */
  const startMove = async (name: string, alias: Alias): Promise<AliasView> => {
    const current = await view(name, alias);
    if (current.pending !== undefined) {
      throw new RiskopsError(
        'conflict',
        `${alias} of ${name} is being moved by another ${current.pending.action} (${current.pending.actor}, ${current.pending.at}); nothing was changed, retry in a few seconds`,
      );
    }
    return current;
  };

  const registry = {
    useCases: options.useCases,
    requireApproval: options.requireApproval,
    /** Whether seeding may crown a first champion without approval (never in Azure). */
    bootstrapAllowed: !azure,
    useCase,

    /**
     * Registers a model under a new immutable version. Checks the manifest, the sha256 of the bytes, the
     * feature names, and that onnxruntime serves the graph; removes a scikit-learn ZipMap first.
     * @throws RiskopsError `invalid_input`, `unknown_use_case`, `contract_violation`, `conflict`.
     */
    async push(
      name: string,
      bytes: Uint8Array,
      manifestInput: unknown,
      change: ChangeOptions,
    ): Promise<PushResult> {
      const who = checkChange(change);
      const target = useCase(name);
      const prepared = await prepareVersion(target, bytes, manifestInput);
      let manifest = prepared.manifest;
      const servedSha = manifest.onnx.sha256;
      const already = await store.bySha(name, servedSha);
      if (already !== null) {
        throw new RiskopsError(
          'conflict',
          `These model bytes (sha256 ${servedSha.slice(0, 12)}…) are already registered for ${name} as version ${already}`,
          { details: { existingVersion: already } },
        );
      }
      const at = clock();
      const version = versionId(at, servedSha);
      manifest = { ...manifest, version };
      await store.create({
        useCase: name,
        version,
        bytes: prepared.bytes,
        manifest,
        pushedBy: who.actor,
        pushedById: who.actorId,
        pushedAt: at.toISOString(),
      });
      await ledger.append(name, { action: 'push', version, sha256: servedSha, ...who });
      return { version, sha256: servedSha, manifest, rewritten: prepared.rewritten };
    },

    /** Versions (oldest first), where each alias points, and anything wrong with an alias blob. */
    async list(name: string): Promise<{
      versions: (VersionInfo & { aliases: Alias[] })[];
      aliases: Record<Alias, AliasState | null>;
      problems: AliasProblem[];
    }> {
      const [versions, champion, challenger] = await Promise.all([
        store.list(useCase(name).name),
        view(name, 'champion'),
        view(name, 'challenger'),
      ]);
      const views = { champion, challenger };
      const state = (v: AliasView) => (v.snapshot.kind === 'valid' ? v.snapshot.state : null);
      return {
        versions: versions.map((v) => ({
          ...v,
          aliases: ALIASES.filter((a) => views[a].version === v.version),
        })),
        aliases: { champion: state(champion), challenger: state(challenger) },
        problems: [champion, challenger].flatMap((v) =>
          v.problem === undefined ? [] : [{ alias: v.alias, problem: v.problem, ledgerVersion: v.version }],
        ),
      };
    },

    /** One version's info and manifest; `ref` may be a version id or an alias. */
    async show(name: string, ref: string): Promise<{ info: VersionInfo; manifest: Manifest }> {
      const version = ref === 'champion' || ref === 'challenger' ? await registry.resolve(name, ref) : ref;
      const info = await existing(name, version);
      const manifest = await store.manifest(name, version);
      if (manifest === null)
        throw new RiskopsError('not_found', `Version ${version} of ${name} has no manifest`);
      return { info, manifest };
    },

    /** The version an alias points to. @throws RiskopsError `not_found` when unset, `integrity_error` when corrupt. */
    async resolve(name: string, alias: Alias): Promise<string> {
      const read = await aliases.read(useCase(name).name, alias);
      if (read === null)
        throw new RiskopsError('not_found', `No ${alias} model for ${name}: push a model and promote it`);
      return read.state.version;
    },

    /** The alias blob. @throws RiskopsError `integrity_error` when it is corrupt. */
    alias: (name: string, alias: Alias): Promise<AliasRead | null> => aliases.read(useCase(name).name, alias),
    aliasEtag: (name: string, alias: Alias) => aliases.etag(useCase(name).name, alias),

    /**
     * Downloads a version for serving, refusing bytes that differ from what was pushed.
     * @throws RiskopsError `invalid_input` (malformed id, naming `version`), `not_found`, `conflict` (retired),
     *   `integrity_error`.
     */
    async load(name: string, version: string): Promise<StoredVersion> {
      const stored = await store.read(useCase(name).name, checkVersionId(version));
      if (stored.info.retired) await notRetired(name, version, 'served');
      return stored;
    },

    /** Who retired a version, when and why; null while it is not retired (one small blob read). */
    retirement: (name: string, version: string) =>
      store.retirement(useCase(name).name, checkVersionId(version)),

    /**
     * Records that the caller approves `version` for champion. The pusher cannot approve their own push.
     * @throws RiskopsError `forbidden` for a self-approval, `conflict` for a retired version.
     */
    async approve(
      name: string,
      version: string,
      change: ChangeOptions | string,
      reason?: string,
    ): Promise<LedgerEntry> {
      const who = checkChange(typeof change === 'string' ? { actor: change, reason: reason ?? '' } : change);
      const info = await existing(name, version);
      if (info.retired) await notRetired(name, version, 'approved');
      if (info.pushedById === who.actorId) {
        throw new RiskopsError(
          'forbidden',
          `${who.actor} pushed ${name} ${version} and cannot also approve it: separation of duties needs a second identity`,
        );
      }
      return ledger.append(name, { action: 'approve', version, ...who });
    },

    /**
     * Points `alias` (default champion) at `version`: a ledger intent, then one ETag-guarded write. Repairs a
     * corrupt alias blob (its ETag guards the write; its content is not needed).
     * @throws RiskopsError `not_found`, `forbidden` / `precondition_failed` (separation of duties), `conflict`
     *   (retired, or lost a race), `integrity_error` (the version's bytes were changed).
     */
    async promote(name: string, version: string, change: PromoteOptions): Promise<Move> {
      const who = checkChange(change);
      const alias = change.alias ?? 'champion';
      const info = await existing(name, version);
      if (info.retired) await notRetired(name, version, 'promoted');
      let approvedBy: LedgerEntry | undefined;
      if (alias === 'champion' && change.skipApproval === true && !registry.bootstrapAllowed) {
        throw new RiskopsError(
          'forbidden',
          `In Azure no champion is crowned without approval: approve ${name} ${version}, then promote it`,
        );
      }
      const gated = alias === 'champion' && change.skipApproval !== true;
      // Independent reads, together: the policy and approvals, the bytes' integrity, the alias as it is.
      const [policy, approvals, , current] = await Promise.all([
        gated ? policies.effective(name) : null,
        gated ? ledger.approvals(name, version) : [],
        store.read(name, version),
        startMove(name, alias),
      ]);
      if (policy?.requireApproval === true) approvedBy = checkApproval(name, info, who, approvals, policy);
      if (change.from !== undefined && current.version !== change.from) {
        throw new RiskopsError(
          'conflict',
          `${alias} of ${name} is ${current.version ?? 'unset'}, not ${change.from ?? 'unset'}; it moved since you looked. Nothing was changed`,
          { details: { alias, current: current.version } },
        );
      }
      if (current.version === version && current.problem === undefined)
        throw new RiskopsError('conflict', `${version} is already ${alias} of ${name}`);
      const history =
        current.version === null || current.version === version
          ? current.history
          : [current.version, ...current.history].slice(0, ALIAS_HISTORY_LIMIT);
      const next = {
        alias,
        version,
        previous: history[0] ?? null,
        history,
        movedAt: clock().toISOString(),
        movedBy: who.actor,
        movedById: who.actorId,
        reason: who.reason,
      };
      const approval =
        approvedBy === undefined
          ? {}
          : { approvedBy: approvedBy.actor, approvedById: approvedBy.actorId ?? approvedBy.actor };
      return moves.move(name, current, next, { action: 'promote', ...who, ...approval });
    },

    /**
     * Puts the alias back to the version it held before: a ledger intent, then one ETag-guarded write. Works
     * from the ledger when the alias blob is corrupt.
     * @throws RiskopsError `conflict` when there is nothing to roll back to, the target is retired, or another
     *   move won; `integrity_error` when the target's bytes were changed.
     */
    async rollback(name: string, change: ChangeOptions & { alias?: Alias }): Promise<Move> {
      const who = checkChange(change);
      const alias = change.alias ?? 'champion';
      const current = await startMove(name, alias);
      if (current.version === null)
        throw new RiskopsError('conflict', `${name} has no ${alias} to roll back`);
      const [target, ...rest] = current.history;
      if (target === undefined) {
        throw new RiskopsError(
          'conflict',
          `${alias} of ${name} (${current.version}) has no earlier version to roll back to`,
        );
      }
      await notRetired(
        name,
        target,
        `rolled back to (${alias} of ${name} stays ${current.version}; promote a specific version instead)`,
      );
      await store.read(name, target);
      const next = {
        alias,
        version: target,
        previous: rest[0] ?? null,
        history: rest,
        movedAt: clock().toISOString(),
        movedBy: who.actor,
        movedById: who.actorId,
        reason: who.reason,
      };
      return moves.move(name, current, next, { action: 'rollback', ...who });
    },

    /** Marks a version as never to be served or promoted again. @throws RiskopsError `conflict` while an alias holds it. */
    async retire(name: string, version: string, change: ChangeOptions): Promise<LedgerEntry> {
      const who = checkChange(change);
      await existing(name, version);
      for (const alias of ALIASES) {
        if ((await view(name, alias)).version === version)
          throw new RiskopsError(
            'conflict',
            `${version} is ${alias} of ${name}; move the alias before retiring it`,
          );
      }
      const record = { retiredAt: clock().toISOString(), retiredBy: who.actor, reason: who.reason };
      if (!(await store.retire(name, version, record)))
        throw new RiskopsError('conflict', `Version ${version} of ${name} is already retired`);
      return ledger.append(name, { action: 'retire', version, ...who });
    },

    /**
     * Ledger entries, newest first; with `until`, only those at or before it. Open intents are reconciled
     * first. Each move carries its `outcome`; the bookkeeping `commit`/`abort` entries are folded into it
     * unless `raw` is set.
     */
    async history(
      name: string,
      query: { until?: Date; limit?: number; raw?: boolean } = {},
    ): Promise<LedgerEntry[]> {
      await Promise.all(ALIASES.map((a) => view(name, a)));
      const { limit, raw, ...range } = query;
      if (raw === true)
        return ledger.entries(useCase(name).name, { ...range, ...(limit === undefined ? {} : { limit }) });
      const shown = foldOutcomes(await ledger.all(name), await ledger.entries(name, range));
      return limit === undefined ? shown : shown.slice(0, limit);
    },

    /** Which version was champion of `name` at `instant`, from the ledger; `null` if none was. */
    async championAt(name: string, instant: Date): Promise<ChampionAt | null> {
      await view(name, 'champion');
      const { moves: before, committed } = await ledger.moves(useCase(name).name, 'champion', instant);
      const entry = before.find((m) => committed.has(m.id));
      return entry?.to === undefined ? null : { version: entry.to, since: entry.at, entry };
    },

    /** Checks the use case's hash chain: an edited, deleted or inserted entry is reported. */
    verifyLedger: (name: string): Promise<LedgerVerification> => ledger.verify(useCase(name).name),

    /** The approval policy in force (seeded on first use). */
    policy: (name: string): Promise<EffectivePolicy> => policies.effective(useCase(name).name),

    /** Changes the approval policy: audited in the ledger. */
    async setPolicy(name: string, requireApproval: boolean, change: ChangeOptions) {
      return policies.set(useCase(name).name, requireApproval, checkChange(change));
    },
  };
  return withStorageErrors(registry, 'model registry');
}

export type Registry = ReturnType<typeof createRegistry>;
export type { CheckedChange };
export { corruptAliasError };
