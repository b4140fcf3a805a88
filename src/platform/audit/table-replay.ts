import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { type DecisionRow, decisionRows } from './table-log.js';
import type { DecisionRecord } from './types.js';

/**
 * Writes decision records to the table idempotently, for replaying a spool journal: the same two rows per
 * record as `createTableDecisionLog` (by day and by entity; tests/audit/table-replay.test.ts checks the rows
 * are identical), created only. A row that already exists (409 EntityAlreadyExists: the direct write got
 * through after all, or an earlier replay was cut short) counts as written, so replaying twice never
 * duplicates a row. A row the table refuses for good (400-class: e.g. an oversized property) is handed to
 * the caller's `onRejected` instead of blocking every later record.
 */
export interface TableReplayOptions {
  table: TableClient;
  entityPartitions: number;
  /** Each storage call gives up after this (the journal is replayed again on the next round). */
  timeoutMs: number;
  /** Transactions sent at once. Default 4. */
  concurrency?: number;
}

export type RejectRecord = (record: DecisionRecord, error: unknown) => Promise<void>;

const MAX_TRANSACTION = 100;

type Row = DecisionRow;
const rowsOf = decisionRows;

const statusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && 'statusCode' in error
    ? Number((error as { statusCode: unknown }).statusCode)
    : undefined;

/** A refusal that repeating cannot fix (not a conflict, throttling or timeout). */
/**
 * Refused for good. Not 404: that is the table itself missing (a storage emulator restarted without it, or a
 * table deleted under us), which the next round repairs by creating it again.
 */
const permanent = (status: number | undefined): boolean =>
  status !== undefined && status >= 400 && status < 500 && ![404, 408, 409, 429].includes(status);

export function createTableReplay(
  options: TableReplayOptions,
): (records: readonly DecisionRecord[], onRejected?: RejectRecord) => Promise<void> {
  const { table } = options;
  let ready: Promise<unknown> | undefined;
  const signal = (): AbortSignal => AbortSignal.timeout(options.timeoutMs);

  const ensureTable = (): Promise<unknown> => {
    ready ??= table.createTable({ abortSignal: signal() }).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  /** One row at a time: after a transaction failed because some of its rows exist already. */
  const oneByOne = async (rows: Row[], onRejected: RejectRecord | undefined): Promise<void> => {
    for (const row of rows) {
      try {
        await table.createEntity(row.entity, { abortSignal: signal() });
      } catch (error) {
        const status = statusOf(error);
        if (status === 409) continue;
        if (permanent(status) && onRejected !== undefined) {
          await onRejected(row.record, error);
          continue;
        }
        throw error;
      }
    }
  };

  /** The rows of one partition's key range that are in the table already (rows are never changed). */
  const existing = async (rows: Row[]): Promise<Set<string>> => {
    const keys = rows.map((r) => r.entity.rowKey).sort();
    const pk = rows[0]?.entity.partitionKey ?? '';
    const filter = odata`PartitionKey eq ${pk} and RowKey ge ${keys[0] ?? ''} and RowKey le ${keys.at(-1) ?? ''}`;
    const found = new Set<string>();
    const query = { queryOptions: { filter, select: ['RowKey'] }, abortSignal: signal() };
    for await (const entity of table.listEntities(query)) if (entity.rowKey) found.add(entity.rowKey);
    return found;
  };

  const transaction = async (all: Row[], onRejected: RejectRecord | undefined): Promise<void> => {
    let rows = all;
    // A conflict means some rows got there before (a direct write confirmed late, or a replay cut short):
    // drop those and send the rest. Another writer may race us, hence a few rounds before going row by row.
    for (let round = 0; round < 3 && rows.length > 0; round++) {
      const actions: TransactionAction[] = rows.map((r) => ['create', r.entity]);
      try {
        await table.submitTransaction(actions, { abortSignal: signal() });
        return;
      } catch (error) {
        if (permanent(statusOf(error))) break; // a row the table refuses: find it row by row
        if (statusOf(error) !== 409) throw error;
        const there = await existing(rows);
        rows = rows.filter((r) => !there.has(r.entity.rowKey));
      }
    }
    await oneByOne(rows, onRejected);
  };

  return async (records, onRejected) => {
    if (records.length === 0) return;
    await ensureTable();
    const chunks: Row[][] = [];
    for (const rows of rowsOf(records, options.entityPartitions).values()) {
      for (let i = 0; i < rows.length; i += MAX_TRANSACTION) chunks.push(rows.slice(i, i + MAX_TRANSACTION));
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) await transaction(chunks[next++] as Row[], onRejected);
    };
    try {
      await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, chunks.length) }, worker));
    } catch (error) {
      if (statusOf(error) === 404) ready = undefined; // the table is gone: create it on the next round
      throw error;
    }
  };
}
