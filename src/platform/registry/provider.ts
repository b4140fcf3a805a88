import type { InferenceSession } from 'onnxruntime-node';
import { isRiskopsError, RiskopsError } from '../errors/index.js';
import type { LoadedModel, ModelProvider, ServingState } from '../scoring/ports.js';
import { checkSession, openSession } from './contract.js';
import type { Registry } from './registry.js';

export interface RegistryModelProviderOptions {
  registry: Registry;
  /** settings.RISKOPS_ALIAS_REFRESH_MS: how stale the champion may be; also the ETag check interval. */
  refreshMs: number;
  /** The feature vector width a use case's model must take (defaults to the registry's use case). */
  widthOf?: (useCase: string) => number;
  now?: () => number;
}

interface ChampionState {
  current?: LoadedModel;
  /** ETag of the alias blob `current` (or the last failure) was resolved from. */
  etag?: string | null;
  checkedAt: number;
  refreshing?: Promise<void>;
  /** Why the version the champion points to is not served (the previous one keeps serving). */
  error?: RiskopsError;
}

/** Content and contract errors do not heal by retrying the same alias state; storage hiccups may. */
function isPermanent(error: unknown): boolean {
  return isRiskopsError(error) && ['integrity_error', 'contract_violation', 'not_found'].includes(error.code);
}

/**
 * Serves models from the registry. One onnxruntime session per distinct sha256, created once and reused;
 * the champion alias is re-checked with one HEAD request at most every `refreshMs` per use case, so a
 * promotion or rollback is picked up without a restart. A version whose bytes fail their checksum is
 * refused and the version served before keeps serving.
 */
/**
 * Nothing to serve: a 503 that says why. Storage failures and models that fail their checks are not the
 * caller's fault and must not surface as a bare 500.
 */
function unavailable(useCase: string, error: unknown): RiskopsError {
  if (isRiskopsError(error) && error.callerFault) return error;
  if (isRiskopsError(error, 'model_unavailable')) return error;
  if (isRiskopsError(error, 'integrity_error') || isRiskopsError(error, 'contract_violation')) {
    return new RiskopsError(
      'model_unavailable',
      `The champion of ${useCase} cannot be served: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  return new RiskopsError(
    'storage_unavailable',
    `The model registry for ${useCase} is unreachable; try again shortly`,
    { cause: error },
  );
}

export function createRegistryModelProvider(options: RegistryModelProviderOptions): ModelProvider {
  const { registry } = options;
  if (!Number.isFinite(options.refreshMs) || options.refreshMs <= 0) {
    throw new RiskopsError(
      'invalid_settings',
      `refreshMs must be a positive number, got ${options.refreshMs}`,
    );
  }
  const now = options.now ?? Date.now;
  const widthOf = options.widthOf ?? ((name: string) => registry.useCase(name).features.width);
  const sessions = new Map<string, Promise<InferenceSession>>();
  const versions = new Map<string, Promise<LoadedModel>>();
  const champions = new Map<string, ChampionState>();

  const sessionFor = (sha256: string, bytes: Uint8Array, useCase: string, version: string) => {
    let session = sessions.get(sha256);
    if (session === undefined) {
      session = (async () => {
        const created = await openSession(bytes, `${useCase} ${version}`);
        try {
          await checkSession(created, { name: useCase, width: widthOf(useCase) });
          return created;
        } catch (error) {
          await created.release();
          throw error;
        }
      })();
      sessions.set(sha256, session);
      session.catch(() => sessions.delete(sha256));
    }
    return session;
  };

  /** A version, downloaded and checked once; versions are immutable, so it never needs reloading. */
  const loadVersion = (useCase: string, version: string): Promise<LoadedModel> => {
    const key = `${useCase}/${version}`;
    let loaded = versions.get(key);
    if (loaded === undefined) {
      loaded = (async () => {
        const stored = await registry.load(useCase, version);
        const sha256 = stored.manifest.onnx.sha256;
        const session = await sessionFor(sha256, stored.bytes, useCase, version);
        return { useCase, version, sha256, manifest: stored.manifest, session, bytes: stored.bytes };
      })();
      versions.set(key, loaded);
      loaded.catch(() => versions.delete(key));
    }
    return loaded;
  };

  const refresh = async (useCase: string, state: ChampionState): Promise<void> => {
    state.checkedAt = now();
    const etag = await registry.aliasEtag(useCase, 'champion');
    if (etag !== null && etag === state.etag) return;
    if (etag === null) {
      state.etag = null;
      if (state.current === undefined) {
        state.error = new RiskopsError(
          'model_unavailable',
          `No champion model for ${useCase}: push a model and promote it (riskops models push / promote)`,
        );
      }
      return;
    }
    const alias = await registry.alias(useCase, 'champion');
    if (alias === null) return;
    try {
      state.current = await loadVersion(useCase, alias.state.version);
      state.etag = alias.etag;
      delete state.error;
    } catch (error) {
      if (!isRiskopsError(error)) throw error;
      state.error = error;
      if (isPermanent(error)) state.etag = alias.etag;
    }
  };

  const champion = async (useCase: string): Promise<LoadedModel> => {
    let state = champions.get(useCase);
    if (state === undefined) {
      state = { checkedAt: Number.NEGATIVE_INFINITY };
      champions.set(useCase, state);
    }
    if (
      now() - state.checkedAt >= options.refreshMs ||
      (state.current === undefined && state.error === undefined)
    ) {
      const pending = state.refreshing ?? refresh(useCase, state);
      state.refreshing = pending;
      try {
        await pending;
      } catch (error) {
        // A storage hiccup while a model is loaded: keep serving it, and try again after refreshMs.
        if (state.current === undefined) throw unavailable(useCase, error);
      } finally {
        if (state.refreshing === pending) delete state.refreshing;
      }
    }
    if (state.current !== undefined) return state.current;
    throw unavailable(useCase, state.error);
  };

  return {
    async get(useCase, getOptions = {}) {
      registry.useCase(useCase);
      return getOptions.version === undefined ? champion(useCase) : loadVersion(useCase, getOptions.version);
    },

    async serving(useCases) {
      const entries = await Promise.all(
        useCases.map(async (useCase): Promise<[string, ServingState]> => {
          try {
            const model = await champion(useCase);
            const error = champions.get(useCase)?.error;
            const state: ServingState = { version: model.version, alias: 'champion' };
            if (error !== undefined) state.error = `champion moved but is not served: ${error.message}`;
            return [useCase, state];
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            return [useCase, { version: null, alias: 'champion', error: message }];
          }
        }),
      );
      return Object.fromEntries(entries);
    },

    async close() {
      const all = [...sessions.values()];
      sessions.clear();
      versions.clear();
      champions.clear();
      await Promise.allSettled(all.map(async (s) => (await s).release()));
    },
  };
}
