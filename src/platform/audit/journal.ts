import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { RiskopsError } from '../errors/index.js';
import { processAlive } from '../storage/index.js';
import { createGroupCommit } from './group-commit.js';
import { type DecisionRecord, DecisionRecordSchema } from './types.js';

/**
 * The spool's write-ahead journal: decision records as JSON lines in segment files under `dir`, group-committed
 * and fsync'd before `append` resolves. Segment names are `{pid}-{instance}-{seq}.jsonl`: the writing process
 * and spool instance own them; a segment whose owner is gone (a crashed or recycled process) is an orphan any
 * instance may claim (by an atomic rename) and replay. Segments are only deleted after they were replayed.
 */
export interface Journal {
  /** @throws RiskopsError `storage_unavailable` when the records could not be made durable on disk. */
  append(records: readonly DecisionRecord[]): Promise<void>;
  /** Closes the segment being written (if it holds records) so it can be replayed; appends go to a new one. */
  seal(): Promise<void>;
  /** Takes over the segments of owners that are gone. Returns how many records they hold. */
  claimOrphans(): Promise<number>;
  /** Sealed segments, oldest first. */
  sealed(): string[];
  read(segment: string): Promise<DecisionRecord[]>;
  /** Removes a replayed segment. */
  remove(segment: string): Promise<void>;
  /** Moves an unreadable segment aside (`.corrupt`, kept for a person to look at) so replay can go on. */
  quarantine(segment: string): Promise<void>;
  /** Keeps a record the table refuses for good, for a person to look at (never silently dropped). */
  reject(record: DecisionRecord, reason: string): Promise<void>;
  /** Records written and not yet removed (active + sealed segments). */
  pendingRecords(): number;
  close(): Promise<void>;
}

export interface JournalOptions {
  dir: string;
  /** Appends fail (503) rather than let the journal grow past this. */
  maxBytes: number;
  /**
   * Segment size. Segments are preallocated (zero-filled and synced before use, the next one prepared in the
   * background once the current one is half full), so an fsync after an append flushes data only, not file-size
   * metadata. Default 1 MiB.
   */
  segmentBytes?: number;
  /** A disk write not done within this fails its callers. */
  timeoutMs: number;
}

/** Instances alive in this process: a segment named by this pid but another live instance is not an orphan. */
const liveInstances = new Set<string>();

const SEGMENT = /^(\d+)-([0-9a-f]+)-(\d+)\.jsonl$/;

