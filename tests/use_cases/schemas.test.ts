import { describe, expect, it } from 'vitest';
import { customerChurn } from '../../src/use_cases/customer_churn/index.js';
import {
  isRoundAmount,
  submittedHour,
  submittedOnWeekend,
} from '../../src/use_cases/invoice_fraud/features.js';
import { type InvoiceFraudRecord, invoiceFraud } from '../../src/use_cases/invoice_fraud/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';

const invoice = latePayment.generate({ rows: 1, seed: 1 })[0] ?? {};
const supplierInvoice = invoiceFraud.generate({ rows: 1, seed: 1 })[0] ?? {};

function issuesOf(schema: { safeParse(input: unknown): { error?: { issues: unknown[] } } }, input: unknown) {
  return (schema.safeParse(input).error?.issues ?? []) as { path: PropertyKey[]; message: string }[];
}

describe('input schemas', () => {
  it('report each bad field by path with a readable message', () => {
    const issues = issuesOf(latePayment.schema, {
      ...invoice,
      amount: '1,234.50',
      prior_late_rate: 1.4,
      country: 'XX',
      invoice_id: undefined,
    });
    const byPath = Object.fromEntries(issues.map((issue) => [issue.path.join('.'), issue.message]));
    expect(byPath.amount).toMatch(/expected number, received string/);
    expect(byPath.prior_late_rate).toMatch(/<=1/);
    expect(byPath.country).toMatch(/expected one of/);
    expect(byPath.invoice_id).toBe('Required field is missing');
  });

  it('reject a due date before the invoice date', () => {
    const issues = issuesOf(latePayment.schema, { ...invoice, due_date: '2025-12-01' });
    expect(issues).toEqual([expect.objectContaining({ path: ['due_date'] })]);
  });

  it('accept null for optional fields and drop unknown keys such as the label', () => {
    const result = latePayment.schema.safeParse({ ...invoice, prior_late_rate: null, extra_column: 'x' });
    expect(result.success).toBe(true);
    expect(result.data).not.toHaveProperty('extra_column');
    expect(result.data).not.toHaveProperty(latePayment.label.field);
  });

  it('reject impossible dates and datetimes without an offset', () => {
    expect(latePayment.schema.safeParse({ ...invoice, invoice_date: '2026-02-30' }).success).toBe(false);
    const local = { ...supplierInvoice, submitted_at: '2026-01-03T10:00:00' };
    expect(invoiceFraud.schema.safeParse(local).success).toBe(false);
  });
});

describe('derived features', () => {
  const at = (submitted_at: string) => ({ ...supplierInvoice, submitted_at }) as InvoiceFraudRecord;

  it('read weekday and hour from the datetime as the submitter wrote it', () => {
    expect(submittedOnWeekend(at('2026-01-03T23:30:00+01:00'))).toBe(true);
    expect(submittedOnWeekend(at('2026-01-05T00:30:00+01:00'))).toBe(false);
    expect(submittedHour(at('2026-01-05T00:30:00+01:00'))).toBe(0);
  });

  it('spot round amounts', () => {
    expect(isRoundAmount(12_300)).toBe(true);
    expect(isRoundAmount(12_300.5)).toBe(false);
    expect(isRoundAmount(50)).toBe(false);
  });

  it('encode amount_ratio as missing without vendor history', () => {
    const record = invoiceFraud.schema.parse({ ...supplierInvoice, vendor_avg_amount: undefined });
    const raw = invoiceFraud.features.raw(record);
    const index = invoiceFraud.features.inputs.findIndex((input) => input.name === 'amount_ratio');
    expect(raw[index]).toBeNull();
    const out = new Float32Array(invoiceFraud.features.width);
    invoiceFraud.features.encode(record, { medians: { amount_ratio: 0.7 }, booleanRates: {} }, out);
    const column = invoiceFraud.features.names.indexOf('amount_ratio__missing');
    expect(out[column]).toBe(1);
    expect(out[column - 1]).toBeCloseTo(0.7);
  });

  it('never use the sensitive attribute as a model input', () => {
    expect(customerChurn.features.names.some((name) => name.startsWith('age_band'))).toBe(false);
  });
});
