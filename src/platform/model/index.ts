/** @module The model manifest: the passport written beside each ONNX file. */

export { sha256Hex } from './hash.js';
export * from './manifest.js';
