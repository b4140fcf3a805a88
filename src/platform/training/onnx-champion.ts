import { type InferenceSession, Tensor } from 'onnxruntime-node';
import type { Manifest } from '../model/index.js';
import type { ChampionOptions } from './pipeline.js';

/**
 * The champion as the training gate scores it: its ONNX session run on the challenger's holdout, encoded with
 * the champion's own feature state (its manifest), giving the positive-class probability per row.
 */
export function onnxChampion(manifest: Manifest, session: InferenceSession): ChampionOptions {
  return {
    manifest,
    async predict(matrix, rows) {
      const input = new Tensor('float32', matrix, [rows, manifest.onnx.inputWidth]);
      const out = await session.run({ [manifest.onnx.input]: input }, [manifest.onnx.output]);
      const data = out[manifest.onnx.output]?.data as Float32Array;
      return Float64Array.from({ length: rows }, (_, i) => data[2 * i + 1] as number);
    },
  };
}
