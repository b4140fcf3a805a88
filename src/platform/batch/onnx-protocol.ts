/** Messages between `createOnnxOffload` and its worker threads (`onnx-worker.ts`). */
import type { ErrorCode } from '../errors/index.js';

export interface OffloadWorkerData {
  bytes: Uint8Array;
  /** Names the model in errors: `late_payment 20261201-…`. */
  label: string;
  input: string;
  output: string;
}

/** One encoded batch: `rows` rows of `matrix.length / rows` features, row-major. The buffer is moved. */
export interface OffloadRequest {
  id: number;
  matrix: Float32Array;
  rows: number;
}

/** The positive-class probability of each row, or why there is none. Id -1 answers the session's start. */
export type OffloadReply =
  | { id: number; probabilities: Float32Array }
  | { id: number; ready: true }
  | { id: number; error: { code: ErrorCode; message: string } };
