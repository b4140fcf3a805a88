/** @module Scoring: validate → features → ONNX → decision band, one path for HTTP and batch. */
export type {
  LoadedModel,
  ModelFallback,
  ModelProvider,
  ServedModel,
  ServingOptions,
  ServingState,
} from './ports.js';
export { type Score, scoreValidated, type ValidationOutcome, validateRecords } from './score.js';
