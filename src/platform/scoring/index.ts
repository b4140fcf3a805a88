/** @module Scoring: validate → features → ONNX → decision band → reasons → decision log, one path for HTTP and batch. */
export { type ChallengerLookup, createChallengerCache } from './challenger.js';
export {
  canaryPoint,
  createDecisionEngine,
  type DecideRequest,
  type Decision,
  type DecisionEngine,
  type DecisionEngineOptions,
} from './decide.js';
export type {
  LoadedModel,
  ModelFallback,
  ModelProvider,
  ScoreObservation,
  ServedModel,
  ServingOptions,
  ServingState,
} from './ports.js';
export {
  BatchScoreResponseSchema,
  DecisionSchema,
  MAX_SCORE_RECORDS,
  SingleScoreResponseSchema,
} from './response.js';
export {
  encodeRecords,
  runModel,
  type Score,
  scoreValidated,
  toScores,
  type ValidationOutcome,
  validateRecords,
} from './score.js';
