import { describe, expect, it } from 'vitest';
import type { LabeledRow } from '../../src/platform/use-case/index.js';
import { customerChurn } from '../../src/use_cases/customer_churn/index.js';
import { addDays, daysBetween, weekday } from '../../src/use_cases/generator-kit.js';
import { invoiceFraud } from '../../src/use_cases/invoice_fraud/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';

const logit = (p: number) => Math.log(p / (1 - p));

/**
 * Interaction in log-odds of two row conditions: zero when their effects add up, as a logistic model
 * assumes. Positive means the pair is riskier than its parts, which trees can learn and a linear model cannot.
 */
function interaction(
  rows: readonly LabeledRow[],
  label: string,
  a: (row: LabeledRow) => boolean,
  b: (row: LabeledRow) => boolean,
): number {
  const cells = [0, 1, 2, 3].map(() => ({ n: 1, positives: 0.5 }));
  for (const row of rows) {
    const cell = cells[(a(row) ? 2 : 0) + (b(row) ? 1 : 0)];
    if (cell === undefined) continue;
    cell.n++;
    cell.positives += Number(row[label]);
  }
  const [none, onlyB, onlyA, both] = cells.map((cell) => logit(cell.positives / cell.n)) as [
    number,
    number,
    number,
    number,
  ];
  return both - onlyA - onlyB + none;
}

describe('synthetic labels depend on features non-linearly', () => {
  it('late payment: a dispute hurts far more at high credit utilisation', () => {
    const rows = latePayment.generate({ rows: 20_000, seed: 21 });
    const value = interaction(
      rows,
      latePayment.label.field,
      (r) => r.disputed === true,
      (r) => Number(r.credit_limit_utilisation ?? 0) > 0.8,
    );
    expect(value).toBeGreaterThan(0.5);
  });

  it('invoice fraud: a near-duplicate number is damning only without a PO match', () => {
    const rows = invoiceFraud.generate({ rows: 40_000, seed: 22 });
    const value = interaction(
      rows,
      invoiceFraud.label.field,
      (r) => r.near_duplicate_invoice_number === true,
      (r) => r.po_matched === false,
    );
    expect(value).toBeGreaterThan(1.5);
  });

  it('customer churn: many tickets from an unhappy customer', () => {
    const rows = customerChurn.generate({ rows: 20_000, seed: 23 });
    const value = interaction(
      rows,
      customerChurn.label.field,
      (r) => Number(r.support_tickets_90d) >= 3,
      (r) => r.nps_score !== undefined && Number(r.nps_score) <= 6,
    );
    expect(value).toBeGreaterThan(0.5);
  });
});

describe('date helpers', () => {
  it('count days across month and leap-year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(daysBetween('2026-01-01', '2026-03-01')).toBe(59);
    expect(weekday('2026-01-03')).toBe(6);
    expect(weekday('2026-01-04T09:00:00-05:00')).toBe(0);
  });
});

describe('generation', () => {
  it('makes 100k rows of every use case quickly', () => {
    for (const useCase of [latePayment, invoiceFraud, customerChurn]) {
      const started = performance.now();
      useCase.generate({ rows: 100_000, seed: 1 });
      expect(performance.now() - started, useCase.name).toBeLessThan(4000);
    }
  });
});
