import { join } from 'node:path';
import type { Settings } from '../config/index.js';
import type { StorageClients } from '../storage/index.js';
import { createBlobDecisionLog, writerIdFor } from './blob-log.js';
import { createDecisionIndexer } from './indexer.js';
import { createSpooledDecisionLog } from './spool.js';
import { createTableDecisionLog, findInTable } from './table-log.js';
import { createTableReplay } from './table-replay.js';
import type { DecisionLog } from './types.js';

/** Where the spool journal lives: `{RISKOPS_DATA_DIR}/audit-spool`. */
export const spoolDir = (settings: Settings): string => join(settings.RISKOPS_DATA_DIR, 'audit-spool');

/**
 * The log proper. `blob` (default): group commits are appends to this writer's blob of the day in
 * RISKOPS_AUDIT_CONTAINER (write-once in Azure) and the table is an index built from the blobs; `table`: group
 * commits are table transactions (two rows per decision, by day and by entity).
 */
function primaryLog(settings: Settings, clients: StorageClients, storage: StorageClients): DecisionLog {
  const partitions = settings.RISKOPS_AUDIT_ENTITY_PARTITIONS;
  if (settings.RISKOPS_AUDIT_COMMIT === 'table')
    return createTableDecisionLog({
      table: clients.table(settings.RISKOPS_AUDIT_TABLE),
      entityPartitions: partitions,
      timeoutMs: settings.RISKOPS_AUDIT_TIMEOUT_MS,
    });
  const index = storage.table(settings.RISKOPS_AUDIT_TABLE);
  return createBlobDecisionLog({
    container: clients.container(settings.RISKOPS_AUDIT_CONTAINER),
    writerId: writerIdFor(),
    timeoutMs: settings.RISKOPS_AUDIT_TIMEOUT_MS,
    indexer: createDecisionIndexer({
      container: storage.container(settings.RISKOPS_AUDIT_CONTAINER),
      table: index,
      write: createTableReplay({
        table: index,
        entityPartitions: partitions,
        timeoutMs: settings.RISKOPS_AUDIT_TIMEOUT_MS,
      }),
      lookbackDays: settings.RISKOPS_AUDIT_INDEX_LOOKBACK_DAYS,
    }),
    read: findInTable(index, partitions),
  });
}

/**
 * The decision log the host serves with. With RISKOPS_AUDIT_SPOOL (default) the log sits behind the local
 * write-ahead spool and writes through the fast storage clients (short per-try timeout, one retry), so a
 * storage outage costs at most RISKOPS_AUDIT_SPOOL_AFTER_MS for the first requests; without it, the bare log
 * (a request answers 503 whenever the log cannot be written).
 */
export async function createDecisionLogFromSettings(
  settings: Settings,
  storage: StorageClients,
): Promise<DecisionLog> {
  const spool = settings.RISKOPS_AUDIT_SPOOL;
  const clients = spool ? storage.fast() : storage;
  const primary = primaryLog(settings, clients, storage);
  if (!spool) return primary;
  const replay =
    settings.RISKOPS_AUDIT_COMMIT === 'table'
      ? createTableReplay({
          table: clients.table(settings.RISKOPS_AUDIT_TABLE),
          entityPartitions: settings.RISKOPS_AUDIT_ENTITY_PARTITIONS,
          timeoutMs: settings.RISKOPS_STORAGE_FAST_TIMEOUT_MS,
        })
      : // Replayed records are appended to the blobs like any others (the index picks them up from there).
        (records: Parameters<DecisionLog['append']>[0]) => primary.append(records);
  return createSpooledDecisionLog({
    primary,
    replay,
    dir: spoolDir(settings),
    directTimeoutMs: Math.min(settings.RISKOPS_AUDIT_SPOOL_AFTER_MS, settings.RISKOPS_AUDIT_TIMEOUT_MS),
    replayIntervalMs: settings.RISKOPS_AUDIT_SPOOL_REPLAY_MS,
    maxBytes: settings.RISKOPS_AUDIT_SPOOL_MAX_MB * 1024 * 1024,
    journalTimeoutMs: settings.RISKOPS_AUDIT_TIMEOUT_MS,
  });
}

/**
 * Reading the decision log from outside the host (`riskops audit find`): with blob commits, the index is
 * first brought up to date with the blobs, so every decision committed before the call is found.
 */
export function createDecisionReaderFromSettings(
  settings: Settings,
  storage: StorageClients,
): Pick<DecisionLog, 'find'> {
  return primaryLog(settings, storage, storage);
}
