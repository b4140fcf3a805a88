import { createHash } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { RiskopsError } from '../errors/index.js';
import { createGroupCommit } from './group-commit.js';
import {
  type DecisionLog,
  type DecisionQuery,
  type DecisionRecord,
  DecisionRecordSchema,
  notWritten,
} from './types.js';

export interface TableDecisionLogOptions {
  table: TableClient;
  /** Entity rows are spread over this many partitions per use case (by a hash of the entity id). */
  entityPartitions: number;
  /** A write not confirmed within this fails the requests that wait on it (they answer 503). */
  timeoutMs: number;
  /** Most records in one group commit. */
  maxBatch?: number;
}

const MAX_TRANSACTION = 100;
const DEFAULT_LIMIT = 1000;

/**
 * Row keys may not hold / \ # ? or control characters, and `|` separates their parts: letters, digits, `-`,
 * `_` and `.` are kept, every other UTF-16 unit becomes `%XXXX` (so lone surrogates encode too, and no id's
 * key is a prefix of another's followed by `|`).
 */
export function key(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const plain =
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 45 ||
      c === 95 ||
      c === 46;
    out += plain ? text[i] : `%${c.toString(16).padStart(4, '0')}`;
  }
  return out;
}

/** Keys are limited to 1 KiB (512 UTF-16 units): a long id is keyed by its hash (the record keeps it whole). */
const MAX_ENTITY_KEY = 200;

export function entityKey(entityId: string): string {
  const encoded = key(entityId);
  if (encoded.length <= MAX_ENTITY_KEY) return encoded;
  return `~${createHash('sha256').update(Buffer.from(entityId, 'utf16le')).digest('hex')}`;
}

export function bucketOf(entityId: string, partitions: number): number {
  return createHash('sha256').update(entityId).digest().readUInt32BE(0) % partitions;
}

function alreadyExists(error: unknown): boolean {
  const e = error as { statusCode?: number; code?: string; message?: string };
  return e.statusCode === 409 || e.code === 'EntityAlreadyExists' || /already exists/i.test(e.message ?? '');
}

export const dayPartition = (useCase: string, day: string): string => `${useCase}|${day}`;
export const entityPartition = (useCase: string, bucket: number): string => `${useCase}|entity|${bucket}`;

export function rowSuffix(r: DecisionRecord): string {
  return `${r.time}|${key(r.requestId)}|${String(r.index).padStart(4, '0')}|${r.role}`;
}

/** One table row of a decision: the record under its day partition, or again under its entity partition. */
export interface DecisionRow {
  record: DecisionRecord;
  entity: Record<string, unknown> & { partitionKey: string; rowKey: string };
}

/**
 * The rows a decision is kept as, by partition: under `{useCase}|{YYYY-MM-DD}` and under
 * `{useCase}|entity|{bucket}` with the entity key leading the row key. The writer and the spool's replay both
 * build rows here, so a replayed record lands on exactly the keys a direct write would have used.
 */
export function decisionRows(
  records: readonly DecisionRecord[],
  entityPartitions: number,
): Map<string, DecisionRow[]> {
  const byPartition = new Map<string, DecisionRow[]>();
  const add = (partitionKey: string, rowKey: string, r: DecisionRecord, body: string): void => {
    const entity = {
      partitionKey,
      rowKey,
      // Lone surrogates are replaced in the column; the record JSON keeps the id exactly.
      entityId: Buffer.from(r.entityId, 'utf8').toString('utf8'),
      modelVersion: r.modelVersion,
      role: r.role,
      probability: r.probability,
      band: r.band,
      record: body,
    };
    const list = byPartition.get(partitionKey) ?? [];
    list.push({ record: r, entity });
    byPartition.set(partitionKey, list);
  };
  for (const r of records) {
    const body = JSON.stringify(r);
    add(dayPartition(r.useCase, r.time.slice(0, 10)), rowSuffix(r), r, body);
    add(
      entityPartition(r.useCase, bucketOf(r.entityId, entityPartitions)),
      `${entityKey(r.entityId)}|${rowSuffix(r)}`,
      r,
      body,
    );
  }
  return byPartition;
}

/**
 * The decision log on Table Storage. Every record is written twice in the same group commit: under
 * `{useCase}|{YYYY-MM-DD}` (reads by day, time-ordered) and under `{useCase}|entity|{hash bucket}` with the
 * entity id leading the row key (reads by entity). Rows are only ever created, never updated or deleted.
 */
