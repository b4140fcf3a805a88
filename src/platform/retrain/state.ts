/**
 * The retraining loop's state in one table: per use case the drift windows seen and the requests sent
 * (partition = use case), and per retrain message id what the consumer did with it (partition `processed`).
 */
import { odata, type TableClient } from '@azure/data-tables';
import { RiskopsError } from '../errors/index.js';
import type { WindowSummary } from './request.js';

const PROCESSED = 'processed';
const statusOf = (error: unknown): number | undefined =>
  (error as { statusCode?: number } | undefined)?.statusCode;

export interface SentRequest {
  windowDate: string;
  messageId: string;
  sentAt: string;
}

export interface ProcessedRecord {
  messageId: string;
  status: 'running' | 'done';
  startedAt: string;
  finishedAt?: string;
  /** The consumer's outcome, as JSON. */
  outcome?: string;
}

export function createRetrainState(table: TableClient) {
  let ready: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    ready ??= table.createTable().catch((error: unknown) => {
      ready = undefined;
      throw new RiskopsError('storage_unavailable', `Cannot reach the retrain table ${table.tableName}`, {
        cause: error,
      });
    });
    return ready;
  };

  async function* rows<T extends object>(filter: string): AsyncGenerator<T & { rowKey: string }> {
    await ensure();
    for await (const entity of table.listEntities<T>({ queryOptions: { filter } }))
      yield entity as T & { rowKey: string };
  }

  return {
    /** Records (or replaces) a window's summary: re-running the same window is idempotent. */
    async putWindow(useCase: string, summary: WindowSummary): Promise<void> {
      await ensure();
      await table.upsertEntity(
        { partitionKey: useCase, rowKey: `window-${summary.windowDate}`, summary: JSON.stringify(summary) },
        'Replace',
      );
    },

    /** The last `n` windows up to and including `windowDate`, newest first. */
    async recentWindows(useCase: string, windowDate: string, n: number): Promise<WindowSummary[]> {
      const out: WindowSummary[] = [];
      const filter = odata`PartitionKey eq ${useCase} and RowKey ge ${'window-'} and RowKey le ${`window-${windowDate}`}`;
      for await (const row of rows<{ summary: string }>(filter))
        out.push(JSON.parse(row.summary) as WindowSummary);
      return out.sort((a, b) => (a.windowDate < b.windowDate ? 1 : -1)).slice(0, n);
    },

    async requests(useCase: string): Promise<SentRequest[]> {
      const out: SentRequest[] = [];
      const filter = odata`PartitionKey eq ${useCase} and RowKey ge ${'request-'} and RowKey lt ${'request.'}`;
      for await (const row of rows<SentRequest>(filter))
        out.push({ windowDate: row.windowDate, messageId: row.messageId, sentAt: row.sentAt });
      return out;
    },

    /** Claims the request of a window; false when one was already claimed (sent, or being sent). */
    async claimRequest(useCase: string, request: SentRequest): Promise<boolean> {
      await ensure();
      try {
        await table.createEntity({
          partitionKey: useCase,
          rowKey: `request-${request.windowDate}`,
          ...request,
        });
        return true;
      } catch (error) {
        if (statusOf(error) === 409) return false;
        throw error;
      }
    },

    /** Releases a claim whose send failed, so the next run may send it. */
    async releaseRequest(useCase: string, windowDate: string): Promise<void> {
      await table.deleteEntity(useCase, `request-${windowDate}`).catch(() => undefined);
    },

    async processed(messageId: string): Promise<ProcessedRecord | undefined> {
      await ensure();
      try {
        const row = await table.getEntity<ProcessedRecord>(PROCESSED, encodeURIComponent(messageId));
        return {
          messageId: row.messageId,
          status: row.status,
          startedAt: row.startedAt,
          ...(row.finishedAt === undefined ? {} : { finishedAt: row.finishedAt }),
          ...(row.outcome === undefined ? {} : { outcome: row.outcome }),
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },

    async putProcessed(record: ProcessedRecord): Promise<void> {
      await ensure();
      await table.upsertEntity(
        { partitionKey: PROCESSED, rowKey: encodeURIComponent(record.messageId), ...record },
        'Replace',
      );
    },
  };
}

export type RetrainState = ReturnType<typeof createRetrainState>;
