import { randomBytes } from 'node:crypto';
import type { TableClient, TableEntityResult, TransactionAction } from '@azure/data-tables';
import { RiskopsError } from '../errors/index.js';
import type { ChunkCounts, ChunkPlan, ChunkState, ChunkStatus, RunState, RunSummary } from './types.js';

const RUN_ROW = 'run';
const DAY_PARTITION = 'day';
const TABLE_BATCH = 100;

type Entity = TableEntityResult<Record<string, unknown>>;

function chunkRow(chunk: number): string {
  return `chunk-${String(chunk).padStart(6, '0')}`;
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** A sortable, unique run id: `{yyyymmddThhmmssZ}-{useCase}-{date}-{hex}`. */
export function newRunId(useCase: string, date: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${useCase}-${date}-${randomBytes(3).toString('hex')}`;
}

function toRun(e: Entity): RunState {
  const run: RunState = {
    runId: String(e.partitionKey),
    useCase: String(e.useCase),
    date: String(e.date),
    status: e.status as RunState['status'],
    modelVersion: String(e.modelVersion),
    modelSha256: String(e.modelSha256),
    outputFormat: e.outputFormat as RunState['outputFormat'],
    chunks: Number(e.chunks),
    files: Number(e.files),
    plannedRecords: Number(e.plannedRecords),
    startedAt: String(e.startedAt),
    etag: e.etag,
  };
  if (typeof e.finishedAt === 'string') run.finishedAt = e.finishedAt;
  if (typeof e.summary === 'string') run.summary = JSON.parse(e.summary) as RunSummary;
  return run;
}

function toChunk(e: Entity): ChunkState {
  const chunk: ChunkState = {
    chunk: Number(e.chunk),
    file: String(e.file),
    gzip: e.gzip === true,
    format: e.format as ChunkState['format'],
    start: Number(e.start),
    end: Number(e.end),
    firstLine: Number(e.firstLine),
    plannedRecords: Number(e.plannedRecords),
    status: e.status as ChunkStatus,
    attempts: Number(e.attempts ?? 0),
    etag: e.etag,
  };
  if (typeof e.header === 'string') chunk.header = e.header;
  if (typeof e.lastError === 'string') chunk.lastError = e.lastError;
  if (typeof e.counts === 'string') chunk.counts = JSON.parse(e.counts) as ChunkCounts;
  if (typeof e.seconds === 'number') chunk.seconds = e.seconds;
  if (typeof e.doneAt === 'string') chunk.doneAt = e.doneAt;
  return chunk;
}

/**
 * The `batchruns` table: one partition per run (a `run` row and one row per chunk) and a `day` partition
 * pointing each (use case, date) at its latest run. Every state change is an ETag-conditional write.
 */
export interface RunStore {
  /** The latest run planned for a use case and date, with the ETag of the pointer. */
  latest(useCase: string, date: string): Promise<{ runId: string; etag: string } | undefined>;
  /**
   * Points (use case, date) at `runId`: creates the pointer, or replaces it only if it still has `etag`.
   * @throws RiskopsError `conflict` when another planner moved it first.
   */
  claimDay(useCase: string, date: string, runId: string, etag: string | undefined): Promise<void>;
  createRun(run: Omit<RunState, 'etag'>): Promise<void>;
  addChunks(runId: string, chunks: readonly ChunkPlan[]): Promise<void>;
  run(runId: string): Promise<RunState | undefined>;
  /** Merges fields into the run row; with `etag`, only if the row is unchanged. */
  updateRun(runId: string, fields: Partial<Omit<RunState, 'runId' | 'etag'>>, etag?: string): Promise<void>;
  runs(): Promise<RunState[]>;
  chunk(runId: string, chunk: number): Promise<ChunkState | undefined>;
  chunks(runId: string): Promise<ChunkState[]>;
  /** Sets a chunk's status and fields if it still has `etag`; false when another writer changed it first. */
  updateChunk(
    runId: string,
    chunk: number,
    etag: string,
    fields: {
      status?: ChunkStatus;
      attempts?: number;
      lastError?: string;
      counts?: ChunkCounts;
      seconds?: number;
      doneAt?: string;
    },
  ): Promise<boolean>;
}

export function createRunStore(table: TableClient): RunStore {
  let created: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    created ??= table.createTable().catch((error: unknown) => {
      created = undefined;
      throw new RiskopsError('storage_unavailable', `Cannot create table ${table.tableName}`, {
        cause: error,
      });
    });
    return created;
  };
  const get = async (pk: string, rk: string): Promise<Entity | undefined> => {
    await ready();
    try {
      return await table.getEntity<Record<string, unknown>>(pk, rk);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  };
  const serialise = (fields: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      out[k] = typeof v === 'object' && v !== null ? JSON.stringify(v) : v;
    }
    return out;
  };

  return {
    async latest(useCase, date) {
      const e = await get(DAY_PARTITION, `${useCase}|${date}`);
      return e === undefined ? undefined : { runId: String(e.runId), etag: e.etag };
    },
    async claimDay(useCase, date, runId, etag) {
      await ready();
      const entity = { partitionKey: DAY_PARTITION, rowKey: `${useCase}|${date}`, runId };
      try {
        if (etag === undefined) await table.createEntity(entity);
        else await table.updateEntity(entity, 'Replace', { etag });
      } catch (error) {
        const status = statusOf(error);
        if (status === 409 || status === 412)
          throw new RiskopsError(
            'conflict',
            `Another run of ${useCase} for ${date} was planned at the same time`,
            {
              cause: error,
            },
          );
        throw error;
      }
    },
    async createRun(run) {
      await ready();
      await table.createEntity({
        partitionKey: run.runId,
        rowKey: RUN_ROW,
        ...serialise({ ...run, runId: undefined }),
      });
    },
    async addChunks(runId, chunks) {
      await ready();
      for (let i = 0; i < chunks.length; i += TABLE_BATCH) {
        const actions: TransactionAction[] = chunks.slice(i, i + TABLE_BATCH).map((c) => [
          'upsert',
          {
            partitionKey: runId,
            rowKey: chunkRow(c.chunk),
            ...serialise({ ...c, status: 'queued', attempts: 0 }),
          },
        ]);
        await table.submitTransaction(actions);
      }
    },
    async run(runId) {
      const e = await get(runId, RUN_ROW);
      return e === undefined ? undefined : toRun(e);
    },
    async updateRun(runId, fields, etag) {
      await ready();
      await table.updateEntity(
        { partitionKey: runId, rowKey: RUN_ROW, ...serialise(fields) },
        'Merge',
        etag === undefined ? {} : { etag },
      );
    },
    async runs() {
      await ready();
      const out: RunState[] = [];
      for await (const e of table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: `RowKey eq '${RUN_ROW}'` },
      }))
        out.push(toRun(e as Entity));
      return out.sort((a, b) => (a.runId < b.runId ? 1 : -1));
    },
    async chunk(runId, chunk) {
      const e = await get(runId, chunkRow(chunk));
      return e === undefined ? undefined : toChunk(e);
    },
    async chunks(runId) {
      await ready();
      const out: ChunkState[] = [];
      const filter = `PartitionKey eq '${runId.replaceAll("'", "''")}' and RowKey ge 'chunk-' and RowKey lt 'chunk.'`;
      for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
        out.push(toChunk(e as Entity));
      return out.sort((a, b) => a.chunk - b.chunk);
    },
    async updateChunk(runId, chunk, etag, fields) {
      await ready();
      try {
        await table.updateEntity(
          { partitionKey: runId, rowKey: chunkRow(chunk), ...serialise(fields) },
          'Merge',
          {
            etag,
          },
        );
        return true;
      } catch (error) {
        if (statusOf(error) === 412) return false;
        throw error;
      }
    },
  };
}