/** The written part of a segment: a preallocated segment left by a crash ends in zeros (JSON never holds NUL). */
function written(text: string): string {
  const end = text.indexOf('\0');
  return end === -1 ? text : text.slice(0, end);
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export async function openJournal(options: JournalOptions): Promise<Journal> {
  const { dir } = options;
  const segmentBytes = options.segmentBytes ?? 1024 * 1024;
  await mkdir(dir, { recursive: true });
  const instance = randomBytes(4).toString('hex');
  liveInstances.add(instance);
  const prefix = `${process.pid}-${instance}-`;
  let seq = 0;
  interface Segment {
    name: string;
    handle: FileHandle;
    bytes: number;
    records: number;
  }
  let active: Segment | undefined;
  let standby: Promise<Segment> | undefined;
  /** name → records and bytes written, oldest first. */
  const sealedSegments = new Map<string, { records: number; bytes: number }>();
  let totalBytes = 0;
  let pending = 0;
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = lock.then(work, work);
    lock = run.catch(() => undefined);
    return run;
  };
  const nextName = (): string => `${prefix}${String(++seq).padStart(8, '0')}.jsonl`;

  /** Makes a new directory entry durable (the file's own fsync does not cover its name). */
  const syncDir = async (): Promise<void> => {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  };

  const prepare = async (): Promise<Segment> => {
    const name = nextName();
    const handle = await open(join(dir, name), 'w+');
    try {
      const zeros = Buffer.alloc(Math.min(segmentBytes, 1024 * 1024));
      for (let at = 0; at < segmentBytes; at += zeros.length)
        await handle.write(zeros, 0, Math.min(zeros.length, segmentBytes - at), at);
      await handle.sync();
      await syncDir();
    } catch (error) {
      await handle.close();
      await unlink(join(dir, name)).catch(() => undefined);
      throw error;
    }
    return { name, handle, bytes: 0, records: 0 };
  };
  /** The prepared segment, or a new one. */
  const take = (): Promise<Segment> => {
    const ready = standby ?? prepare();
    standby = undefined;
    return ready;
  };
  /** Prepares the next segment off the write path, once the current one is half full. */
  const prepareNext = (): void => {
    if (standby !== undefined || active === undefined || active.bytes < segmentBytes / 2) return;
    const next = prepare();
    next.catch(() => undefined);
    standby = next;
  };

  const sealActive = async (): Promise<void> => {
    if (active === undefined) return;
    const closing = active;
    active = undefined;
    await closing.handle.truncate(closing.bytes);
    await closing.handle.close();
    if (closing.records > 0)
      sealedSegments.set(closing.name, { records: closing.records, bytes: closing.bytes });
    else await unlink(join(dir, closing.name)).catch(() => undefined);
  };

  const write = (records: DecisionRecord[]): Promise<void> =>
    exclusive(async () => {
      const data = Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      if (totalBytes + data.length > options.maxBytes)
        throw new RiskopsError(
          'storage_unavailable',
          `The decision log spool is full (${options.maxBytes} bytes) and storage has not taken it yet`,
        );
      if (active !== undefined && active.records > 0 && active.bytes + data.length > segmentBytes)
        await sealActive();
      active ??= await take();
      // Within the preallocated space; a group larger than a segment grows the file (then metadata is synced too).
      await active.handle.write(data, 0, data.length, active.bytes);
      await active.handle.datasync();
      active.bytes += data.length;
      active.records += records.length;
      totalBytes += data.length;
      pending += records.length;
      prepareNext();
    });

  const commit = createGroupCommit(
    async (records: DecisionRecord[]) => {
      try {
        await write(records);
      } catch (error) {
        if (error instanceof RiskopsError) throw error;
        throw new RiskopsError('storage_unavailable', 'The decision log spool cannot be written', {
          cause: error,
        });
      }
    },
    { maxItems: 10_000, maxConcurrent: 1, timeoutMs: options.timeoutMs },
  );

  const forget = (segment: string): void => {
    const known = sealedSegments.get(segment);
    totalBytes -= known?.bytes ?? 0;
    pending -= known?.records ?? 0;
    sealedSegments.delete(segment);
  };

  const owned = (name: string): boolean => {
    const m = SEGMENT.exec(name);
    if (m === null) return true; // not a segment: never touched
    const [, pid, owner] = m;
    if (Number(pid) === process.pid) return liveInstances.has(owner as string);
    return processAlive(Number(pid));
  };

  return {
    append: (records) => commit.add(records),
    seal: () => exclusive(sealActive),
    async claimOrphans() {
      let claimed = 0;
      const names = (await readdir(dir)).filter((n) => SEGMENT.test(n)).sort();
      for (const name of names) {
        if (owned(name)) continue;
        const mine = nextName();
        try {
          await rename(join(dir, name), join(dir, mine));
        } catch {
          continue; // another instance claimed it first
        }
        const text = written(await readFile(join(dir, mine), 'utf8'));
        const records = countLines(text);
        sealedSegments.set(mine, { records, bytes: Buffer.byteLength(text) });
        totalBytes += Buffer.byteLength(text);
        pending += records;
        claimed += records;
      }
      if (claimed > 0) await syncDir();
      return claimed;
    },
    sealed: () => [...sealedSegments.keys()],
    async read(segment) {
      const text = written(await readFile(join(dir, segment), 'utf8'));
      const lines = text.split('\n');
      // A last line without its newline was torn by a crash before its fsync: its append never resolved.
      lines.pop();
      return lines.map((line, i) => {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          value = undefined;
        }
        const parsed = DecisionRecordSchema.safeParse(value);
        if (!parsed.success)
          throw new RiskopsError(
            'integrity_error',
            `Spool segment ${segment} line ${i + 1} is not a decision`,
          );
        return parsed.data;
      });
    },
    async remove(segment) {
      await unlink(join(dir, segment));
      forget(segment);
    },
    async quarantine(segment) {
      const path = join(dir, segment);
      await rename(path, `${path}.corrupt`);
      forget(segment);
    },
    async reject(record, reason) {
      const handle = await open(join(dir, 'rejected.jsonl'), 'a');
      try {
        await handle.write(`${JSON.stringify({ reason, record })}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    },
    pendingRecords: () => pending,
    async close() {
      await commit.idle();
      await exclusive(sealActive);
      const spare = standby;
      standby = undefined;
      const unused = await spare?.catch(() => undefined);
      if (unused !== undefined) {
        await unused.handle.close();
        await unlink(join(dir, unused.name)).catch(() => undefined);
      }
      liveInstances.delete(instance);
    },
  };
}
