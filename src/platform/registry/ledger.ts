import { randomBytes } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import { RiskopsError } from '../errors/index.js';
import { type Alias, AliasSchema, LEDGER_ACTIONS, type LedgerAction, type LedgerEntry } from './types.js';

/** Row keys count down from here, so a partition lists newest first. Good until the year 2286. */
const MAX_MS = 9_999_999_999_999;
const WRITE_ATTEMPTS = 3;

function invertedMs(ms: number): string {
  return String(MAX_MS - ms).padStart(13, '0');
}

type Entity = Record<string, unknown> & { partitionKey?: string; rowKey?: string };

function entryOf(entity: Entity): LedgerEntry {
  const text = (key: string): string | undefined => {
    const value = entity[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const action = text('action');
  const entry: LedgerEntry = {
    id: entity.rowKey ?? '',
    useCase: entity.partitionKey ?? '',
    at: text('at') ?? '',
    action: (LEDGER_ACTIONS as readonly string[]).includes(action ?? '') ? (action as LedgerAction) : 'push',
    actor: text('actor') ?? '',
    reason: text('reason') ?? '',
    version: text('version') ?? '',
  };
  const alias = AliasSchema.safeParse(text('alias'));
  if (alias.success) entry.alias = alias.data;
  for (const key of ['from', 'to', 'sha256', 'approvedBy'] as const) {
    const value = text(key);
    if (value !== undefined) entry[key] = value;
  }
  return entry;
}

export type NewLedgerEntry = Omit<LedgerEntry, 'id' | 'at' | 'useCase'>;

/**
 * The append-only ledger: one Table Storage partition per use case, one row per push, approval, move and
 * retirement. Rows are only ever created (never upserted), under keys that cannot collide.
 */
export function createLedger(table: TableClient, clock: () => Date) {
  let ready: Promise<void> | undefined;
  let lastMs = 0;
  const ensure = (): Promise<void> => {
    ready ??= table.createTable().catch((error: unknown) => {
      ready = undefined;
      throw new RiskopsError('storage_unavailable', `Cannot reach the ledger table ${table.tableName}`, {
        cause: error,
      });
    });
    return ready;
  };

  async function* scan(useCase: string, filter: string): AsyncGenerator<LedgerEntry> {
    await ensure();
    const pages = table.listEntities<Entity>({
      queryOptions: {
        filter: `${odata`PartitionKey eq ${useCase}`}${filter === '' ? '' : ` and ${filter}`}`,
      },
    });
    for await (const entity of pages) yield entryOf(entity);
  }

  return {
    /**
     * Appends one entry, stamped with a time that never goes backwards within this process.
     * @throws RiskopsError `storage_unavailable` after retries (the caller's change already happened).
     */
    async append(useCase: string, entry: NewLedgerEntry): Promise<LedgerEntry> {
      await ensure();
      const ms = Math.max(clock().getTime(), lastMs + 1);
      lastMs = ms;
      const full: LedgerEntry = {
        ...entry,
        id: `${invertedMs(ms)}-${randomBytes(6).toString('hex')}`,
        useCase,
        at: new Date(ms).toISOString(),
      };
      const { id, useCase: partitionKey, ...fields } = full;
      let lastError: unknown;
      for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
        try {
          await table.createEntity({ partitionKey, rowKey: id, ...fields });
          return full;
        } catch (error) {
          lastError = error;
        }
      }
      throw new RiskopsError(
        'storage_unavailable',
        `${entry.action} of ${useCase} ${entry.version} by ${entry.actor} happened but its ledger entry could not be written`,
        { cause: lastError, details: { entry: full } },
      );
    },

    /** Entries newest first, optionally only those at or before `until`. */
    async entries(useCase: string, options: { until?: Date; limit?: number } = {}): Promise<LedgerEntry[]> {
      const filter =
        options.until === undefined ? '' : odata`RowKey ge ${invertedMs(options.until.getTime())}`;
      const out: LedgerEntry[] = [];
      for await (const entry of scan(useCase, filter)) {
        out.push(entry);
        if (options.limit !== undefined && out.length >= options.limit) break;
      }
      return out;
    },

    /** Approvals recorded for one version. */
    async approvals(useCase: string, version: string): Promise<LedgerEntry[]> {
      const out: LedgerEntry[] = [];
      for await (const entry of scan(useCase, odata`action eq ${'approve'} and version eq ${version}`))
        out.push(entry);
      return out;
    },

    /** The move that put `alias` where it was at `instant`, or `null` if it held nothing then. */
    async aliasAt(useCase: string, alias: Alias, instant: Date): Promise<LedgerEntry | null> {
      const filter = `${odata`RowKey ge ${invertedMs(instant.getTime())}`} and ${odata`alias eq ${alias}`}`;
      for await (const entry of scan(useCase, filter)) {
        if ((entry.action === 'promote' || entry.action === 'rollback') && entry.to !== undefined)
          return entry;
      }
      return null;
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
