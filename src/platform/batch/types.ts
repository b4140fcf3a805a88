import { z } from 'zod';
import type { InputColumns } from '../features/index.js';
import type { LoadedModel } from '../scoring/index.js';
import type { AnyUseCase } from '../use-case/index.js';

export const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** The one message per chunk on `score-chunks`: everything else is in the runs table. */
export const ChunkMessageSchema = z.object({
  runId: z.string().min(1).max(200),
  chunk: z.number().int().min(0),
});
export type ChunkMessage = z.infer<typeof ChunkMessageSchema>;

export type OutputFormat = 'jsonl' | 'csv';
export type RunStatus = 'planning' | 'running' | 'succeeded' | 'failed';
export type ChunkStatus = 'queued' | 'done' | 'poisoned';

/** Where one chunk's rows are: a record-aligned byte range of one decoded input file. */
export interface ChunkPlan {
  chunk: number;
  file: string;
  gzip: boolean;
  format: 'csv' | 'jsonl';
  /** CSV header text, prepended when the range is read on its own. */
  header?: string;
  start: number;
  end: number;
  firstLine: number;
  /** Records the planning scan counted (the chunk's own count is authoritative). */
  plannedRecords: number;
}

export interface ChunkCounts {
  rows: number;
  scored: number;
  rejected: number;
  bands: Record<string, number>;
}

export interface ChunkState extends ChunkPlan {
  status: ChunkStatus;
  attempts: number;
  lastError?: string;
  counts?: ChunkCounts;
  seconds?: number;
  doneAt?: string;
  etag: string;
}

export interface RunState {
  runId: string;
  useCase: string;
  date: string;
  status: RunStatus;
  modelVersion: string;
  modelSha256: string;
  outputFormat: OutputFormat;
  chunks: number;
  files: number;
  plannedRecords: number;
  startedAt: string;
  finishedAt?: string;
  summary?: RunSummary;
  etag: string;
}

/** What `_SUCCESS.json` (or `_FAILED.json`) holds, and what a finished run reports. */
export interface RunSummary {
  runId: string;
  useCase: string;
  date: string;
  status: 'succeeded' | 'failed';
  /** Why a failed run failed. */
  reason?: string;
  modelVersion: string;
  modelSha256: string;
  rows: { input: number; scored: number; rejected: number };
  rejectedShare: number;
  maxRejectedShare: number;
  bands: Record<string, number>;
  chunks: number;
  files: number;
  outputs: string;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  rowsPerSecond: number;
}

/** One scored batch, for observers such as drift counting. */
export interface ScoredBatch {
  useCase: AnyUseCase;
  model: LoadedModel;
  records: readonly Record<string, unknown>[];
  probabilities: ArrayLike<number>;
  /** The records' raw feature-input values, kept while encoding them (see `encodeRecords`); drift reads them. */
  inputs?: InputColumns;
  /** Stable name of this batch across redeliveries of its chunk (drift replaces that writer's counts). */
  writer?: string;
  /** The UTC day the rows belong to (a batch run's date); unset: the day they were scored. */
  date?: string;
}

/** Called once per scored batch (batch chunks and event messages), e.g. to count drift bins. */
export type ScoreObserver = (batch: ScoredBatch) => void | Promise<void>;
