import { join } from 'node:path';
import type { Settings } from '../config/index.js';
import type { StorageClients } from '../storage/index.js';
import { createSpooledDecisionLog } from './spool.js';
import { createTableDecisionLog } from './table-log.js';
import { createTableReplay } from './table-replay.js';
import type { DecisionLog } from './types.js';

/** Where the spool journal lives: `{RISKOPS_DATA_DIR}/audit-spool`. */
export const spoolDir = (settings: Settings): string => join(settings.RISKOPS_DATA_DIR, 'audit-spool');

/**
 * The decision log the host serves with. With RISKOPS_AUDIT_SPOOL (default) the table log sits behind the
 * local write-ahead spool and uses the fast storage clients (short per-try timeout, one retry), so a storage
 * outage costs at most RISKOPS_AUDIT_SPOOL_AFTER_MS for the first requests; without it, the bare table log
 * (a request answers 503 whenever the table cannot be written).
 */
export async function createDecisionLogFromSettings(
  settings: Settings,
  storage: StorageClients,
): Promise<DecisionLog> {
  const spool = settings.RISKOPS_AUDIT_SPOOL;
  const clients = spool ? storage.fast() : storage;
  const table = clients.table(settings.RISKOPS_AUDIT_TABLE);
  const primary = createTableDecisionLog({
    table,
    entityPartitions: settings.RISKOPS_AUDIT_ENTITY_PARTITIONS,
    timeoutMs: settings.RISKOPS_AUDIT_TIMEOUT_MS,
  });
  if (!spool) return primary;
  return createSpooledDecisionLog({
    primary,
    replay: createTableReplay({
      table,
      entityPartitions: settings.RISKOPS_AUDIT_ENTITY_PARTITIONS,
      timeoutMs: settings.RISKOPS_STORAGE_FAST_TIMEOUT_MS,
    }),
    dir: spoolDir(settings),
    directTimeoutMs: Math.min(settings.RISKOPS_AUDIT_SPOOL_AFTER_MS, settings.RISKOPS_AUDIT_TIMEOUT_MS),
    replayIntervalMs: settings.RISKOPS_AUDIT_SPOOL_REPLAY_MS,
    maxBytes: settings.RISKOPS_AUDIT_SPOOL_MAX_MB * 1024 * 1024,
    journalTimeoutMs: settings.RISKOPS_AUDIT_TIMEOUT_MS,
  });
}
