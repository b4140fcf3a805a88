import { RiskopsError } from '../errors/index.js';
import type { Manifest } from '../model/index.js';
import type { StorageClients } from '../storage/index.js';
import { createAliases } from './aliases.js';
import { createLedger, type NewLedgerEntry } from './ledger.js';
import { prepareVersion } from './prepare.js';
import { createVersionStore, type StoredVersion, versionId } from './store.js';
import {
  ALIAS_HISTORY_LIMIT,
  type Alias,
  type AliasRead,
  type AliasState,
  type ChangeOptions,
  type LedgerEntry,
  type RegistryUseCase,
  type VersionInfo,
} from './types.js';

export interface RegistryOptions {
  storage: StorageClients;
  /** settings.RISKOPS_MODELS_CONTAINER */
  container: string;
  /** settings.RISKOPS_LEDGER_TABLE */
  ledgerTable: string;
  /** The use cases whose models this registry accepts, with the feature vector each model must take. */
  useCases: readonly RegistryUseCase[];
  /** Promotion to champion needs an approval by someone other than the pusher. */
  requireApproval: boolean;
  clock?: () => Date;
}

export interface PushResult {
  version: string;
  sha256: string;
  manifest: Manifest;
  /** True when the graph was rewritten to serve (a ZipMap removed); see `manifest.params.onnxRewrite`. */
  rewritten: boolean;
}

export interface PromoteOptions extends ChangeOptions {
  alias?: Alias;
  /** Optimistic check: the version the alias must hold now (`null`: it must be unset). */
  from?: string | null;
  /** Seeding only: a first champion from the shipped models/ folder needs no second pair of eyes. */
  skipApproval?: boolean;
}

export interface Move {
  alias: Alias;
  from: string | null;
  to: string;
  entry: LedgerEntry;
}

export interface ChampionAt {
  version: string;
  since: string;
  entry: LedgerEntry;
}

/**
 * The model registry: immutable content-addressed versions in Blob Storage, `champion` / `challenger` aliases
 * moved by ETag-guarded writes, and an append-only ledger in Table Storage.
 */
