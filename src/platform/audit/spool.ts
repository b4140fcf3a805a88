import { RiskopsError } from '../errors/index.js';
import { type Journal, openJournal } from './journal.js';
import type { DecisionLog, DecisionLogStatus, DecisionQuery, DecisionRecord } from './types.js';

/** What the spool is doing, for `/api/health`. */
export type SpoolStatus = DecisionLogStatus;

export interface SpooledDecisionLog extends DecisionLog {
  status(): SpoolStatus;
  /** One replay round now (single-flight: joins a running one). Resolves true when nothing is pending. */
  replay(): Promise<boolean>;
}

export interface SpoolOptions {
  /** The decision log proper (append blobs, or the table). */
  primary: DecisionLog;
  /**
   * Idempotent write of journal records to the primary (a row already there counts as written). Records the
   * table refuses for good go to `reject` (kept in `rejected.jsonl`), so one bad record cannot block the rest.
   */
  replay(
    records: readonly DecisionRecord[],
    reject: (record: DecisionRecord, error: unknown) => Promise<void>,
  ): Promise<void>;
  /** Journal folder (`{RISKOPS_DATA_DIR}/audit-spool`). */
  dir: string;
  /** A direct append not confirmed within this goes to the journal, and the circuit opens. */
  directTimeoutMs: number;
  /** Replay rounds run this often while anything is pending (timer unref'd). */
  replayIntervalMs: number;
  /** The journal never grows past this; appends then fail with 503. */
  maxBytes: number;
  /** A journal write (with its fsync) not done within this fails (503). */
  journalTimeoutMs: number;
  /** Records replayed per table call batch. Default 500. */
  replayBatch?: number;
  segmentBytes?: number;
  onEvent?(event: { kind: 'opened' | 'closed' | 'replayed' | 'replay_failed'; detail: string }): void;
}

const message = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';

/**
 * The decision log behind a write-ahead spool on local disk. While the table answers, appends go to it
 * (`direct`). When a direct append fails or is not confirmed within `directTimeoutMs`, its records are
 * written to the journal (fsync'd before `append` resolves) and the circuit opens: later appends go
 * straight to the journal, never waiting on storage. A background single-flight replay writes the journal
 * to the table (idempotently) and, once it is through, closes the circuit. A journal left by a crashed
 * process is claimed and replayed on the next start. If the journal cannot be written either, `append`
 * fails with `storage_unavailable` and the request answers 503.
 */
export async function createSpooledDecisionLog(options: SpoolOptions): Promise<SpooledDecisionLog> {
  const journal: Journal = await openJournal({
    dir: options.dir,
    maxBytes: options.maxBytes,
    timeoutMs: options.journalTimeoutMs,
    ...(options.segmentBytes === undefined ? {} : { segmentBytes: options.segmentBytes }),
  });
  let mode: SpoolStatus['mode'] = 'direct';
  let since: number | undefined;
  let lastError: string | undefined;
  let rejected = 0;
  let corrupt = 0;
  let closed = false;
  let running: Promise<boolean> | undefined;
  const rejectedKeys = new Set<string>();
  const event = (kind: 'opened' | 'closed' | 'replayed' | 'replay_failed', detail: string): void =>
    options.onEvent?.({ kind, detail });

  const open = (reason: string): void => {
    lastError = reason;
    if (mode === 'spooling') return;
    mode = 'spooling';
    since ??= Date.now();
    event('opened', reason);
  };

  /** The primary, bounded: resolves false (never rejects) when it failed or did not confirm in time. */
  const tryDirect = (records: readonly DecisionRecord[]): Promise<{ ok: boolean; error?: string }> =>
    new Promise((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, error: `no confirmation within ${options.directTimeoutMs} ms` }),
        options.directTimeoutMs,
      );
      options.primary.append(records).then(
        () => {
          clearTimeout(timer);
          resolve({ ok: true });
        },
        (error: unknown) => {
          clearTimeout(timer);
          resolve({ ok: false, error: message(error) });
        },
      );
    });

  const onRejected = async (record: DecisionRecord, error: unknown): Promise<void> => {
    const key = `${record.requestId}|${record.index}|${record.role}`;
    if (rejectedKeys.has(key)) return;
    rejectedKeys.add(key);
    rejected++;
    await journal.reject(record, message(error));
  };

  const replaySegment = async (segment: string): Promise<void> => {
    let records: DecisionRecord[];
    try {
      records = await journal.read(segment);
    } catch (error) {
      if (!(error instanceof RiskopsError && error.code === 'integrity_error')) throw error;
      await journal.quarantine(segment);
      corrupt++;
      event('replay_failed', message(error));
      return;
    }
    const batch = options.replayBatch ?? 500;
    for (let i = 0; i < records.length; i += batch)
      await options.replay(records.slice(i, i + batch), onRejected);
    await journal.remove(segment);
  };

  const round = async (): Promise<boolean> => {
    await journal.claimOrphans();
    // Up to three passes: records journaled while a pass ran are sealed and replayed by the next one.
    for (let pass = 0; pass < 3; pass++) {
      // First the segments sealed before (during an outage only the oldest is tried each round).
      if (pass > 0 || journal.sealed().length === 0) await journal.seal();
      const segments = journal.sealed();
      if (segments.length === 0) break;
      for (const segment of segments) await replaySegment(segment);
      if (mode === 'spooling') {
        // The table took everything journaled so far: new appends go to it again.
        mode = 'direct';
        event('closed', `replayed after ${Math.round((Date.now() - (since ?? Date.now())) / 1000)} s`);
      }
    }
    const done = journal.pendingRecords() === 0;
    if (done) {
      // Nothing to probe with (the journal write failed too): the next append tries the table again.
      mode = 'direct';
      since = undefined;
      lastError = undefined;
    }
    return done;
  };

  const replay = (): Promise<boolean> => {
    running ??= round()
      .catch((error: unknown) => {
        lastError = message(error);
        event('replay_failed', lastError);
        return false;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  if ((await journal.claimOrphans()) > 0) since = Date.now();
  const timer = setInterval(() => {
    if (!closed && (mode === 'spooling' || journal.pendingRecords() > 0)) void replay();
  }, options.replayIntervalMs);
  timer.unref();
  if (journal.pendingRecords() > 0) void replay();

  return {
    async append(records) {
      if (records.length === 0) return;
      if (closed) throw new RiskopsError('storage_unavailable', 'The decision log is closed');
      if (mode === 'direct') {
        const direct = await tryDirect(records);
        if (direct.ok) return;
        open(direct.error ?? 'the decision log table failed');
      }
      // The direct write may still land later: replay then finds the rows there and counts them as written.
      await journal.append(records);
      since ??= Date.now();
    },

    find: (query: DecisionQuery) => options.primary.find(query),
    ...(options.primary.index === undefined ? {} : { index: options.primary.index }),

    status() {
      const pendingRecords = journal.pendingRecords();
      return {
        mode,
        pendingRecords,
        ...(since === undefined || (pendingRecords === 0 && mode === 'direct')
          ? {}
          : { since: new Date(since).toISOString() }),
        ...(lastError === undefined ? {} : { lastError }),
        rejectedRecords: rejected,
        corruptSegments: corrupt,
        ...(options.primary.indexStatus === undefined ? {} : { index: options.primary.indexStatus() }),
      };
    },

    replay,

    /** Stops replaying and makes every accepted record durable; what is pending stays for the next start. */
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
      await journal.close();
      await options.primary.close();
    },
  };
}
