/** @module Batch and event scoring: nightly plan, chunk fan-out through a queue, exactly-once outputs and run summaries. */
export { chunkBytes, scoreChunkRows } from './chunk.js';
export { createEventScorer, EventMessageSchema, type EventOutcome, type EventResult } from './events.js';
export { completeRun, type RunCompletion, summarise } from './finish.js';
export { DEFAULT_SCORE_ROWS, type ScoreFileOptions, scoreFile } from './local.js';
export { createOnnxOffload, type ModelRunner, type OnnxOffload } from './onnx-offload.js';
export {
  FAILED_FILE,
  inputPrefix,
  outputPath,
  rejectsPath,
  runPrefix,
  SUCCESS_FILE,
  utcDate,
} from './paths.js';
export { batchesOf, scoreBatches } from './pipeline.js';
export { listInputs, planChunks } from './plan.js';
export {
  type BatchScorer,
  createBatchScorer,
  createRowScorer,
  csvHeader,
  keyColumns,
  outputColumns,
  type RejectRow,
  SCORE_COLUMNS,
} from './rows.js';
export { createRunStore, newRunId, type RunStore } from './runs.js';
export { seedInputs } from './seed.js';
export {
  type BatchService,
  type BatchServiceOptions,
  type ChunkOutcome,
  createBatchService,
  type PlanResult,
  type RunProgress,
} from './service.js';
export { addStages, type ChunkStage, type ChunkStages, emptyStages } from './stages.js';
export type {
  ChunkCounts,
  ChunkMessage,
  ChunkPlan,
  ChunkState,
  OutputFormat,
  RunState,
  RunStatus,
  RunSummary,
  ScoredBatch,
  ScoreObserver,
} from './types.js';
