import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { run as audit } from '../../src/cli/commands/audit.js';
import { createTableDecisionLog, type DecisionRecord } from '../../src/platform/audit/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

const saved = { ...process.env };
const table = uniqueName('decisions');

beforeAll(() => {
  process.env.AzureWebJobsStorage = inject('azuriteConnectionString');
  process.env.RISKOPS_AUDIT_TABLE = table;
});
afterAll(() => {
  process.env = saved;
});

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await audit(args), out };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}

const decision = (i: number, entityId: string, time: string): DecisionRecord => ({
  requestId: `r${i}`,
  index: 0,
  time,
  useCase: i % 2 === 0 ? 'late_payment' : 'invoice_fraud',
  modelVersion: 'v',
  modelSha256: 's',
  role: 'champion',
  entityId,
  inputs: {},
  probability: 0.25,
  band: 'review',
  action: 'a',
  reasons: [{ feature: 'amount', value: 3, contribution: 0.2, text: 't' }],
  caller: 'c',
});

describe('riskops audit find', () => {
  it('finds by entity across use cases and by date, as lines or JSON', async () => {
    const log = createTableDecisionLog({
      table: testStorage().table(table),
      entityPartitions: 8,
      timeoutMs: 10_000,
    });
    await log.append([
      decision(0, 'E-1', '2026-11-30T08:00:00.000Z'),
      decision(1, 'E-1', '2026-12-01T09:00:00.000Z'),
      decision(2, 'E-2', '2026-12-01T10:00:00.000Z'),
    ]);
    const byEntity = await cli(['find', '--entity', 'E-1', '--json']);
    expect(byEntity.code).toBe(0);
    const rows = byEntity.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as DecisionRecord);
    expect(rows.map((r) => r.requestId).sort()).toEqual(['r0', 'r1']);
    const byDate = await cli(['find', 'late_payment', '--date', '2026-12-01']);
    expect(
      byDate.out
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[8]),
    ).toEqual(['r2']);
    expect(byDate.out).toContain('amount');
    await expect(cli(['find', '--date', '2026-13-45'])).rejects.toThrow(/--date/);
    await expect(cli(['find'])).rejects.toThrow(/--entity or --date/);
  });
});
