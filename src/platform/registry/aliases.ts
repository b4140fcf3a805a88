import { RiskopsError } from '../errors/index.js';
import { readJsonBlob, statusOf, writeJsonBlobIf } from './blobs.js';
import type { VersionStore } from './store.js';
import { type Alias, type AliasRead, type AliasState, AliasStateSchema } from './types.js';

/**
 * `champion` / `challenger` per use case, each one small JSON blob. A move is a single write guarded by the
 * ETag that was read (or If-None-Match: * for the first), so of two racing moves exactly one lands.
 */
export function createAliases(store: VersionStore) {
  return {
    async read(useCase: string, alias: Alias): Promise<AliasRead | null> {
      const read = await readJsonBlob(await store.aliasBlob(useCase, alias), AliasStateSchema);
      return read === null ? null : { state: read.value, etag: read.etag };
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

    /**
     * Replaces the alias if it still is what was read.
     * @throws RiskopsError `conflict` when another move landed first; nothing is written then.
     */
    async write(useCase: string, next: AliasState, expected: AliasRead | null): Promise<void> {
      const blob = await store.aliasBlob(useCase, next.alias);
      if ((await writeJsonBlobIf(blob, next, expected?.etag ?? null)) !== null) return;
      const now = await this.read(useCase, next.alias).catch(() => null);
      const holder =
        now === null
          ? 'unknown'
          : `${now.state.version} (moved by ${now.state.movedBy} at ${now.state.movedAt})`;
      throw new RiskopsError(
        'conflict',
        `${next.alias} of ${useCase} moved while this change was in flight; it is now ${holder}. Nothing was changed: re-read and retry if still wanted`,
        { details: { alias: next.alias, current: now?.state.version ?? null } },
      );
    },
  };
}

export type Aliases = ReturnType<typeof createAliases>;
