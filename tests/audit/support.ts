import type { ContainerClient } from '@azure/storage-blob';
import {
  createBlobDecisionLog,
  createDecisionIndexer,
  createTableReplay,
  type DecisionRecord,
  findInTable,
} from '../../src/platform/audit/index.js';
import { testStorage } from '../support/storage.js';

/** `n` decision records of one day, request ids `{tag}-{i}`, over 13 entities. */
export function records(n: number, tag: string, day = '2026-12-01'): DecisionRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    requestId: `${tag}-${i}`,
    index: 0,
    time: `${day}T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`,
    useCase: 'late_payment',
    modelVersion: 'v1',
    modelSha256: 'a'.repeat(64),
    role: 'champion',
    entityId: `INV-${i % 13}`,
    inputs: { invoice_id: `INV-${i % 13}`, amount: i },
    probability: (i % 100) / 100,
    band: 'low',
    action: 'none',
    reasons: [],
    caller: 'test',
  }));
}

/** A decision log committed to blobs in `container`, indexed into `tableName` (the run's Azurite). */
export function blobLog(
  container: ContainerClient,
  tableName: string,
  extra: { maxBlocks?: number; now?: () => Date } = {},
  partitions = 4,
) {
  const storage = testStorage();
  const table = storage.table(tableName);
  const indexer = createDecisionIndexer({
    container: storage.container(container.containerName),
    table,
    write: createTableReplay({ table, entityPartitions: partitions, timeoutMs: 10_000 }),
    lookbackDays: 2,
    ...(extra.now === undefined ? {} : { now: extra.now }),
  });
  const log = createBlobDecisionLog({
    container,
    writerId: 'test-writer',
    timeoutMs: 10_000,
    indexer,
    read: findInTable(table, partitions),
    ...extra,
  });
  return { log, indexer, table };
}
