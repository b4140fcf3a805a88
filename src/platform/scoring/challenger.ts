import type { LoadedModel, ModelProvider } from './ports.js';

/** Reads where the challenger alias points (one small blob read). */
export type ChallengerLookup = (useCase: string) => Promise<string | null>;

interface Entry {
  version: string | null;
  checkedAt: number;
  refreshing?: Promise<void>;
}

/**
 * The challenger of each use case, re-read at most every `refreshMs` in the background: requests use the last
 * known version and never wait on storage once it has been read once. A challenger that cannot be loaded is
 * reported as absent (the champion decides), never as an error.
 */
export function createChallengerCache(options: {
  lookup: ChallengerLookup;
  models: ModelProvider;
  refreshMs: number;
  now?: () => number;
  onError?: (useCase: string, error: unknown) => void;
}) {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const refresh = (useCase: string, entry: Entry): Promise<void> => {
    entry.refreshing ??= options
      .lookup(useCase)
      .then((version) => {
        entry.version = version;
      })
      .catch((error: unknown) => options.onError?.(useCase, error))
      .finally(() => {
        entry.checkedAt = now();
        delete entry.refreshing;
      });
    return entry.refreshing;
  };
  return {
    async get(useCase: string): Promise<LoadedModel | null> {
      let entry = entries.get(useCase);
      if (entry === undefined) {
        entry = { version: null, checkedAt: Number.NEGATIVE_INFINITY };
        entries.set(useCase, entry);
        await refresh(useCase, entry);
      } else if (now() - entry.checkedAt >= options.refreshMs) {
        void refresh(useCase, entry);
      }
      if (entry.version === null) return null;
      try {
        return await options.models.get(useCase, { version: entry.version });
      } catch (error) {
        options.onError?.(useCase, error);
        return null;
      }
    },
  };
}
