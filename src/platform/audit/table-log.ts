import { createHash } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { isRiskopsError, RiskopsError } from '../errors/index.js';
import { createGroupCommit } from './group-commit.js';
import { type DecisionLog, type DecisionQuery, type DecisionRecord, DecisionRecordSchema } from './types.js';

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

/** Row keys may not hold / \ # ? or control characters; the encoding also keeps `|` free as a separator. */
export const key = (text: string): string => encodeURIComponent(text);

export function bucketOf(entityId: string, partitions: number): number {
  return createHash('sha256').update(entityId).digest().readUInt32BE(0) % partitions;
}

export const dayPartition = (useCase: string, day: string): string => `${useCase}|${day}`;
export const entityPartition = (useCase: string, bucket: number): string => `${useCase}|entity|${bucket}`;

export function rowSuffix(r: DecisionRecord): string {
  return `${r.time}|${key(r.requestId)}|${String(r.index).padStart(4, '0')}|${r.role}`;
}

/**
 * The decision log on Table Storage. Every record is written twice in the same group commit: under
 * `{useCase}|{YYYY-MM-DD}` (reads by day, time-ordered) and under `{useCase}|entity|{hash bucket}` with the
 * entity id leading the row key (reads by entity). Rows are only ever created, never updated or deleted.
 */
export function createTableDecisionLog(options: TableDecisionLogOptions): DecisionLog {
  const { table } = options;
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
      const add = (partitionKey: string, rowKey: string, r: DecisionRecord, body: string): void => {
        const entity = {
          partitionKey,
          rowKey,
          entityId: r.entityId,
          modelVersion: r.modelVersion,
          role: r.role,
          probability: r.probability,
          band: r.band,
          record: body,
        };
        const list = byPartition.get(partitionKey) ?? [];
        list.push(['create', entity]);
        byPartition.set(partitionKey, list);
      };
      for (const r of records) {
        const body = JSON.stringify(r);
        add(dayPartition(r.useCase, r.time.slice(0, 10)), rowSuffix(r), r, body);
        add(
          entityPartition(r.useCase, bucketOf(r.entityId, options.entityPartitions)),
          `${key(r.entityId)}|${rowSuffix(r)}`,
          r,
          body,
        );
      }
      const transactions: Promise<unknown>[] = [];
      for (const actions of byPartition.values()) {
        for (let i = 0; i < actions.length; i += MAX_TRANSACTION)
          transactions.push(table.submitTransaction(actions.slice(i, i + MAX_TRANSACTION)));
      }
      await Promise.all(transactions);
    } catch (error) {
      if (isRiskopsError(error)) throw error;
      throw new RiskopsError(
        'storage_unavailable',
        'The decision log cannot be written; nothing was returned',
        {
          cause: error,
        },
      );
    }
  };

  const commit = createGroupCommit(write, {
    maxItems: options.maxBatch ?? 400,
    maxConcurrent: 2,
    timeoutMs: options.timeoutMs,
  });

  return {
    append: (records) => commit.add(records),

    async find(query: DecisionQuery) {
      const limit = query.limit ?? DEFAULT_LIMIT;
      let filter: string;
      if (query.entityId !== undefined) {
        const pk = entityPartition(query.useCase, bucketOf(query.entityId, options.entityPartitions));
        const prefix = `${key(query.entityId)}|${query.date ?? ''}`;
        const end = query.date === undefined ? `${key(query.entityId)}}` : `${prefix}~`;
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
          if (parsed.success) out.push(parsed.data);
          if (out.length >= limit) break;
        }
      } catch (error) {
        throw new RiskopsError('storage_unavailable', `Cannot read the decision log ${table.tableName}`, {
          cause: error,
        });
      }
      return out;
    },

    close: () => commit.idle(),
  };
}
