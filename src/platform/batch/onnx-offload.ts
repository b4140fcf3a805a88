import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { RiskopsError } from '../errors/index.js';
import { type LoadedModel, runModel } from '../scoring/index.js';
import type { OffloadReply, OffloadRequest, OffloadWorkerData } from './onnx-protocol.js';

/** The positive-class probability of each of `rows` encoded rows (row-major `matrix`). */
export type ModelRunner = (matrix: Float32Array, rows: number) => Promise<Float32Array>;

/**
 * Runs batch ONNX inference on worker threads, one per model (by sha256), started on first use. While a
 * worker runs one batch, the consumer's own thread reads, validates and encodes the next, so one consumer uses
 * two cores and its event loop never waits on a long `run()`.
 */
export interface OnnxOffload {
  /** A runner whose `run()` calls happen on `model`'s worker thread (in-thread when the model has no bytes). */
  runner(model: LoadedModel): ModelRunner;
  /** How many model workers are running (an idle one stops after `idleMs`). */
  workers(): number;
  /** Stops every worker; runs still waiting fail. */
  close(): Promise<void>;
}

interface Waiter {
  resolve(probabilities: Float32Array): void;
  reject(error: Error): void;
}

interface Lane {
  worker: Worker;
  ready: Promise<void>;
  waiting: Map<number, Waiter>;
  next: number;
  /** Runs started and not yet answered (including those waiting for the session): the worker is ref'd meanwhile. */
  busy: number;
  /** Stops the worker once it has been idle for `idleMs` (a version no longer scored must not keep one). */
  idle?: NodeJS.Timeout | undefined;
}

export interface OnnxOffloadOptions {
  /** A model's worker stops after this long without a run; the next run starts a new one. Default 60 s. */
  idleMs?: number;
}

/**
 * The compiled worker next to this file; when this file runs from its TypeScript source (vitest), the
 * compiled copy under `dist/` (the test command builds first).
 */
function workerFile(): URL {
  const here = new URL('./onnx-worker.js', import.meta.url);
  if (existsSync(here)) return here;
  return new URL(here.href.replace('/src/platform/batch/', '/dist/src/platform/batch/'));
}

function startLane(model: LoadedModel & { bytes: Uint8Array }, forget: (lane: Lane) => void): Lane {
  const label = `${model.useCase} ${model.version}`;
  const data: OffloadWorkerData = {
    bytes: model.bytes,
    label,
    input: model.manifest.onnx.input,
    output: model.manifest.onnx.output,
  };
  const worker = new Worker(workerFile(), { workerData: data });
  const waiting = new Map<number, Waiter>();
  let started: (() => void) | undefined;
  let refused: ((error: Error) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    started = resolve;
    refused = reject;
  });
  ready.catch(() => undefined); // a run that waits on it sees the error
  const lane: Lane = { worker, ready, waiting, next: 0, busy: 0 };
  const fail = (error: Error) => {
    forget(lane);
    refused?.(error);
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  };
  worker.on('message', (reply: OffloadReply) => {
    const error = 'error' in reply ? new RiskopsError(reply.error.code, reply.error.message) : undefined;
    if (reply.id === -1) {
      if (error === undefined) started?.();
      else {
        fail(error);
        void worker.terminate();
      }
      return;
    }
    const waiter = waiting.get(reply.id);
    if (waiter === undefined) return;
    waiting.delete(reply.id);
    if ('probabilities' in reply) waiter.resolve(reply.probabilities);
    else waiter.reject(error ?? new RiskopsError('internal', `Unexpected reply from the ${label} worker`));
  });
  worker.on('error', (error) =>
    fail(
      new RiskopsError('internal', `The onnxruntime worker of ${label} failed: ${error.message}`, {
        cause: error,
      }),
    ),
  );
  worker.on('exit', (code) =>
    fail(new RiskopsError('internal', `The onnxruntime worker of ${label} stopped (exit code ${code})`)),
  );
  worker.unref(); // an idle worker never keeps the process alive
  return lane;
}

export function createOnnxOffload(options: OnnxOffloadOptions = {}): OnnxOffload {
  const idleMs = options.idleMs ?? 60_000;
  const lanes = new Map<string, Lane>();
  let closed = false;
  const forget = (sha256: string, gone: Lane) => {
    if (lanes.get(sha256) === gone) lanes.delete(sha256);
  };
  const laneOf = (model: LoadedModel, bytes: Uint8Array): Lane => {
    let lane = lanes.get(model.sha256);
    if (lane === undefined) {
      lane = startLane({ ...model, bytes }, (gone) => forget(model.sha256, gone));
      lanes.set(model.sha256, lane);
    }
    return lane;
  };
  const rest = (sha256: string, lane: Lane) => {
    lane.worker.unref();
    lane.idle = setTimeout(() => {
      // Out of the map first: a run arriving now starts a new worker instead of posting to a stopping one.
      forget(sha256, lane);
      void lane.worker.terminate();
    }, idleMs).unref();
  };
  return {
    runner(model) {
      const { bytes } = model;
      if (bytes === undefined) return (matrix, rows) => runModel(model, matrix, rows);
      return async (matrix, rows) => {
        if (rows === 0) return new Float32Array(0);
        if (closed) throw new RiskopsError('internal', 'The onnxruntime workers were closed');
        const lane = laneOf(model, bytes);
        if (lane.busy++ === 0) {
          clearTimeout(lane.idle);
          lane.worker.ref();
        }
        try {
          await lane.ready;
          const id = lane.next++;
          const result = new Promise<Float32Array>((resolve, reject) =>
            lane.waiting.set(id, { resolve, reject }),
          );
          // Move the matrix when it owns its whole buffer (encodeRecords' matrices do); copy a view otherwise.
          const owned = matrix.byteOffset === 0 && matrix.byteLength === matrix.buffer.byteLength;
          const moved = owned ? matrix : matrix.slice();
          const request: OffloadRequest = { id, matrix: moved, rows };
          lane.worker.postMessage(request, [moved.buffer as ArrayBuffer]);
          return await result;
        } finally {
          if (--lane.busy === 0) rest(model.sha256, lane);
        }
      };
    },
    workers: () => lanes.size,
    async close() {
      closed = true;
      const stopping = [...lanes.values()];
      lanes.clear();
      for (const lane of stopping) clearTimeout(lane.idle);
      await Promise.all(stopping.map((lane) => lane.worker.terminate()));
    },
  };
}
