import { isRiskopsError, RiskopsError } from '../errors/index.js';
import type { LoadedModel, ModelFallback } from '../scoring/ports.js';
import { earlierChampions } from './champion-history.js';
import type { Registry } from './registry.js';
import type { AliasRead } from './types.js';

/** What loading one version gave: the model, and whether the version is retired (never a fallback). */
export interface Outcome {
  model: LoadedModel;
  retired: boolean;
}

/** What one instance knows about one use case's champion. Mutated only by `refresh`. */
export interface ChampionState {
  useCase: string;
  /** The model that serves (the champion, or a fallback standing in for it). */
  current?: LoadedModel;
  /** The version the champion alias named at the last successful check (null: no champion). */
  champion?: string | null;
  /** ETag of the alias blob the current decision was made from. */
  etag?: string | null;
  /** Why the champion itself is not served (its checks failed), when it is not. */
  championError?: RiskopsError;
  fallback?: ModelFallback;
  lastSuccessAt?: number;
  /** The last failed check (storage unreachable, or nothing servable), cleared by a success. */
  lastError?: { message: string; at: number; error: unknown };
  /** Consecutive failed checks or champion loads: the back-off exponent. */
  failures: number;
  nextAttemptAt: number;
  refreshing?: Promise<void>;
}

export interface ChampionTrackerOptions {
  registry: Registry;
  refreshMs: number;
  baseMs: number;
  maxMs: number;
  maxFallbacks: number;
  now: () => number;
  load: (useCase: string, version: string) => Promise<Outcome>;
  closed: () => boolean;
}

/** Content errors of one version: retrying may heal them (someone restores the blob), falling back does now. */
function isBadModel(error: unknown): error is RiskopsError {
  return isRiskopsError(error) && ['integrity_error', 'contract_violation', 'not_found'].includes(error.code);
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? 'unknown error';
}

/**
 * Keeps each use case's champion state: single-flight background checks of the alias (one HEAD when nothing
 * moved), loading a moved champion, falling back when it fails its checks, and back-off after failures.
 * `refresh` never rejects: every failure is recorded in the state for `get` and `/api/health`.
 */
export function createChampionTracker(options: ChampionTrackerOptions) {
  const { registry, now } = options;
  const states = new Map<string, ChampionState>();

  const backoff = (failures: number): number =>
    Math.min(options.baseMs * 2 ** Math.max(0, failures - 1), options.maxMs);

  const succeeded = (state: ChampionState): void => {
    const at = now();
    state.lastSuccessAt = at;
    delete state.lastError;
    if (state.championError === undefined) {
      state.failures = 0;
      state.nextAttemptAt = at + options.refreshMs;
    } else {
      // The alias was read, but its champion fails its checks: retry that load with back-off.
      state.failures++;
      state.nextAttemptAt = at + backoff(state.failures);
    }
  };

  const failed = (state: ChampionState, error: unknown): void => {
    const at = now();
    state.failures++;
    state.lastError = { message: messageOf(error), at, error };
    state.nextAttemptAt = at + backoff(state.failures);
  };

  /** The most recent earlier champion that loads and passes its checks, or undefined. */
  const fallbackFor = async (
    state: ChampionState,
    alias: AliasRead | null,
    failedVersion: string | null,
  ): Promise<LoadedModel | undefined> => {
    const candidates = await earlierChampions(registry, state.useCase, alias?.state ?? null, failedVersion);
    for (const version of candidates.slice(0, options.maxFallbacks)) {
      try {
        const outcome = await options.load(state.useCase, version);
        if (!outcome.retired) return outcome.model;
      } catch (error) {
        // A retired version is refused by `load` (conflict): never a stand-in, try the next one.
        if (!isBadModel(error) && !isRiskopsError(error, 'conflict')) throw error;
      }
    }
    return undefined;
  };

  /** The champion could not be served: keep what serves, or find a stand-in; remember why. */
  const championFailed = async (
    state: ChampionState,
    alias: AliasRead | null,
    error: RiskopsError,
  ): Promise<void> => {
    const champion = alias?.state.version ?? null;
    state.championError = error;
    if (state.current === undefined || state.current.version === champion) {
      const standIn = await fallbackFor(state, alias, champion);
      if (standIn !== undefined) state.current = standIn;
      else delete state.current;
    }
    if (state.current === undefined) {
      delete state.fallback;
      return;
    }
    state.fallback = { champion, code: error.code, reason: messageOf(error) };
  };

  const check = async (state: ChampionState): Promise<void> => {
    // One HEAD request when nothing moved and the champion serves; more only when something changed.
    const etag = await registry.aliasEtag(state.useCase, 'champion');
    const settled =
      state.current !== undefined && state.championError === undefined && state.fallback === undefined;
    if (etag !== null && etag === state.etag && settled) return;
    if (etag === null) {
      state.etag = null;
      state.champion = null;
      if (state.current === undefined) {
        state.championError = new RiskopsError(
          'model_unavailable',
          `No champion model for ${state.useCase}: push a model and promote it (riskops models push / promote)`,
        );
      } else {
        // The alias vanished under a serving instance: keep the last champion, and say so.
        state.fallback = {
          champion: null,
          code: 'not_found',
          reason: `the champion alias of ${state.useCase} no longer exists; serving the last champion loaded`,
        };
      }
      return;
    }
    let alias: AliasRead | null;
    try {
      alias = await registry.alias(state.useCase, 'champion');
    } catch (error) {
      // An alias blob that cannot be parsed: serve what the ledger says was champion, and say so.
      if (!isRiskopsError(error, 'integrity_error') && !(error instanceof SyntaxError)) throw error;
      const corrupt = isRiskopsError(error)
        ? error
        : new RiskopsError(
            'integrity_error',
            `The champion alias of ${state.useCase} is not a valid registry document`,
            { cause: error },
          );
      await championFailed(state, null, corrupt);
      state.etag = etag;
      return;
    }
    if (alias === null) return;
    state.champion = alias.state.version;
    state.etag = alias.etag;
    try {
      const outcome = await options.load(state.useCase, alias.state.version);
      state.current = outcome.model;
      delete state.championError;
      delete state.fallback;
    } catch (error) {
      if (!isBadModel(error)) throw error;
      await championFailed(state, alias, error);
    }
  };

  const tracker = {
    state(useCase: string): ChampionState {
      let state = states.get(useCase);
      if (state === undefined) {
        state = { useCase, failures: 0, nextAttemptAt: Number.NEGATIVE_INFINITY };
        states.set(useCase, state);
      }
      return state;
    },

    /** True when a check may start now (none running, interval or back-off elapsed). */
    due(state: ChampionState): boolean {
      return state.refreshing === undefined && now() >= state.nextAttemptAt && !options.closed();
    },

    /** Starts a check, or joins the one running. Never rejects. */
    refresh(state: ChampionState): Promise<void> {
      if (state.refreshing !== undefined) return state.refreshing;
      const run = (async () => {
        try {
          await check(state);
          if (state.current === undefined && state.championError !== undefined) {
            failed(state, state.championError);
          } else succeeded(state);
        } catch (error) {
          failed(state, error);
        } finally {
          delete state.refreshing;
        }
      })();
      state.refreshing = run;
      return run;
    },

    /** Waits for running checks (before closing). */
    async settle(): Promise<void> {
      await Promise.allSettled([...states.values()].flatMap((s) => (s.refreshing ? [s.refreshing] : [])));
    },

    clear(): void {
      states.clear();
    },
  };
  return tracker;
}
