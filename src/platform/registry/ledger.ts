import { randomBytes } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { RiskopsError } from '../errors/index.js';
import type { LedgerArchive } from './archive.js';
import { statusOf } from './blobs.js';
import { entryHash, GENESIS_HASH, type LedgerVerification, verifyChain } from './chain.js';
import { type Alias, AliasSchema, LEDGER_ACTIONS, type LedgerAction, type LedgerEntry } from './types.js';

/** Row keys count down from here, so a partition lists newest first. Good until the year 2286. */
const MAX_MS = 9_999_999_999_999;
/** The chain head of a partition: sorts before every entry key (digits), so time-range scans skip it. */
const HEAD_KEY = '!head';
const TRANSIENT_ATTEMPTS = 3;
const RACE_ATTEMPTS = 20;

function invertedMs(ms: number): string {
  return String(MAX_MS - ms).padStart(13, '0');
}

/** Chain order, newest first (row keys follow each writer's clock; seq follows the chain). */
function newestFirst(entries: LedgerEntry[]): LedgerEntry[] {
  return entries.sort((a, b) => (b.seq ?? 0) - (a.seq ?? 0) || a.id.localeCompare(b.id));
}

type Entity = Record<string, unknown> & { partitionKey?: string; rowKey?: string; etag?: string };

const TEXT_FIELDS = [
  'actorId',
  'from',
  'to',
  'sha256',
  'approvedBy',
  'approvedById',
  'etag',
  'ref',
  'prevHash',
  'hash',
] as const;

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
    version: typeof entity.version === 'string' ? entity.version : '',
  };
  if (typeof entity.seq === 'number') entry.seq = entity.seq;
  const alias = AliasSchema.safeParse(text('alias'));
  if (alias.success) entry.alias = alias.data;
  // The entity's own ETag is `etag` (lower case, set by the SDK); the move's condition is stored as `aliasEtag`.
  for (const key of TEXT_FIELDS) {
    const value = text(key === 'etag' ? 'aliasEtag' : key);
    if (value !== undefined) entry[key] = value;
  }
  if (typeof entity.requireApproval === 'boolean') entry.requireApproval = entity.requireApproval;
  return entry;
}

function entityOf(entry: LedgerEntry): Entity & { partitionKey: string; rowKey: string } {
  const { id, useCase, etag, ...fields } = entry;
  const entity: Entity & { partitionKey: string; rowKey: string } = { partitionKey: useCase, rowKey: id };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) entity[key] = value;
  if (etag !== undefined) entity.aliasEtag = etag;
  return entity;
}

export type NewLedgerEntry = Omit<LedgerEntry, 'id' | 'at' | 'useCase' | 'seq' | 'prevHash' | 'hash'>;

interface Head {
  seq: number;
  hash: string;
  etag: string;
}

/**
 * The append-only ledger: one Table Storage partition per use case, one row per push, approval, move intent,
 * abort, retirement and policy change. Entries are hash-chained: each carries its position (`seq`), the hash
 * of the entry before it and its own hash, and a head row holds the last seq and hash. An entry and the head
 * move together in one entity-group transaction guarded by the head's ETag, so concurrent appends serialize
 * and the chain never forks; an edited or deleted entry is found by `verify`.
 */
