import { InferenceSession, Tensor } from 'onnxruntime-node';
import { MODEL_INPUT, MODEL_PROBABILITIES } from '../../src/platform/model/index.js';

/** Runs ONNX bytes on a row-major float32 matrix; returns the [N, 2] probabilities and the labels. */
export async function runOnnx(
  bytes: Uint8Array,
  X: Float32Array,
  rows: number,
  cols: number,
): Promise<{ probabilities: Float32Array; labels: BigInt64Array }> {
  const session = await InferenceSession.create(bytes);
  try {
    const outputs = await session.run({ [MODEL_INPUT]: new Tensor('float32', X, [rows, cols]) });
    const probabilities = outputs[MODEL_PROBABILITIES]?.data;
    const labels = outputs.label?.data;
    if (!(probabilities instanceof Float32Array) || !(labels instanceof BigInt64Array))
      throw new Error('model returned unexpected outputs');
    return { probabilities, labels };
  } finally {
    await session.release();
  }
}

/** Column 1 of [N, 2] probabilities. */
export function positiveColumn(probabilities: Float32Array): Float64Array {
  const out = new Float64Array(probabilities.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = probabilities[2 * i + 1] as number;
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}
