import type { InferenceSession } from 'onnxruntime-node';
import type { Manifest } from '../model/index.js';

/** A model ready to score: its registry identity, passport and a cached onnxruntime session. */
export interface LoadedModel {
  useCase: string;
  version: string;
  sha256: string;
  manifest: Manifest;
  session: InferenceSession;
  /** The ONNX bytes (reason codes read tree structure from the graph itself). */
  bytes?: Uint8Array;
}

/** Why a use case serves another version than its champion alias names. */
export interface ModelFallback {
  /** The version the champion alias points to, or null when the alias could not be read. */
  champion: string | null;
  /** The error code that keeps the champion out (`integrity_error`, `not_found`, …). */
  code: string;
  reason: string;
}

/** What `get` hands out: the model, and whether it stands in for a champion that cannot be served. */
export interface ServedModel extends LoadedModel {
  fallback?: ModelFallback;
}

/**
 * What a use case serves right now, for `/api/health`. `status`: `ok` (the champion, checked recently),
 * `stale` (the last alias check failed: the model keeps serving on what storage said last), `fallback`
 * (an earlier version stands in for a champion that fails its checks) or `unavailable` (nothing to serve).
 */
export interface ServingState {
  version: string | null;
  alias: string;
  status: 'ok' | 'stale' | 'fallback' | 'unavailable';
  /** The version the alias pointed to at the last successful check. */
  champion?: string | null;
  fallback?: ModelFallback;
  /** The last alias check that reached storage (ISO time), and how long ago, in seconds. */
  lastCheckAt?: string;
  stalenessSeconds?: number;
  /** The last failed check or load, if it is more recent than the last success. */
  lastError?: { message: string; at: string };
  /** The next retry after a failure (ISO time). */
  retryAt?: string;
  /** Why nothing or not the champion is served, in one sentence. */
  error?: string;
}

export interface ServingOptions {
  /** Wait at most this long for checks already running (a cold load); never longer. Default 0. */
  waitMs?: number;
}

/** Where scoring gets models from. The registry-backed adapter resolves aliases and caches sessions by sha256. */
export interface ModelProvider {
  /**
   * The champion of `useCase`, or the pinned `version`. Once a champion is loaded this never waits on storage:
   * alias checks run in the background.
   * @throws RiskopsError `model_unavailable` / `storage_unavailable` when nothing servable is loaded.
   */
  get(useCase: string, options?: { version?: string }): Promise<ServedModel>;
  /** What each use case serves; never waits on storage for longer than `waitMs`. */
  serving(useCases: readonly string[], options?: ServingOptions): Promise<Record<string, ServingState>>;
  close(): Promise<void>;
}

/** What one scored request hands to observers (drift counting): the model, encoded inputs and outputs. */
export interface ScoreObservation {
  useCase: string;
  model: LoadedModel;
  /** Validated records, as scored. */
  records: readonly Record<string, unknown>[];
  /** Row-major encoded feature matrix the model scored (`records.length × width`). */
  matrix: Float32Array;
  probabilities: readonly number[];
  /** `champion`, `canary`, `pinned` or `shadow`. */
  role: string;
}
