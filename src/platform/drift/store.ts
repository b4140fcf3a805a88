import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { RiskopsError } from '../errors/index.js';
import type { CountVector } from './layout.js';

/** Where counts came from: HTTP (hourly slots per instance) or a batch chunk. */
export type CountSource = 'http' | 'batch';

/** One writer's counts for one use case, model version and day (and hour, for HTTP). */
export interface CountPartial extends CountVector {
  useCase: string;
  /** UTC day, YYYY-MM-DD. */
  date: string;
  modelVersion: string;
  source: CountSource;
  /** `h00`…`h23` for HTTP, `batch` for batch chunks. */
  slot: string;
  /** Owns this partial: only this writer ever writes it, so a write replaces without losing anyone's update. */
  writer: string;
  /** ISO time of the write. */
  updatedAt: string;
}

/**
 * Per-writer partial counts, merged on read. A writer only ever replaces its own partial (with its cumulative
 * counts), so concurrent writers never overwrite each other and a retried write is idempotent.
 */
export interface DriftCountStore {
  put(partial: CountPartial): Promise<void>;
  /** Every partial of a use case's day. */
  list(useCase: string, date: string): Promise<CountPartial[]>;
}

/** Table keys may not hold `/ \\ # ?` or control characters. */
const keyPart = (text: string): string =>
  [...text]
    .map((c) =>
      /[/\\#?]/.test(c) || c.charCodeAt(0) < 32 || (c.charCodeAt(0) >= 127 && c.charCodeAt(0) < 160)
        ? '-'
        : c,
    )
    .join('');
const partitionOf = (useCase: string, date: string): string => `${keyPart(useCase)}~${date}`;

/** The Table Storage adapter: partition `{useCase}~{date}`, row `{modelVersion}~{slot}~{writer}`. */
export function createTableCountStore(table: TableClient): DriftCountStore {
  let ready: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    ready ??= table.createTable().catch((error: unknown) => {
      ready = undefined;
      throw new RiskopsError(
        'storage_unavailable',
        `Cannot reach the drift counts table ${table.tableName}`,
        {
          cause: error,
        },
      );
    });
    return ready;
  };
  return {
    async put(partial) {
      const counts = JSON.stringify(partial.counts);
      // A string property holds at most 64 KiB (32K UTF-16 characters).
      if (counts.length > 32_000) {
        throw new RiskopsError(
          'contract_violation',
          `Drift counts of ${partial.useCase} need ${counts.length} characters (> 32000)`,
        );
      }
      await ensure();
      await table.upsertEntity(
        {
          partitionKey: partitionOf(partial.useCase, partial.date),
          rowKey: [partial.modelVersion, partial.slot, partial.writer].map(keyPart).join('~'),
          useCase: partial.useCase,
          date: partial.date,
          modelVersion: partial.modelVersion,
          source: partial.source,
          slot: partial.slot,
          writer: partial.writer,
          referenceHash: partial.referenceHash,
          rows: partial.rows,
          counts,
          updatedAt: partial.updatedAt,
        },
        'Replace',
      );
    },
    async list(useCase, date) {
      await ensure();
      const partials: CountPartial[] = [];
      const filter = odata`PartitionKey eq ${partitionOf(useCase, date)}`;
      for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        partials.push({
          useCase: String(e.useCase),
          date: String(e.date),
          modelVersion: String(e.modelVersion),
          source: e.source === 'batch' ? 'batch' : 'http',
          slot: String(e.slot),
          writer: String(e.writer),
          referenceHash: String(e.referenceHash),
          rows: Number(e.rows),
          counts: JSON.parse(String(e.counts)) as number[],
          updatedAt: String(e.updatedAt),
        });
      }
      return partials;
    },
  };
}