export function createTableDecisionLog(options: TableDecisionLogOptions): DecisionLog {
  const { table } = options;

  /**
   * A retried write (after part of an earlier flush landed) meets its own rows: a row that exists with the same
   * record is already written; one that exists with another record is an error. Nothing is ever overwritten.
   */
  const createEach = async (actions: TransactionAction[]): Promise<void> => {
    await Promise.all(
      actions.map(async (action) => {
        const entity = action[1] as { partitionKey: string; rowKey: string; record: string };
        try {
          await table.createEntity(entity);
        } catch (error) {
          if (!alreadyExists(error)) throw error;
          const existing = await table.getEntity<{ record?: string }>(entity.partitionKey, entity.rowKey);
          if (existing.record !== entity.record) throw error;
        }
      }),
    );
  };
  if (!Number.isInteger(options.entityPartitions) || options.entityPartitions < 1)
    throw new RiskopsError('invalid_settings', 'entityPartitions must be an integer ≥ 1');
  let ready: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    ready ??= table.createTable().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  const write = async (records: DecisionRecord[]): Promise<void> => {
    try {
      await ensure();
      const byPartition = new Map<string, TransactionAction[]>();
      for (const [partitionKey, rows] of decisionRows(records, options.entityPartitions)) {
        byPartition.set(
          partitionKey,
          rows.map((row): TransactionAction => ['create', row.entity]),
        );
      }
      const transactions: Promise<unknown>[] = [];
      for (const actions of byPartition.values()) {
        for (let i = 0; i < actions.length; i += MAX_TRANSACTION) {
          const chunk = actions.slice(i, i + MAX_TRANSACTION);
          transactions.push(
            table.submitTransaction(chunk).catch((error: unknown) => {
              if (!alreadyExists(error)) throw error;
              return createEach(chunk);
            }),
          );
        }
      }
      await Promise.all(transactions);
    } catch (error) {
      // The table itself is gone (404): create it again on the next write rather than fail forever.
      if ((error as { statusCode?: number }).statusCode === 404) ready = undefined;
      throw notWritten(error);
    }
  };

  const commit = createGroupCommit(write, {
    maxItems: options.maxBatch ?? 400,
    maxConcurrent: 2,
    timeoutMs: options.timeoutMs,
    isolateFailures: true,
  });

  return {
    append: (records) => commit.add(records),

    find: findInTable(table, options.entityPartitions, ensure),

    close: () => commit.idle(),
  };
}

/** Decisions by entity or by day from the table (rows by day, or by entity hash bucket). */
export function findInTable(
  table: TableClient,
  entityPartitions: number,
  ensure: () => Promise<unknown> = () => table.createTable(),
): (query: DecisionQuery) => Promise<DecisionRecord[]> {
  return async (query: DecisionQuery): Promise<DecisionRecord[]> => {
    const limit = query.limit ?? DEFAULT_LIMIT;
    let filter: string;
    if (query.entityId !== undefined) {
      const pk = entityPartition(query.useCase, bucketOf(query.entityId, entityPartitions));
      const prefix = `${entityKey(query.entityId)}|${query.date ?? ''}`;
      const end = query.date === undefined ? `${entityKey(query.entityId)}}` : `${prefix}~`;
      filter = odata`PartitionKey eq ${pk} and RowKey ge ${prefix} and RowKey lt ${end}`;
    } else if (query.date !== undefined) {
      filter = odata`PartitionKey eq ${dayPartition(query.useCase, query.date)}`;
    } else {
      throw new RiskopsError('invalid_input', 'Give an entity id or a date to find decisions');
    }
    const out: DecisionRecord[] = [];
    try {
      await ensure();
      for await (const entity of table.listEntities<{ record?: string }>({ queryOptions: { filter } })) {
        const parsed = DecisionRecordSchema.safeParse(JSON.parse(entity.record ?? 'null'));
        if (!parsed.success) continue;
        if (query.entityId !== undefined && parsed.data.entityId !== query.entityId) continue;
        out.push(parsed.data);
        if (out.length >= limit) break;
      }
    } catch (error) {
      throw new RiskopsError('storage_unavailable', `Cannot read the decision log ${table.tableName}`, {
        cause: error,
      });
    }
    return out;
  };
}