export function createLedger(
  table: TableClient,
  clock: () => Date,
  archive?: LedgerArchive,
  onArchiveError: (error: unknown) => void = () => undefined,
) {
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
    for await (const entity of pages) if (entity.rowKey !== HEAD_KEY) yield entryOf(entity);
  }

  const readHead = async (useCase: string): Promise<Head | null> => {
    try {
      const head = await table.getEntity<Entity>(useCase, HEAD_KEY);
      if (typeof head.seq !== 'number' || typeof head.hash !== 'string' || head.etag === undefined) {
        throw new RiskopsError('integrity_error', `The ledger head of ${useCase} is not a valid chain head`);
      }
      return { seq: head.seq, hash: head.hash, etag: head.etag };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  };

  const all = async (useCase: string): Promise<LedgerEntry[]> => {
    const out: LedgerEntry[] = [];
    for await (const entry of scan(useCase, '')) out.push(entry);
    return out;
  };

  const ledger = {
    /**
     * Appends one entry at the end of the chain, stamped with a time that never goes backwards within this
     * process. Retries when another writer appended first.
     * @throws RiskopsError `storage_unavailable` when the table cannot be written.
     */
    async append(useCase: string, entry: NewLedgerEntry): Promise<LedgerEntry> {
      await ensure();
      let transient = 0;
      let lastError: unknown;
      for (let attempt = 0; attempt < RACE_ATTEMPTS && transient < TRANSIENT_ATTEMPTS; attempt++) {
        try {
          const head = await readHead(useCase);
          const ms = Math.max(clock().getTime(), lastMs + 1);
          lastMs = ms;
          const unsigned: LedgerEntry = {
            ...entry,
            id: `${invertedMs(ms)}-${randomBytes(6).toString('hex')}`,
            useCase,
            at: new Date(ms).toISOString(),
            seq: (head?.seq ?? 0) + 1,
            prevHash: head?.hash ?? GENESIS_HASH,
          };
          const full: LedgerEntry = { ...unsigned, hash: entryHash(unsigned) };
          const headEntity = {
            partitionKey: useCase,
            rowKey: HEAD_KEY,
            seq: full.seq,
            hash: full.hash,
            id: full.id,
          };
          const actions: TransactionAction[] = [
            head === null ? ['create', headEntity] : ['update', headEntity, 'Replace', { etag: head.etag }],
            ['create', entityOf(full)],
          ];
          await table.submitTransaction(actions);
          // The WORM copy follows the table; a failed copy shows up as `notArchived` in verification.
          await archive?.append(full).catch(onArchiveError);
          return full;
        } catch (error) {
          if (error instanceof RiskopsError) throw error;
          lastError = error;
          const status = statusOf(error);
          // 409 (head created by another writer) and 412 (head moved): someone appended first; re-read.
          if (status !== 409 && status !== 412) transient += 1;
        }
      }
      throw new RiskopsError(
        'storage_unavailable',
        `The ledger of ${useCase} could not be written (${entry.action} ${entry.version} by ${entry.actor}); nothing was changed by this step`,
        { cause: lastError },
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

    /** Every entry of a use case, newest first. */
    all,

    /** Approvals recorded for one version. */
    async approvals(useCase: string, version: string): Promise<LedgerEntry[]> {
      const out: LedgerEntry[] = [];
      for await (const entry of scan(useCase, odata`action eq ${'approve'} and version eq ${version}`))
        out.push(entry);
      return out;
    },

    /** Ids of the intents that were aborted (their write never landed). */
    async aborted(useCase: string): Promise<Set<string>> {
      const out = new Set<string>();
      for await (const entry of scan(useCase, odata`action eq ${'abort'}`))
        if (entry.ref !== undefined) out.add(entry.ref);
      return out;
    },

    /**
     * Moves of one alias that were not aborted, newest first, and which of them are known to have landed
     * (a commit entry; entries from before the chain count as landed).
     */
    async moves(
      useCase: string,
      alias: Alias,
      until?: Date,
    ): Promise<{ moves: LedgerEntry[]; committed: Set<string> }> {
      // One query: the alias's moves and every commit/abort (an outcome may be written after `until`).
      const aborted = new Set<string>();
      const committed = new Set<string>();
      const candidates: LedgerEntry[] = [];
      const limit = until === undefined ? undefined : invertedMs(until.getTime());
      const filter = `(${odata`action eq ${'abort'} or action eq ${'commit'} or alias eq ${alias}`})`;
      for await (const entry of scan(useCase, filter)) {
        if (entry.action === 'abort' || entry.action === 'commit') {
          if (entry.ref !== undefined) (entry.action === 'abort' ? aborted : committed).add(entry.ref);
        } else if (
          entry.alias === alias &&
          (entry.action === 'promote' || entry.action === 'rollback') &&
          (limit === undefined || entry.id >= limit)
        ) {
          if (entry.seq === undefined) committed.add(entry.id);
          candidates.push(entry);
        }
      }
      return { moves: newestFirst(candidates.filter((m) => !aborted.has(m.id))), committed };
    },

    /** Policy changes that were not aborted, newest first. */
    async policies(useCase: string): Promise<LedgerEntry[]> {
      const aborted = await ledger.aborted(useCase);
      const out: LedgerEntry[] = [];
      for await (const entry of scan(useCase, odata`action eq ${'policy'}`))
        if (!aborted.has(entry.id)) out.push(entry);
      return newestFirst(out);
    },

    /** Checks the whole chain of a use case (see `verifyChain`). */
    async verify(useCase: string): Promise<LedgerVerification> {
      await ensure();
      const [entries, head] = await Promise.all([all(useCase), readHead(useCase)]);
      const headAt = head === null ? null : { seq: head.seq, hash: head.hash };
      const result = verifyChain(useCase, entries, headAt, clock());
      if (archive === undefined) return result;
      const copy = await archive.check(useCase, entries);
      const problems = [...result.problems, ...copy.problems];
      return {
        ...result,
        ok: problems.length === 0,
        problems,
        archive: { lines: copy.lines, notArchived: copy.notArchived },
      };
    },
  };
  return ledger;
}

export type Ledger = ReturnType<typeof createLedger>;
