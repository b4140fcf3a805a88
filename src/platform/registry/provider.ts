import type { InferenceSession } from 'onnxruntime-node';
import { isRiskopsError, RiskopsError } from '../errors/index.js';
import type {
  LoadedModel,
  ModelProvider,
  ServedModel,
  ServingOptions,
  ServingState,
} from '../scoring/ports.js';
import { type ChampionState, createChampionTracker, type Outcome } from './champion-state.js';
import { checkSession, openSession } from './contract.js';
import type { Registry } from './registry.js';

export interface RegistryModelProviderOptions {
  /** Best built on `storage.fast()` clients: serving must give up on storage quickly, never hang on it. */
  registry: Registry;
  /** settings.RISKOPS_ALIAS_REFRESH_MS: how often the champion alias is checked (in the background). */
  refreshMs: number;
  /** Back-off after a failed check or load: first delay, doubling up to `maxMs` (settings.RISKOPS_RETRY_MAX_MS). */
  retry?: { baseMs?: number; maxMs?: number };
  /** How many earlier champions to try when the champion fails its checks on a fresh instance. Default 5. */
  maxFallbacks?: number;
  /** The feature vector width a use case's model must take (defaults to the registry's use case). */
  widthOf?: (useCase: string) => number;
  now?: () => number;
}

/**
 * Nothing to serve: a 503 that says why. Storage failures and models that fail their checks are not the
 * caller's fault and must not surface as a bare 500.
 */
function unavailable(useCase: string, error: unknown, retryAt: number | undefined): RiskopsError {
  if (isRiskopsError(error) && error.callerFault) return error;
  const retry = retryAt === undefined ? '' : `; retrying at ${new Date(retryAt).toISOString()}`;
  if (isRiskopsError(error, 'model_unavailable')) {
    return retry === ''
      ? error
      : new RiskopsError('model_unavailable', `${error.message}${retry}`, { cause: error });
  }
  if (isRiskopsError(error) && ['integrity_error', 'contract_violation', 'not_found'].includes(error.code)) {
    return new RiskopsError(
      'model_unavailable',
      `The champion of ${useCase} cannot be served and no earlier version passes its checks: ${error.message}${retry}`,
      { cause: error },
    );
  }
  return new RiskopsError(
    'storage_unavailable',
    `The model registry for ${useCase} is unreachable; try again shortly${retry}`,
    { cause: error },
  );
}

