import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { key } from './table-log.js';
import type { createTableReplay } from './table-replay.js';
import { type DecisionIndexStatus, type DecisionRecord, DecisionRecordSchema } from './types.js';

export interface DecisionIndexerOptions {
  /** The decision log container (`createBlobDecisionLog`'s). */
  container: ContainerClient;
  /** The index table: the decision rows, and one checkpoint row per blob under partition `~index`. */
  table: TableClient;
  /** Writes rows idempotently (the spool's replay writer). */
  write: ReturnType<typeof createTableReplay>;
  /** Blobs of this many UTC days before today are looked at too (a writer's day may end with a tail). */
  lookbackDays: number;
  /** Most bytes read from a blob per step. */
  readBytes?: number;
  now?: () => Date;
}

export interface DecisionIndexer {
  /** Indexes everything committed so far (single-flight: joins a running round). */
  catchUp(): Promise<DecisionIndexStatus>;
  status(): DecisionIndexStatus;
}

const CHECKPOINTS = '~index';
const READ_BYTES = 8 * 1024 * 1024;
const DAY_MS = 86_400_000;

/**
 * Builds the decision log's table index from its blobs: for each blob of the last days, the bytes after its
 * checkpoint are read up to the last complete line, their records written as table rows (created only, on
 * keys derived from the record, so indexing twice or from two instances never duplicates a row), and then the
 * checkpoint is moved (conditional on its ETag). A crash between the two repeats rows, which is harmless.
 */
export function createDecisionIndexer(options: DecisionIndexerOptions): DecisionIndexer {
  const now = options.now ?? (() => new Date());
  const readBytes = options.readBytes ?? READ_BYTES;
  const state: DecisionIndexStatus = {
    pendingBytes: 0,
    indexedRecords: 0,
    unreadableLines: 0,
    unindexableRecords: 0,
  };
  const done = new Map<string, number>();
  let running: Promise<DecisionIndexStatus> | undefined;
  let queued: Promise<DecisionIndexStatus> | undefined;

  const checkpointOf = async (name: string): Promise<{ offset: number; etag?: string }> => {
    try {
      const row = await options.table.getEntity<{ offset?: number }>(CHECKPOINTS, key(name));
      return { offset: Number(row.offset ?? 0), ...(row.etag === undefined ? {} : { etag: row.etag }) };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return { offset: 0 };
      throw error;
    }
  };

  /** Moves the checkpoint and returns the ETag to move it with next (the other indexer's, if it moved it first). */
  const saveCheckpoint = async (
    name: string,
    offset: number,
    etag: string | undefined,
  ): Promise<string | undefined> => {
    const entity = { partitionKey: CHECKPOINTS, rowKey: key(name), blob: name, offset };
    try {
      const saved =
        etag === undefined
          ? await options.table.createEntity(entity)
          : await options.table.updateEntity(entity, 'Replace', { etag });
      return saved.etag;
    } catch (error) {
      // Another indexer moved it first: its rows are the same rows; the next step reads its checkpoint.
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 409 && status !== 412) throw error;
      return (await checkpointOf(name)).etag;
    }
  };

  const indexBlob = async (name: string, length: number): Promise<number> => {
    const checkpoint = await checkpointOf(name);
    let offset = checkpoint.offset;
    let etag = checkpoint.etag;
    const blob = options.container.getBlobClient(name);
    while (offset < length) {
      const bytes = await blob.downloadToBuffer(offset, Math.min(readBytes, length - offset));
      const end = bytes.lastIndexOf(0x0a);
      if (end < 0) {
        if (bytes.length < readBytes) break; // a line still being written: wait for its end
        throw new Error(`${name}: a line longer than ${readBytes} bytes at ${offset}`);
      }
      const records: DecisionRecord[] = [];
      for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
        if (line.length === 0) continue;
        let parsed: ReturnType<typeof DecisionRecordSchema.safeParse>;
        try {
          parsed = DecisionRecordSchema.safeParse(JSON.parse(line));
        } catch {
          state.unreadableLines++;
          continue;
        }
        if (parsed.success) records.push(parsed.data);
        else state.unreadableLines++;
      }
      await options.write(records, async () => {
        state.unindexableRecords++;
      });
      offset += end + 1;
      etag = await saveCheckpoint(name, offset, etag);
      state.indexedRecords += records.length;
    }
    return offset;
  };

  const round = async (): Promise<DecisionIndexStatus> => {
    let pending = 0;
    const seen = new Set<string>();
    try {
      const today = Date.parse(now().toISOString().slice(0, 10));
      for (let d = options.lookbackDays; d >= 0; d--) {
        const day = new Date(today - d * DAY_MS).toISOString().slice(0, 10);
        const blobs: { name: string; length: number }[] = [];
        for await (const item of options.container.listBlobsFlat({ prefix: `${day}/` }))
          blobs.push({ name: item.name, length: item.properties.contentLength ?? 0 });
        for (const { name, length } of blobs) {
          seen.add(name);
          if ((done.get(name) ?? -1) >= length) continue;
          const reached = await indexBlob(name, length);
          done.set(name, reached);
          pending += length - reached;
        }
      }
      state.pendingBytes = pending;
      delete state.lastError;
      for (const name of done.keys()) if (!seen.has(name)) done.delete(name);
    } catch (error) {
      const code = (error as { statusCode?: number; code?: string }).code;
      // No blob written yet: nothing to index.
      if (code !== 'ContainerNotFound')
        state.lastError = String((error as Error).message).split('\n')[0] ?? '';
    }
    state.lastRoundAt = now().toISOString();
    return { ...state };
  };

  /** A round that starts after this call: what was committed before it is indexed when it resolves. */
  const catchUp = (): Promise<DecisionIndexStatus> => {
    if (running === undefined) {
      running = round().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running.then(() => {
      queued = undefined;
      return catchUp();
    });
    return queued;
  };

  return {
    catchUp,
    status: () => ({ ...state }),
  };
}
