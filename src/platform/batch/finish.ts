import type { ContainerClient } from '@azure/storage-blob';
import { readJsonBlob } from './blobs.js';
import { FAILED_FILE, runPrefix, SUCCESS_FILE } from './paths.js';
import { addCounts, emptyCounts } from './rows.js';
import type { RunStore } from './runs.js';
import type { ChunkState, RunState, RunSummary } from './types.js';

export interface RunCompletion {
  summary: RunSummary;
  /** True for the one caller that wrote the marker file; every other caller read it. */
  wrote: boolean;
}

export interface CompleteRunOptions {
  store: RunStore;
  outputs: ContainerClient;
  maxRejectedShare: number;
  now?: () => Date;
  /** Told once, by the caller that finished the run (telemetry hooks in here). */
  onFinished?: (summary: RunSummary) => void | Promise<void>;
}

/** The run's totals from its chunks. */
export function summarise(
  run: RunState,
  chunks: readonly ChunkState[],
  maxRejectedShare: number,
  finishedAt: Date,
): RunSummary {
  const totals = emptyCounts();
  for (const c of chunks) if (c.counts !== undefined) addCounts(totals, c.counts);
  const rejectedShare = totals.rows === 0 ? 0 : totals.rejected / totals.rows;
  const seconds = Math.max((finishedAt.getTime() - Date.parse(run.startedAt)) / 1000, 0.001);
  const failed = rejectedShare > maxRejectedShare;
  const summary: RunSummary = {
    runId: run.runId,
    useCase: run.useCase,
    date: run.date,
    status: failed ? 'failed' : 'succeeded',
    modelVersion: run.modelVersion,
    modelSha256: run.modelSha256,
    rows: { input: totals.rows, scored: totals.scored, rejected: totals.rejected },
    rejectedShare,
    maxRejectedShare,
    bands: totals.bands,
    chunks: run.chunks,
    files: run.files,
    outputs: runPrefix(run.useCase, run.date, run.runId),
    startedAt: run.startedAt,
    finishedAt: finishedAt.toISOString(),
    seconds,
    rowsPerSecond: Math.round(totals.rows / seconds),
  };
  if (failed)
    summary.reason = `${totals.rejected} of ${totals.rows} rows rejected (${(rejectedShare * 100).toFixed(2)}%), above the ${(maxRejectedShare * 100).toFixed(2)}% threshold`;
  return summary;
}

/**
 * Completes a run whose chunks are all done: the one place a run ends. Writes `_SUCCESS.json` (or
 * `_FAILED.json` when the rejected share exceeds the threshold) with a conditional create, so of two chunks
 * finishing together exactly one writes it and the other reads it back; then records the summary on the
 * run row (idempotent, so a finisher that died after writing the marker is completed by its retry).
 */
export async function completeRun(
  run: RunState,
  chunks: readonly ChunkState[],
  options: CompleteRunOptions,
): Promise<RunCompletion> {
  const computed = summarise(run, chunks, options.maxRejectedShare, (options.now ?? (() => new Date()))());
  const prefix = runPrefix(run.useCase, run.date, run.runId);
  const marker = `${prefix}${computed.status === 'succeeded' ? SUCCESS_FILE : FAILED_FILE}`;
  const text = `${JSON.stringify(computed, null, 2)}\n`;
  let summary = computed;
  let wrote = true;
  try {
    await options.outputs.getBlockBlobClient(marker).upload(text, Buffer.byteLength(text), {
      conditions: { ifNoneMatch: '*' },
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 409 && status !== 412) throw error;
    wrote = false;
    summary = (await readJsonBlob<RunSummary>(options.outputs, marker)) ?? computed;
  }
  await options.store.updateRun(run.runId, {
    status: summary.status,
    finishedAt: summary.finishedAt,
    summary,
  });
  if (wrote) await options.onFinished?.(summary);
  return { summary, wrote };
}
