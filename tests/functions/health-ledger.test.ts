import { odata } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { createLedgerMonitor } from '../../src/platform/registry/index.js';
import type { HealthReport } from '../../src/platform/runtime/health.js';
import { withLedger } from '../../src/platform/runtime/health-ledger.js';
import { alice, testModel, testRegistry, testUseCase } from '../registry/support/fixtures.js';

const UC = testUseCase.name;

const healthy: HealthReport = {
  status: 'healthy',
  storage: {
    blob: { ok: true, latencyMs: 1 },
    queue: { ok: true, latencyMs: 1 },
    table: { ok: true, latencyMs: 1 },
  },
  models: {},
};

describe('health and the ledger chain', () => {
  it('stays healthy on an intact ledger and turns degraded, naming the entry, once one is edited', async () => {
    const { registry, storage, ledgerTable } = testRegistry();
    await registry.push(UC, testModel(1).bytes, testModel(1).manifest, alice);
    let clock = 0;
    const monitor = createLedgerMonitor({ registry, useCases: [UC], maxAgeMs: 1000, now: () => clock });
    expect(monitor.latest()).toBeNull(); // never waits: the first call only starts a verification

    await monitor.check();
    const intact = withLedger(healthy, monitor.latest(), Date.now());
    expect(intact.status).toBe('healthy');
    expect(intact.ledger?.ok).toBe(true);

    const table = storage.table(ledgerTable);
    for await (const row of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${UC} and action eq ${'push'}` },
    })) {
      await table.updateEntity({ partitionKey: UC, rowKey: String(row.rowKey), actor: 'mallory' }, 'Merge');
    }
    clock = 5000; // the cached result is stale: the next check verifies again
    await monitor.check();
    const broken = withLedger(healthy, monitor.latest(), Date.now());
    expect(broken.status).toBe('degraded');
    expect(broken.ledger?.ok).toBe(false);
    expect(broken.degraded?.reasons.join('\n')).toMatch(new RegExp(`ledger of ${UC} fails verification`));
  });
});
