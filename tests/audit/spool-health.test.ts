import { describe, expect, it } from 'vitest';
import type { HealthReport } from '../../src/platform/runtime/health.js';
import { withDecisionLog } from '../../src/platform/runtime/health-decisions.js';

const up = { ok: true, latencyMs: 1 };
const healthy: HealthReport = { status: 'healthy', storage: { blob: up, queue: up, table: up }, models: {} };
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const direct = { mode: 'direct' as const, pendingRecords: 0, rejectedRecords: 0, corruptSegments: 0 };

describe('health with the decision log spool', () => {
  it('stays healthy while records go straight to the table, and shows the log', () => {
    const report = withDecisionLog(healthy, direct, NOW);
    expect(report.status).toBe('healthy');
    expect(report.decisionLog).toEqual(direct);
    expect(withDecisionLog(healthy, undefined, NOW)).toEqual(healthy);
  });

  it('is degraded while spooling, with the pending count and since when', () => {
    const since = '2026-12-01T11:59:30.000Z';
    const report = withDecisionLog(
      healthy,
      { ...direct, mode: 'spooling', pendingRecords: 42, since, lastError: 'connect ECONNREFUSED' },
      NOW,
    );
    expect(report.status).toBe('degraded');
    expect(report.degraded).toEqual({
      since,
      seconds: 30,
      reasons: [
        'decision log spooling to local disk: 42 records not yet in the table (connect ECONNREFUSED)',
      ],
    });
  });

  it('keeps the earlier since and the other reasons, and never turns unhealthy into degraded', () => {
    const earlier = '2026-12-01T11:00:00.000Z';
    const degraded: HealthReport = {
      ...healthy,
      status: 'degraded',
      degraded: { since: earlier, seconds: 3600, reasons: ['blob storage unreachable'] },
    };
    const spooling = { ...direct, pendingRecords: 3, since: '2026-12-01T11:59:00.000Z' };
    const report = withDecisionLog(degraded, spooling, NOW);
    expect(report.degraded?.since).toBe(earlier);
    expect(report.degraded?.reasons).toHaveLength(2);
    expect(withDecisionLog({ ...degraded, status: 'unhealthy' }, spooling, NOW).status).toBe('unhealthy');
    expect(withDecisionLog(healthy, { ...direct, rejectedRecords: 1 }, NOW).status).toBe('degraded');
  });

  it('shows the blob log index, and is degraded only when it cannot be brought up to date', () => {
    const index = { pendingBytes: 0, indexedRecords: 12, unreadableLines: 0, unindexableRecords: 0 };
    const fine = withDecisionLog(healthy, { ...direct, index }, NOW);
    expect(fine.status).toBe('healthy');
    expect(fine.decisionLog?.index).toEqual(index);
    const behind = withDecisionLog(
      healthy,
      { ...direct, index: { ...index, pendingBytes: 4096, lastError: 'table timed out' } },
      NOW,
    );
    expect(behind.status).toBe('degraded');
    expect(behind.degraded?.reasons).toEqual([
      'decision index behind the blobs (4096 bytes): table timed out',
    ]);
  });
});
