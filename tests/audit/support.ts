import type { DecisionRecord } from '../../src/platform/audit/index.js';

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
