import { createFeaturePipeline } from '../../platform/features/index.js';
import { weekday } from '../generator-kit.js';
import { CATEGORIES, COUNTRIES, type InvoiceFraudRecord } from './schema.js';

/** Local hour of submission, read from the datetime as written (the submitter's own clock). */
export function submittedHour(record: InvoiceFraudRecord): number {
  return Number(record.submitted_at.slice(11, 13));
}

/** Saturday or Sunday in the submitter's own calendar. */
export function submittedOnWeekend(record: InvoiceFraudRecord): boolean {
  const day = weekday(record.submitted_at);
  return day === 0 || day === 6;
}

/** A whole multiple of 100: invented amounts tend to be round. */
export function isRoundAmount(amount: number): boolean {
  return amount >= 100 && Math.abs(amount / 100 - Math.round(amount / 100)) < 1e-9;
}

export const invoiceFraudFeatures = createFeaturePipeline<InvoiceFraudRecord>([
  {
    kind: 'numeric',
    name: 'amount',
    description: 'Invoice amount (log1p)',
    get: (r) => r.amount,
    transform: 'log1p',
  },
  {
    kind: 'numeric',
    name: 'amount_ratio',
    description: "Amount over the vendor's average invoice (log1p); missing without history",
    get: (r) => (r.vendor_avg_amount ? r.amount / r.vendor_avg_amount : null),
    transform: 'log1p',
    missingIndicator: true,
  },
  {
    kind: 'boolean',
    name: 'is_round_amount',
    description: 'Amount is a whole multiple of 100',
    get: (r) => isRoundAmount(r.amount),
  },
  {
    kind: 'numeric',
    name: 'vendor_age_days',
    description: 'Days since the vendor was onboarded (log1p)',
    get: (r) => r.vendor_age_days,
    transform: 'log1p',
  },
  {
    kind: 'numeric',
    name: 'bank_account_changed_days_ago',
    description: 'Days since the bank account changed; missing when it never did',
    get: (r) => r.bank_account_changed_days_ago,
    missingIndicator: true,
  },
  {
    kind: 'boolean',
    name: 'near_duplicate_invoice_number',
    description: 'Another invoice of this vendor has a nearly identical number',
    get: (r) => r.near_duplicate_invoice_number,
  },
  {
    kind: 'boolean',
    name: 'submitted_weekend',
    description: 'Submitted on a Saturday or Sunday (local calendar)',
    get: submittedOnWeekend,
  },
  {
    kind: 'numeric',
    name: 'submitted_hour',
    description: 'Local hour of submission, 0–23',
    get: submittedHour,
  },
  {
    kind: 'numeric',
    name: 'approver_count',
    description: 'Approvals collected before payment',
    get: (r) => r.approver_count,
  },
  {
    kind: 'boolean',
    name: 'po_matched',
    description: 'Matched to a purchase order and goods receipt',
    get: (r) => r.po_matched,
  },
  {
    kind: 'numeric',
    name: 'line_items',
    description: 'Invoice lines (log1p)',
    get: (r) => r.line_items,
    transform: 'log1p',
  },
  {
    kind: 'categorical',
    name: 'country',
    description: "Vendor's country",
    get: (r) => r.country,
    categories: COUNTRIES,
  },
  {
    kind: 'categorical',
    name: 'category',
    description: 'Spend category',
    get: (r) => r.category,
    categories: CATEGORIES,
  },
]);
