import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RiskopsError } from '../errors/index.js';
import type { LoadedModel } from './ports.js';
import { runModel } from './score.js';

interface Reply {
  id: number;
  probabilities?: Float32Array;
  error?: string;
}

/** onnxruntime `run()` on a thread of its own, so reading and encoding the next rows overlaps it. */
export interface OnnxThread {
  run(matrix: Float32Array, rows: number): Promise<Float32Array>;
}

/** The worker script beside this module: `.js` when built, `.ts` (type-stripped by Node) under the tests. */
function workerUrl(): URL | undefined {
  for (const ext of ['.js', '.ts']) {
    const url = new URL(`./onnx-thread-worker${ext}`, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

function startThread(model: LoadedModel, bytes: Uint8Array, url: URL, onExit: () => void): OnnxThread {
  const worker = new Worker(url, {
    workerData: { bytes, input: model.manifest.onnx.input, output: model.manifest.onnx.output },
  });
  const pending = new Map<number, { resolve(p: Float32Array): void; reject(e: Error): void }>();
  let next = 0;
  let idle: NodeJS.Timeout | undefined;
  let stopping = false;
  // A thread left idle ends (a replaced champion's thread does not linger); the next run starts a new one.
  const idleLater = () => {
    idle = setTimeout(() => {
      stopping = true;
      onExit();
      void worker.terminate();
    }, IDLE_MS).unref();
  };
  // Idle, the thread never keeps the process alive; while a run is out it does (so a CLI awaiting it stays up).
  worker.unref();
  const fail = (error: Error) => {
    onExit();
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    if (waiter === undefined) return;
    pending.delete(reply.id);
    if (pending.size === 0) {
      worker.unref();
      idleLater();
    }
    if (reply.probabilities !== undefined) waiter.resolve(reply.probabilities);
    else
      waiter.reject(
        new RiskopsError('contract_violation', `Model ${model.version}: ${reply.error ?? 'no answer'}`),
      );
  });
  worker.on('error', (error) => fail(error));
  worker.on('exit', (code) => {
    if (!stopping) fail(new Error(`onnxruntime thread exited with code ${code}`));
  });
  idleLater();
  return {
    run(matrix, rows) {
      if (rows === 0) return Promise.resolve(new Float32Array(0));
      const id = next++;
      return new Promise<Float32Array>((resolve, reject) => {
        clearTimeout(idle);
        pending.set(id, { resolve, reject });
        if (pending.size === 1) worker.ref();
        // The matrix moves to the thread (no copy); the caller does not use it again.
        worker.postMessage({ id, matrix, rows }, [matrix.buffer as ArrayBuffer]);
      });
    },
  };
}

const threads = new Map<string, OnnxThread>();
const IDLE_MS = 60_000;

/**
 * The positive-class probability of each row of `matrix`, computed on the model's own onnxruntime thread
 * (one per model version and process, same session options as the in-process session). Falls back to
 * the in-process session when the model's bytes are not at hand. Takes ownership of `matrix`.
 */
export function runModelOffThread(
  model: LoadedModel,
  matrix: Float32Array,
  rows: number,
): Promise<Float32Array> {
  const url = workerUrl();
  if (model.bytes === undefined || url === undefined || matrix.byteOffset !== 0)
    return runModel(model, matrix, rows);
  let thread = threads.get(model.sha256);
  if (thread === undefined) {
    const key = model.sha256;
    const created: OnnxThread = startThread(model, model.bytes, url, () => {
      if (threads.get(key) === created) threads.delete(key);
    });
    threads.set(key, created);
    thread = created;
  }
  return thread.run(matrix, rows);
}
