import { RiskopsError } from '../errors/index.js';
import {
  isConditionFailure,
  parseJsonDocument,
  readBlobWithEtag,
  statusOf,
  writeJsonBlobIf,
} from './blobs.js';
import type { VersionStore } from './store.js';
import {
  type Alias,
  type AliasRead,
  type AliasSnapshot,
  type AliasState,
  AliasStateSchema,
} from './types.js';

/** What a repairing move must say about a corrupt alias blob. */
export function corruptAliasError(useCase: string, alias: Alias, problem: string): RiskopsError {
  return new RiskopsError(
    'integrity_error',
    `The ${alias} alias of ${useCase} (${useCase}/aliases/${alias}.json) is corrupt: ${problem}. Repair it with a move and a reason: riskops models promote ${useCase} <version> --alias ${alias} --reason "...", or rollback`,
    { details: { useCase, alias, corruptAlias: true } },
  );
}

/** The outcome of a conditional alias write. */
export type AliasWriteOutcome =
  | { ok: true; etag: string }
  | { ok: false; lost: true }
  | { ok: false; error: unknown };

/**
 * `champion` / `challenger` per use case, each one small JSON blob. A move is a single write guarded by the
 * ETag that was read (or If-None-Match: * for the first), so of two racing moves exactly one lands. A
 * corrupt blob is reported, and can be replaced by a move guarded by its ETag without parsing it.
 */
export function createAliases(store: VersionStore) {
  const aliases = {
    /** The blob as found: absent, a valid alias, or corrupt (with its ETag and what is wrong). */
    async snapshot(useCase: string, alias: Alias): Promise<AliasSnapshot> {
      const read = await readBlobWithEtag(await store.aliasBlob(useCase, alias));
      if (read === null) return { kind: 'absent' };
      const parsed = parseJsonDocument(read.bytes, AliasStateSchema);
      if (!parsed.ok) return { kind: 'corrupt', etag: read.etag, problem: parsed.problem };
      if (parsed.value.alias !== alias)
        return { kind: 'corrupt', etag: read.etag, problem: `it names alias '${parsed.value.alias}'` };
      return { kind: 'valid', state: parsed.value, etag: read.etag };
    },

    /** The alias, or null when unset. @throws RiskopsError `integrity_error` when the blob is corrupt. */
    async read(useCase: string, alias: Alias): Promise<AliasRead | null> {
      const snap = await aliases.snapshot(useCase, alias);
      if (snap.kind === 'absent') return null;
      if (snap.kind === 'corrupt') throw corruptAliasError(useCase, alias, snap.problem);
      return { state: snap.state, etag: snap.etag };
    },

    /** The alias blob's ETag alone (one HEAD request): how servers notice a move cheaply. */
    async etag(useCase: string, alias: Alias): Promise<string | null> {
      try {
        return (await (await store.aliasBlob(useCase, alias)).getProperties()).etag ?? null;
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
    },

    /** Replaces the alias only if its ETag is still `etag` (`null`: only if it does not exist). */
    async write(
      useCase: string,
      next: AliasState,
      etag: string | null,
      abortSignal?: AbortSignal,
    ): Promise<AliasWriteOutcome> {
      try {
        const written = await writeJsonBlobIf(
          await store.aliasBlob(useCase, next.alias),
          next,
          etag,
          abortSignal,
        );
        return written === null ? { ok: false, lost: true } : { ok: true, etag: written };
      } catch (error) {
        if (isConditionFailure(error)) return { ok: false, lost: true };
        return { ok: false, error };
      }
    },
  };
  return aliases;
}

export type Aliases = ReturnType<typeof createAliases>;
