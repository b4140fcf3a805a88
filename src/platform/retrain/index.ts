/** @module Retraining: the drift-driven retrain trigger, the request and its receipt, and the retrain consumer. */

export {
  createRetrainConsumer,
  type Promotion,
  RETRAIN_ACTOR,
  type RetrainConsumer,
  type RetrainConsumerOptions,
  type RetrainOutcome,
} from './consumer.js';
export { type DataSource, type LabeledBlobData, loadLabeledBlobs } from './data.js';
export { driftWindowOf } from './from-drift.js';
export * from './request.js';
export { createRetrainState, type ProcessedRecord, type RetrainState, type SentRequest } from './state.js';
export {
  createRetrainTrigger,
  type RetrainTrigger,
  type RetrainTriggerOptions,
  type TriggerDecision,
  type TriggerOutcome,
} from './trigger.js';
export * from './window.js';
