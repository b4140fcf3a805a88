import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppendBlobClient, ContainerClient } from '@azure/storage-blob';
import { RiskopsError } from '../errors/index.js';
import { createGroupCommit } from './group-commit.js';
import type { DecisionIndexer } from './indexer.js';
import { type DecisionLog, type DecisionQuery, type DecisionRecord, notWritten } from './types.js';

export interface BlobDecisionLogOptions {
  /** The decision log container (write-once in Azure: time-based retention with protected appends). */
  container: ContainerClient;
  /** Names this writer's blobs; unique per process (see `writerIdFor`). */
  writerId: string;
  /** A group commit not confirmed within this fails the requests that wait on it (they answer 503). */
  timeoutMs: number;
  /** The table index built from the blobs. */
  indexer: DecisionIndexer;
  /** Reads the index table (after `find` has caught it up). */
  read(query: DecisionQuery): Promise<DecisionRecord[]>;
  /** Most bytes in one append (Azure's limit for an append block is 4 MiB). */
  maxBlockBytes?: number;
  /** An append blob holds at most 50,000 blocks: a new blob is started before that. */
  maxBlocks?: number;
  now?: () => Date;
}

const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
const MAX_BLOCKS = 49_000;

/** A writer id for this process: the instance (WEBSITE_INSTANCE_ID, else the host name), pid and a nonce. */
export function writerIdFor(instance = process.env.WEBSITE_INSTANCE_ID ?? hostname()): string {
  const clean =
    instance
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 24) || 'host';
  return `${clean}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** `{YYYY-MM-DD}/{writerId}-{seq}.jsonl`: one blob per writer per UTC day of writing, numbered on rollover. */
export const decisionBlobName = (day: string, writerId: string, seq: number): string =>
  `${day}/${writerId}-${String(seq).padStart(4, '0')}.jsonl`;

interface Current {
  day: string;
  seq: number;
  blob: AppendBlobClient;
  /** Bytes known to be in the blob: the append position of the next block. */
  offset: number;
  blocks: number;
}

const statusOf = (error: unknown): number | undefined =>
  (error as { statusCode?: number } | null)?.statusCode;

/** Splits JSON lines into pieces of at most `max` bytes, never inside a line (a longer line goes alone). */
function pieces(lines: readonly string[], max: number): Buffer[] {
  const out: Buffer[] = [];
  let part: string[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line);
    if (part.length > 0 && size + bytes > max) {
      out.push(Buffer.from(part.join('')));
      part = [];
      size = 0;
    }
    part.push(line);
    size += bytes;
  }
  if (part.length > 0) out.push(Buffer.from(part.join('')));
  return out;
}

/**
 * The decision log committed to append blobs: concurrent requests are grouped, and one group is one append of
 * JSON lines to this writer's blob of the day, so under load a whole group costs one storage round trip. Each
 * append is conditional on the append position, so a retried or doubtful append is never written twice: after
 * an error the blob's length tells whether the block landed (its bytes are compared). When that cannot be
 * told, the writer moves on to a new blob, and the records' caller sees the failure (the spool journals them;
 * replay may then repeat a record in a later blob, which the index and readers key by request id, index and
 * role). In Azure the container is write-once (time-based retention with protected appends), so these blobs
 * are the immutable daily copy of the log; the table is an index built from them (`createDecisionIndexer`).
 */
export function createBlobDecisionLog(options: BlobDecisionLogOptions): DecisionLog {
  const now = options.now ?? (() => new Date());
  const maxBlockBytes = options.maxBlockBytes ?? MAX_BLOCK_BYTES;
  const maxBlocks = options.maxBlocks ?? MAX_BLOCKS;
  let current: Current | undefined;
  let nextSeq = 0;
  let containerReady: Promise<unknown> | undefined;

  const ensureContainer = (): Promise<unknown> => {
    containerReady ??= options.container.createIfNotExists().catch((error: unknown) => {
      containerReady = undefined;
      throw error;
    });
    return containerReady;
  };

  /** This writer's blob for `day`, created (or, after a restart with the same id, measured) on first use. */
  const open = async (day: string): Promise<Current> => {
    if (current !== undefined && current.day === day && current.blocks < maxBlocks) return current;
    const seq = current !== undefined && current.day === day ? current.seq + 1 : nextSeq;
    nextSeq = 0;
    current = undefined;
    await ensureContainer();
    const blob = options.container.getAppendBlobClient(decisionBlobName(day, options.writerId, seq));
    let offset = 0;
    let blocks = 0;
    try {
      await blob.create({ conditions: { ifNoneMatch: '*' } });
    } catch (error) {
      if (statusOf(error) === 404) containerReady = undefined;
      if (statusOf(error) !== 409) throw error;
      const properties = await blob.getProperties();
      offset = properties.contentLength ?? 0;
      blocks = properties.blobCommittedBlockCount ?? 0;
    }
    current = { day, seq, blob, offset, blocks };
    return current;
  };

  /** Whether `piece` is in the blob right at `at` (asked after an append whose outcome is unknown). */
  const landed = async (target: Current, at: number, piece: Buffer): Promise<boolean> => {
    const properties = await target.blob.getProperties();
    const length = properties.contentLength ?? 0;
    if (length === at) return false;
    if (length !== at + piece.length) throw new Error(`blob length ${length}, expected ${at} or more`);
    const there = await target.blob.downloadToBuffer(at, piece.length);
    if (!there.equals(piece)) throw new Error('the blob holds other bytes at this position');
    return true;
  };

  const appendPiece = async (target: Current, piece: Buffer): Promise<void> => {
    const at = target.offset;
    try {
      await target.blob.appendBlock(piece, piece.length, { conditions: { appendPosition: at } });
    } catch (error) {
      let ok = false;
      try {
        ok = await landed(target, at, piece);
      } catch {
        // Unknown: continue in a new blob, so this one is never appended at a guessed position.
        if (current === target) {
          current = undefined;
          nextSeq = target.seq + 1;
        }
      }
      if (!ok) throw error;
    }
    target.offset = at + piece.length;
    target.blocks++;
  };

  const write = async (records: DecisionRecord[]): Promise<void> => {
    try {
      const day = now().toISOString().slice(0, 10);
      const lines = records.map((r) => `${JSON.stringify(r)}\n`);
      for (const piece of pieces(lines, maxBlockBytes)) await appendPiece(await open(day), piece);
    } catch (error) {
      throw notWritten(error);
    }
  };

  // One writer, one blob: appends are serial (each needs the last one's position); arrivals meanwhile group.
  const commit = createGroupCommit(write, {
    maxItems: 2000,
    maxConcurrent: 1,
    timeoutMs: options.timeoutMs,
  });

  return {
    append: (records) => commit.add(records),
    /** Read-your-writes: the index is first brought up to date with everything committed before the call. */
    async find(query) {
      const status = await options.indexer.catchUp();
      if (status.lastError !== undefined)
        throw new RiskopsError(
          'storage_unavailable',
          `The decision index cannot be brought up to date: ${status.lastError}`,
        );
      return options.read(query);
    },
    index: () => options.indexer.catchUp(),
    indexStatus: () => options.indexer.status(),
    close: () => commit.idle(),
  };
}
