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

/** What a use case serves right now, for `/api/health`. */
export interface ServingState {
  version: string | null;
  alias: string;
  error?: string;
}

/** Where scoring gets models from. The registry-backed adapter resolves aliases and caches sessions by sha256. */
export interface ModelProvider {
  /**
   * The champion of `useCase`, or the pinned `version`.
   * @throws RiskopsError `model_unavailable` when nothing servable is registered.
   */
  get(useCase: string, options?: { version?: string }): Promise<LoadedModel>;
  serving(useCases: readonly string[]): Promise<Record<string, ServingState>>;
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