export function createRegistry(options: RegistryOptions) {
  if (options.useCases.length === 0)
    throw new RiskopsError('invalid_settings', 'The registry needs at least one use case');
  const clock = options.clock ?? (() => new Date());
  const store = createVersionStore(options.storage.container(options.container));
  const aliases = createAliases(store);
  const ledger = createLedger(options.storage.table(options.ledgerTable), clock);

  const useCase = (name: string): RegistryUseCase => {
    const found = options.useCases.find((u) => u.name === name);
    if (found !== undefined) return found;
    throw new RiskopsError(
      'unknown_use_case',
      `Unknown use case '${name}'. Known: ${options.useCases.map((u) => u.name).join(', ')}`,
    );
  };
  const existing = async (name: string, version: string): Promise<VersionInfo> => {
    const info = await store.info(useCase(name).name, version);
    if (info === null) throw new RiskopsError('not_found', `Version ${version} of ${name} is not registered`);
    return info;
  };
  const record = (name: string, entry: NewLedgerEntry) => ledger.append(name, entry);

  /** Writes the alias (atomic, ETag-guarded), then the ledger: a lost race leaves no entry. */
  const move = async (
    name: string,
    current: AliasRead | null,
    next: AliasState,
    entry: Omit<NewLedgerEntry, 'alias' | 'from' | 'to' | 'version'>,
  ): Promise<Move> => {
    await aliases.write(name, next, current);
    const from = current?.state.version ?? null;
    const written = await record(name, {
      ...entry,
      alias: next.alias,
      version: next.version,
      to: next.version,
      ...(from === null ? {} : { from }),
    });
    return { alias: next.alias, from, to: next.version, entry: written };
  };

  const registry = {
    useCases: options.useCases,
    requireApproval: options.requireApproval,
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
      const target = useCase(name);
      const prepared = await prepareVersion(target, bytes, manifestInput);
      let manifest = prepared.manifest;
      const servedSha = manifest.onnx.sha256;
      const served = prepared.bytes;
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
        bytes: served,
        manifest,
        pushedBy: change.actor,
        pushedAt: at.toISOString(),
      });
      await record(name, {
        action: 'push',
        version,
        sha256: servedSha,
        actor: change.actor,
        reason: change.reason,
      });
      return { version, sha256: servedSha, manifest, rewritten: prepared.rewritten };
    },

    /** Versions (oldest first) and where each alias points. */
    async list(name: string): Promise<{
      versions: (VersionInfo & { aliases: Alias[] })[];
      aliases: Record<Alias, AliasState | null>;
    }> {
      const [versions, champion, challenger] = await Promise.all([
        store.list(useCase(name).name),
        aliases.read(name, 'champion'),
        aliases.read(name, 'challenger'),
      ]);
      const held: Record<Alias, AliasState | null> = {
        champion: champion?.state ?? null,
        challenger: challenger?.state ?? null,
      };
      return {
        versions: versions.map((v) => ({
          ...v,
          aliases: (['champion', 'challenger'] as const).filter((a) => held[a]?.version === v.version),
        })),
        aliases: held,
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

    /** The version an alias points to. @throws RiskopsError `not_found` when it is unset. */
    async resolve(name: string, alias: Alias): Promise<string> {
      const read = await aliases.read(useCase(name).name, alias);
      if (read === null) {
        throw new RiskopsError('not_found', `No ${alias} model for ${name}: push a model and promote it`);
      }
      return read.state.version;
    },

    alias: (name: string, alias: Alias) => aliases.read(useCase(name).name, alias),
    aliasEtag: (name: string, alias: Alias) => aliases.etag(useCase(name).name, alias),

    /** Downloads a version, refusing bytes that differ from what was pushed (`integrity_error`). */
    load: (name: string, version: string): Promise<StoredVersion> => store.read(useCase(name).name, version),

    /**
     * Records that `actor` approves `version` for champion. The pusher cannot approve their own push.
     * @throws RiskopsError `conflict` for a self-approval or a retired version.
     */
    async approve(name: string, version: string, actor: string, reason: string): Promise<LedgerEntry> {
      const info = await existing(name, version);
      if (info.retired) throw new RiskopsError('conflict', `Version ${version} of ${name} is retired`);
      if (info.pushedBy === actor) {
        throw new RiskopsError(
          'conflict',
          `${actor} pushed ${name} ${version} and cannot also approve it: separation of duties needs a second identity`,
        );
      }
      return record(name, { action: 'approve', version, actor, reason });
    },

    /**
     * Points `alias` (default champion) at `version` in one ETag-guarded write, then records it.
     * @throws RiskopsError `not_found`, `precondition_failed` (approval missing), `conflict` (lost a race).
     */
    async promote(name: string, version: string, change: PromoteOptions): Promise<Move> {
      const alias = change.alias ?? 'champion';
      const info = await existing(name, version);
      if (info.retired)
        throw new RiskopsError('conflict', `Version ${version} of ${name} is retired and cannot be promoted`);
      let approvedBy: string | undefined;
      const needsApproval = useCase(name).requireApproval ?? options.requireApproval;
      if (alias === 'champion' && needsApproval && change.skipApproval !== true) {
        const approvals = (await ledger.approvals(name, version)).filter((a) => a.actor !== info.pushedBy);
        approvedBy = approvals[0]?.actor;
        if (approvedBy === undefined) {
          throw new RiskopsError(
            'precondition_failed',
            `${name} ${version} needs an approval by someone other than its pusher (${info.pushedBy}) before it can become champion: riskops models approve ${name} ${version}`,
          );
        }
      }
      await store.read(name, version);
      const current = await aliases.read(name, alias);
      const held = current?.state.version ?? null;
      if (change.from !== undefined && held !== change.from) {
        throw new RiskopsError(
          'conflict',
          `${alias} of ${name} is ${held ?? 'unset'}, not ${change.from ?? 'unset'}; it moved since you looked. Nothing was changed`,
          { details: { alias, current: held } },
        );
      }
      if (held === version) throw new RiskopsError('conflict', `${version} is already ${alias} of ${name}`);
      const history =
        current === null
          ? []
          : [current.state.version, ...current.state.history].slice(0, ALIAS_HISTORY_LIMIT);
      const next: AliasState = {
        alias,
        version,
        previous: held,
        history,
        movedAt: clock().toISOString(),
        movedBy: change.actor,
        reason: change.reason,
      };
      const extra = approvedBy === undefined ? {} : { approvedBy };
      return move(name, current, next, {
        action: 'promote',
        actor: change.actor,
        reason: change.reason,
        ...extra,
      });
    },

    /**
     * Puts champion back to the version it held before, in one ETag-guarded write.
     * @throws RiskopsError `conflict` when there is no champion, nothing earlier, or another move won.
     */
    async rollback(name: string, change: ChangeOptions & { alias?: Alias }): Promise<Move> {
      const alias = change.alias ?? 'champion';
      const current = await aliases.read(useCase(name).name, alias);
      if (current === null) throw new RiskopsError('conflict', `${name} has no ${alias} to roll back`);
      const [target, ...rest] = current.state.history;
      if (target === undefined) {
        throw new RiskopsError(
          'conflict',
          `${alias} of ${name} (${current.state.version}) has no earlier version to roll back to`,
        );
      }
      const next: AliasState = {
        alias,
        version: target,
        previous: rest[0] ?? null,
        history: rest,
        movedAt: clock().toISOString(),
        movedBy: change.actor,
        reason: change.reason,
      };
      return move(name, current, next, { action: 'rollback', actor: change.actor, reason: change.reason });
    },

    /** Marks a version as never to be promoted again. @throws RiskopsError `conflict` while an alias holds it. */
    async retire(name: string, version: string, change: ChangeOptions): Promise<LedgerEntry> {
      await existing(name, version);
      for (const alias of ['champion', 'challenger'] as const) {
        if ((await aliases.read(name, alias))?.state.version === version) {
          throw new RiskopsError(
            'conflict',
            `${version} is ${alias} of ${name}; move the alias before retiring it`,
          );
        }
      }
      const at = clock().toISOString();
      if (
        !(await store.retire(name, version, {
          retiredAt: at,
          retiredBy: change.actor,
          reason: change.reason,
        }))
      ) {
        throw new RiskopsError('conflict', `Version ${version} of ${name} is already retired`);
      }
      return record(name, { action: 'retire', version, actor: change.actor, reason: change.reason });
    },

    /** Ledger entries, newest first; with `until`, only those at or before it. */
    history: (name: string, query: { until?: Date; limit?: number } = {}) =>
      ledger.entries(useCase(name).name, query),

    /** Which version was champion of `name` at `instant`, from the ledger; `null` if none was. */
    async championAt(name: string, instant: Date): Promise<ChampionAt | null> {
      const entry = await ledger.aliasAt(useCase(name).name, 'champion', instant);
      return entry?.to === undefined ? null : { version: entry.to, since: entry.at, entry };
    },
  };
  return registry;
}

export type Registry = ReturnType<typeof createRegistry>;
