import type { InvocationContext } from '@azure/functions';
import type { Settings } from '../config/index.js';
import { RiskopsError } from '../errors/index.js';
import type { ModelProvider } from '../scoring/index.js';
import type { StorageClients } from '../storage/index.js';
import { type AnyUseCase, findUseCase } from '../use-case/index.js';
import { scoreChunkRows } from './chunk.js';
import { createEventScorer, type EventOutcome } from './events.js';
import { completeRun, type RunCompletion } from './finish.js';
import { createOnnxOffload } from './onnx-offload.js';
import { listInputs, planChunks } from './plan.js';
import { createRunStore, newRunId, type RunStore } from './runs.js';
import { type ChunkStages, createStageClock } from './stages.js';
import {
  type ChunkMessage,
  ChunkMessageSchema,
  type ChunkState,
  type OutputFormat,
  type RunState,
  type RunSummary,
  type ScoreObserver,
} from './types.js';

/**
 * Two deliveries of one chunk can write its outputs at the same time (a visibility timeout ran out while the
 * first was still working). Block blob commits then race: the loser's staged blocks were discarded by the
 * winner's commit, and Storage answers `InvalidBlockList`. The outputs are deterministic, so the loser writes
 * them again (overwriting identical bytes) instead of failing the delivery.
 */
async function committedDespiteRaces<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const code = (error as { code?: string; details?: { errorCode?: string } }).code;
      const raced = code === 'InvalidBlockList' || /block list is invalid/i.test(String(error));
      if (!raced || attempt >= attempts) throw error;
    }
  }
}

export interface BatchServiceOptions {
  settings: Settings;
  storage: StorageClients;
  useCases: readonly AnyUseCase[];
  models: ModelProvider;
  /** Called once per scored batch (drift counting plugs in here). */
  observe?: ScoreObserver;
  /** Told once per finished run, by the chunk that finished it (telemetry plugs in here). */
  onRunFinished?: (summary: RunSummary) => void | Promise<void>;
  /** Deliveries after which the host poisons a chunk message (host.json `maxDequeueCount`). Default 5. */
  maxDequeueCount?: number;
  now?: () => Date;
}

export interface PlanResult {
  /** False when the date already had a run (complete or still running) and the plan was not forced. */
  planned: boolean;
  run: RunState;
  skippedFiles: string[];
  summary?: RunSummary;
  /** Seconds spent listing and scanning the inputs into chunks, writing the runs table, and enqueueing. */
  stages?: { scan: number; runsTable: number; enqueue: number };
}

export interface ChunkOutcome {
  runId: string;
  chunk: number;
  /** False when the chunk was already done (a duplicate delivery). */
  scored: boolean;
  completion?: RunCompletion;
  /** Where this delivery's time went, in seconds (benchmarks sum them; see `ChunkStages`). */
  stages: ChunkStages;
}

export interface RunProgress {
  run: RunState;
  chunks: ChunkState[];
  done: number;
  poisoned: number[];
  rowsDone: number;
  rowsPerSecond: number;
  etaSeconds: number | undefined;
}

export interface BatchService {
  readonly store: RunStore;
  /** Plans one use case's day: pins the champion, splits the files into chunks, enqueues one message per chunk. */
  plan(useCase: string, date: string, options?: { force?: boolean }): Promise<PlanResult>;
  /** Scores one chunk message; completes the run when it was the last chunk. */
  scoreChunk(message: unknown): Promise<ChunkOutcome>;
  /** Records a failed delivery on the chunk (poisoned once deliveries reach maxDequeueCount). */
  chunkFailed(message: unknown, context: InvocationContext | undefined, error: unknown): Promise<void>;
  /** Re-enqueues every chunk of a run that is not done and clears the run's poison messages. */
  retry(runId: string): Promise<number[]>;
  progress(runId: string): Promise<RunProgress>;
  runs(): Promise<RunState[]>;
  /** Scores one `score-requests` message (see `createEventScorer`). */
  scoreEvent(message: unknown, messageId: string): Promise<EventOutcome>;
  /** Ensures the queue, containers and table exist. */
  ensure(): Promise<void>;
  /** Stops the onnxruntime worker threads (`RISKOPS_BATCH_ONNX_WORKER`). */
  close(): Promise<void>;
}

