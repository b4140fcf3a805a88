/**
 * Worker-thread entry of `createOnnxOffload`: one onnxruntime session over the model bytes it was started
 * with (the same single-threaded options serving uses), running the encoded matrices posted to it. A batch
 * consumer posts a batch here and parses and validates the next one meanwhile, so a chunk uses two cores and
 * its event loop is never blocked by a long `run()`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Tensor } from 'onnxruntime-node';
import { isRiskopsError, RiskopsError } from '../errors/index.js';
import { openSession } from '../registry/contract.js';
import type { OffloadReply, OffloadRequest, OffloadWorkerData } from './onnx-protocol.js';

const port = parentPort;
if (port === null) throw new Error('onnx-worker.js runs as a worker thread only');
const { bytes, label, input, output } = workerData as OffloadWorkerData;

const reply = (message: OffloadReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const failure = (id: number, error: unknown): OffloadReply => ({
  id,
  error: {
    code: isRiskopsError(error) ? error.code : 'internal',
    message: error instanceof Error ? error.message : String(error),
  },
});

try {
  const session = await openSession(bytes, label);
  port.on('message', async ({ id, matrix, rows }: OffloadRequest) => {
    try {
      const outputs = await session.run(
        { [input]: new Tensor('float32', matrix, [rows, matrix.length / rows]) },
        [output],
      );
      const data = outputs[output]?.data;
      if (!(data instanceof Float32Array) || data.length < rows * 2) {
        reply(
          failure(id, new RiskopsError('contract_violation', `${label} returned no float probabilities`)),
        );
        return;
      }
      // The positive class of each row, in a buffer of its own so that it can be moved, not copied.
      const probabilities = new Float32Array(rows);
      for (let i = 0; i < rows; i++) probabilities[i] = data[i * 2 + 1] as number;
      reply({ id, probabilities }, [probabilities.buffer]);
    } catch (error) {
      reply(failure(id, error));
    }
  });
  reply({ id: -1, ready: true });
} catch (error) {
  reply(failure(-1, error));
}
