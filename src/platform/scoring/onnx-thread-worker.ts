/**
 * Worker side of `onnx-thread.ts`: one onnxruntime session (the same single-threaded options as
 * `openSession`) answering `{ id, matrix, rows }` with the positive-class probability of each row. Kept free
 * of project imports so it runs from `dist/` and, type-stripped, from `src/` under the tests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';

interface Setup {
  bytes: Uint8Array;
  input: string;
  output: string;
}

interface Request {
  id: number;
  matrix: Float32Array;
  rows: number;
}

const setup = workerData as Setup;
const port = parentPort;
const opening = InferenceSession.create(setup.bytes, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
});

async function answer(request: Request): Promise<void> {
  try {
    const session = await opening;
    const { matrix, rows } = request;
    const input = new Tensor('float32', matrix, [rows, matrix.length / rows]);
    const outputs = await session.run({ [setup.input]: input }, [setup.output]);
    const data = outputs[setup.output]?.data;
    if (!(data instanceof Float32Array)) {
      port?.postMessage({ id: request.id, error: 'returned no float probabilities' });
      return;
    }
    const probabilities = new Float32Array(rows);
    for (let i = 0; i < rows; i++) probabilities[i] = data[i * 2 + 1] as number;
    port?.postMessage({ id: request.id, probabilities }, [probabilities.buffer]);
  } catch (error) {
    port?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
}

// One request at a time, in arrival order (the caller keeps at most a couple in flight).
let queue: Promise<void> = Promise.resolve();
port?.on('message', (request: Request) => {
  queue = queue.then(() => answer(request));
});