function parseChunkMessage(message: unknown): ChunkMessage {
  const value = typeof message === 'string' ? (JSON.parse(message) as unknown) : message;
  const result = ChunkMessageSchema.safeParse(value);
  if (!result.success)
    throw new RiskopsError(
      'invalid_input',
      `Not a chunk message: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return result.data;
}

function encode(message: ChunkMessage): string {
  return Buffer.from(JSON.stringify(message)).toString('base64');
}

export function createBatchService(options: BatchServiceOptions): BatchService {
  const { settings, storage, useCases, models } = options;
  const now = options.now ?? (() => new Date());
  const store = createRunStore(storage.table(settings.RISKOPS_BATCH_RUNS_TABLE));
  const inputs = storage.container(settings.RISKOPS_BATCH_INPUT_CONTAINER);
  const outputs = storage.container(settings.RISKOPS_BATCH_OUTPUT_CONTAINER);
  const queue = storage.queue(settings.RISKOPS_BATCH_CHUNK_QUEUE);
  const poison = storage.queue(`${settings.RISKOPS_BATCH_CHUNK_QUEUE}-poison`);
  const maxDequeueCount = options.maxDequeueCount ?? 5;
  const offload = settings.RISKOPS_BATCH_ONNX_WORKER ? createOnnxOffload() : undefined;
  let ensured: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    ensured ??= Promise.all([
      inputs.createIfNotExists(),
      outputs.createIfNotExists(),
      queue.createIfNotExists(),
    ]).then(
      () => undefined,
      (error: unknown) => {
        ensured = undefined;
        throw error;
      },
    );
    return ensured;
  };
  const useCaseOf = (name: string): AnyUseCase => findUseCase(useCases, name);
  const finishOptions = {
    store,
    outputs,
    maxRejectedShare: settings.RISKOPS_BATCH_MAX_REJECTED_SHARE,
    now,
    ...(options.onRunFinished === undefined ? {} : { onFinished: options.onRunFinished }),
  };
  const scoreEvent = createEventScorer({
    useCases,
    models,
    outputs,
    results: storage.queue(settings.RISKOPS_EVENTS_RESULTS_QUEUE),
    poison: storage.queue(`${settings.RISKOPS_EVENTS_QUEUE}-poison`),
    queueName: settings.RISKOPS_EVENTS_QUEUE,
    observe: options.observe,
    now,
  });
  const maybeComplete = async (runId: string): Promise<RunCompletion | undefined> => {
    const run = await store.run(runId);
    if (run === undefined || run.status === 'planning') return undefined;
    const chunks = await store.chunks(runId);
    if (chunks.length < run.chunks || chunks.some((c) => c.status !== 'done')) return undefined;
    return completeRun(run, chunks, finishOptions);
  };
  const enqueue = async (runId: string, chunks: readonly number[]): Promise<void> => {
    for (let i = 0; i < chunks.length; i += 16) {
      await Promise.all(chunks.slice(i, i + 16).map((chunk) => queue.sendMessage(encode({ runId, chunk }))));
    }
  };

  return {
    store,
    ensure,
    async plan(name, date, planOptions = {}) {
      const useCase = useCaseOf(name);
      await ensure();
      const latest = await store.latest(name, date);
      if (latest !== undefined && planOptions.force !== true) {
        const existing = await store.run(latest.runId);
        if (existing !== undefined && existing.status !== 'failed') {
          const result: PlanResult = { planned: false, run: existing, skippedFiles: [] };
          if (existing.summary !== undefined) result.summary = existing.summary;
          return result;
        }
      }
      const model = await models.get(name);
      const t0 = performance.now();
      const { files, skipped } = await listInputs(inputs, name, date);
      const chunks = await planChunks(inputs, files, settings.RISKOPS_BATCH_CHUNK_ROWS);
      const t1 = performance.now();
      const startedAt = now();
      const runId = newRunId(name, date, startedAt);
      await store.claimDay(name, date, runId, latest?.etag);
      const run: Omit<RunState, 'etag'> = {
        runId,
        useCase: useCase.name,
        date,
        status: 'planning',
        modelVersion: model.version,
        modelSha256: model.sha256,
        outputFormat: settings.RISKOPS_BATCH_OUTPUT_FORMAT as OutputFormat,
        chunks: chunks.length,
        files: files.length,
        plannedRecords: chunks.reduce((n, c) => n + c.plannedRecords, 0),
        startedAt: startedAt.toISOString(),
      };
      await store.createRun(run);
      await store.addChunks(runId, chunks);
      await store.updateRun(runId, { status: 'running' });
      const t2 = performance.now();
      await enqueue(
        runId,
        chunks.map((c) => c.chunk),
      );
      const result: PlanResult = {
        planned: true,
        run: { ...run, status: 'running', etag: '' },
        skippedFiles: skipped,
        stages: {
          scan: (t1 - t0) / 1000,
          runsTable: (t2 - t1) / 1000,
          enqueue: (performance.now() - t2) / 1000,
        },
      };
      if (chunks.length === 0) {
        const completion = await maybeComplete(runId);
        if (completion !== undefined) {
          result.summary = completion.summary;
          result.run.status = completion.summary.status;
        }
      }
      return result;
    },

    async scoreChunk(message) {
      const { runId, chunk: n } = parseChunkMessage(message);
      const clock = createStageClock();
      const run = await clock.time('runsTable', () => store.run(runId));
      if (run === undefined) throw new RiskopsError('not_found', `Run ${runId} does not exist`);
      const chunk = await clock.time('runsTable', () => store.chunk(runId, n));
      if (chunk === undefined) throw new RiskopsError('not_found', `Run ${runId} has no chunk ${n}`);
      let scored = false;
      if (chunk.status !== 'done') {
        await ensure();
        const useCase = useCaseOf(run.useCase);
        const model = await models.get(run.useCase, { version: run.modelVersion });
        const started = performance.now();
        const counts = await committedDespiteRaces(() =>
          scoreChunkRows({
            useCase,
            model,
            run,
            chunk,
            inputs,
            outputs,
            scoreRows: settings.RISKOPS_BATCH_SCORE_ROWS,
            onnx: offload?.runner(model),
            observe: options.observe,
            clock,
          }),
        );
        const fields = {
          status: 'done' as const,
          counts,
          seconds: (performance.now() - started) / 1000,
          doneAt: now().toISOString(),
        };
        let etag = chunk.etag;
        const updated = performance.now();
        for (let attempt = 0; attempt < 5 && !(await store.updateChunk(runId, n, etag, fields)); attempt++) {
          const current = await store.chunk(runId, n);
          if (current === undefined || current.status === 'done') break;
          etag = current.etag;
        }
        clock.charge('runsTable', performance.now() - updated);
        scored = true;
      }
      const outcome: ChunkOutcome = { runId, chunk: n, scored, stages: clock.seconds };
      const completion = await clock.time('finish', () => maybeComplete(runId));
      if (completion !== undefined) outcome.completion = completion;
      return outcome;
    },

    async chunkFailed(message, context, error) {
      let parsed: ChunkMessage;
      try {
        parsed = parseChunkMessage(message);
      } catch {
        return;
      }
      const chunk = await store.chunk(parsed.runId, parsed.chunk);
      if (chunk === undefined || chunk.status === 'done') return;
      const deliveries = Number(
        (context?.triggerMetadata as { dequeueCount?: unknown } | undefined)?.dequeueCount ??
          chunk.attempts + 1,
      );
      const reason = error instanceof Error ? error.message : String(error);
      await store.updateChunk(parsed.runId, parsed.chunk, chunk.etag, {
        attempts: deliveries,
        lastError: reason.slice(0, 2000),
        status: deliveries >= maxDequeueCount ? 'poisoned' : 'queued',
      });
    },

    async retry(runId) {
      const run = await store.run(runId);
      if (run === undefined) throw new RiskopsError('not_found', `Run ${runId} does not exist`);
      await ensure();
      // Take the run's messages out of the poison queue first, so a retried chunk is not also left there.
      if (await poison.exists()) {
        for (let round = 0; round < 100; round++) {
          const { receivedMessageItems: items } = await poison.receiveMessages({
            numberOfMessages: 32,
            visibilityTimeout: 30,
          });
          if (items.length === 0) break;
          for (const item of items) {
            let mine = false;
            try {
              mine =
                parseChunkMessage(Buffer.from(item.messageText, 'base64').toString('utf8')).runId === runId;
            } catch {
              mine = false;
            }
            if (mine) await poison.deleteMessage(item.messageId, item.popReceipt);
            else await poison.updateMessage(item.messageId, item.popReceipt, undefined, 0);
          }
          if (items.every((i) => i.dequeueCount > 1)) break;
        }
      }
      const pending = (await store.chunks(runId)).filter((c) => c.status !== 'done');
      for (const c of pending)
        await store.updateChunk(runId, c.chunk, c.etag, { status: 'queued', attempts: 0 });
      await enqueue(
        runId,
        pending.map((c) => c.chunk),
      );
      if (pending.length === 0) await maybeComplete(runId);
      return pending.map((c) => c.chunk);
    },

    async progress(runId) {
      const run = await store.run(runId);
      if (run === undefined) throw new RiskopsError('not_found', `Run ${runId} does not exist`);
      const chunks = await store.chunks(runId);
      const done = chunks.filter((c) => c.status === 'done');
      const rowsDone = done.reduce((n, c) => n + (c.counts?.rows ?? 0), 0);
      const end = run.finishedAt === undefined ? now().getTime() : Date.parse(run.finishedAt);
      const seconds = Math.max((end - Date.parse(run.startedAt)) / 1000, 0.001);
      const rowsPerSecond = rowsDone / seconds;
      const remaining = chunks.filter((c) => c.status !== 'done').reduce((n, c) => n + c.plannedRecords, 0);
      return {
        run,
        chunks,
        done: done.length,
        poisoned: chunks.filter((c) => c.status === 'poisoned').map((c) => c.chunk),
        rowsDone,
        rowsPerSecond,
        etaSeconds: remaining === 0 ? 0 : rowsPerSecond > 0 ? remaining / rowsPerSecond : undefined,
      };
    },

    runs: () => store.runs(),
    scoreEvent: (message, messageId) => scoreEvent(message, messageId),
    close: async () => offload?.close(),
  };
}
