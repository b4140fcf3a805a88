/** @module The model manifest: the passport written beside each ONNX file. */
export * from './manifest.js';