/**
 * Serves models from the registry. One onnxruntime session per distinct sha256, created once and reused.
 * Once a use case has a model, requests never wait on storage: the champion alias is checked in the
 * background (one check at a time per use case, at most every `refreshMs`), and the last good model keeps
 * serving while storage is unreachable. A champion that fails its checks (tampered bytes, missing manifest)
 * is retried with back-off, and meanwhile the version served before, or on a fresh instance the most recent
 * earlier champion that passes its checks, stands in (reported as a fallback). Nothing failed is cached.
 */
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
  const versions = new Map<string, Promise<LoadedModel & { retired: boolean }>>();
  let closed = false;

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
  const loadVersion = (useCase: string, version: string) => {
    const key = `${useCase}/${version}`;
    let loaded = versions.get(key);
    if (loaded === undefined) {
      loaded = (async () => {
        const stored = await registry.load(useCase, version);
        const sha256 = stored.manifest.onnx.sha256;
        const session = await sessionFor(sha256, stored.bytes, useCase, version);
        return {
          useCase,
          version,
          sha256,
          manifest: stored.manifest,
          session,
          bytes: stored.bytes,
          retired: stored.info.retired,
        };
      })();
      versions.set(key, loaded);
      loaded.catch(() => versions.delete(key));
    }
    return loaded;
  };

  const tracker = createChampionTracker({
    registry,
    refreshMs: options.refreshMs,
    baseMs: options.retry?.baseMs ?? 250,
    maxMs: options.retry?.maxMs ?? 10_000,
    maxFallbacks: options.maxFallbacks ?? 5,
    now,
    load: async (useCase, version): Promise<Outcome> => {
      const { retired, ...model } = await loadVersion(useCase, version);
      return { model, retired };
    },
    closed: () => closed,
  });

  const served = (state: ChampionState): ServedModel | undefined => {
    const model = state.current;
    if (model === undefined) return undefined;
    return state.fallback === undefined ? model : { ...model, fallback: state.fallback };
  };

  const champion = async (useCase: string): Promise<ServedModel> => {
    const state = tracker.state(useCase);
    if (state.current === undefined) {
      // Cold: nothing to serve yet, so this request waits for the (single) load, unless a retry is not due.
      if (state.refreshing !== undefined || tracker.due(state)) await tracker.refresh(state);
    } else if (tracker.due(state)) {
      void tracker.refresh(state);
    }
    const model = served(state);
    if (model !== undefined) return model;
    throw unavailable(useCase, state.lastError?.error ?? state.championError, state.nextAttemptAt);
  };

  const report = (state: ChampionState): ServingState => {
    const at = now();
    const out: ServingState = {
      version: state.current?.version ?? null,
      alias: 'champion',
      status: 'ok',
    };
    if (state.champion !== undefined) out.champion = state.champion;
    if (state.lastSuccessAt !== undefined) {
      out.lastCheckAt = new Date(state.lastSuccessAt).toISOString();
      out.stalenessSeconds = Math.round((at - state.lastSuccessAt) / 100) / 10;
    }
    const failing = state.lastError !== undefined;
    if (state.lastError !== undefined) {
      out.lastError = {
        message: state.lastError.message,
        at: new Date(state.lastError.at).toISOString(),
      };
    }
    if (failing || state.championError !== undefined)
      out.retryAt = new Date(state.nextAttemptAt).toISOString();
    if (state.fallback !== undefined) out.fallback = state.fallback;
    if (state.current === undefined) {
      out.status = 'unavailable';
      const why = state.lastError?.error ?? state.championError;
      out.error =
        why === undefined ? 'loading the champion' : unavailable(state.useCase, why, undefined).message;
    } else if (state.fallback !== undefined) {
      out.status = 'fallback';
      const champion = state.fallback.champion === null ? '' : ` ${state.fallback.champion}`;
      out.error = `serving ${state.current.version} instead of the champion${champion}: ${state.fallback.reason}`;
    } else if (failing) {
      out.status = 'stale';
      out.error = `alias checks are failing; serving ${state.current.version} as of ${out.lastCheckAt ?? 'start'}: ${state.lastError?.message}`;
    }
    return out;
  };

  return {
    async get(useCase, getOptions = {}) {
      registry.useCase(useCase);
      if (getOptions.version === undefined) return champion(useCase);
      const version = getOptions.version;
      try {
        const { retired: _retired, ...model } = await loadVersion(useCase, version);
        return model;
      } catch (error) {
        if (isRiskopsError(error)) throw error;
        // Not cached yet and storage is unreachable: a 503 that says so, not a bare 500.
        throw new RiskopsError(
          'storage_unavailable',
          `Version ${version} of ${useCase} is not loaded on this instance and the model registry is unreachable; try again shortly`,
          { cause: error },
        );
      }
    },

    async serving(useCases, servingOptions: ServingOptions = {}) {
      const waitMs = servingOptions.waitMs ?? 0;
      const states = useCases.map((useCase) => {
        const state = tracker.state(useCase);
        if (state.refreshing === undefined && tracker.due(state)) void tracker.refresh(state);
        return state;
      });
      const running = states.flatMap((s) => (s.refreshing === undefined ? [] : [s.refreshing]));
      if (running.length > 0 && waitMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled(running),
          new Promise((resolve) => {
            timer = setTimeout(resolve, waitMs);
          }),
        ]);
        clearTimeout(timer);
      }
      return Object.fromEntries(states.map((state) => [state.useCase, report(state)]));
    },

    async close() {
      closed = true;
      await tracker.settle();
      const all = [...sessions.values()];
      sessions.clear();
      versions.clear();
      tracker.clear();
      await Promise.allSettled(all.map(async (s) => (await s).release()));
    },
  };
}
