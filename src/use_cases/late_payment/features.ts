import { createFeaturePipeline } from '../../platform/features/index.js';
import { daysBetween } from '../generator-kit.js';
import { CHANNELS, COUNTRIES, INDUSTRIES, type LatePaymentRecord } from './schema.js';

/** Due date falls in the last seven days of a calendar quarter, when many payers freeze outflows. */
export function dueAtQuarterEnd(record: LatePaymentRecord): boolean {
  const month = Number(record.due_date.slice(5, 7));
  const day = Number(record.due_date.slice(8, 10));
  return month % 3 === 0 && day >= 24;
}

export const latePaymentFeatures = createFeaturePipeline<LatePaymentRecord>([
  {
    kind: 'numeric',
    name: 'amount',
    description: 'Invoice amount (log1p), in its own currency',
    get: (r) => r.amount,
    transform: 'log1p',
  },
  {
    kind: 'numeric',
    name: 'payment_terms_days',
    description: 'Contractual payment terms in days',
    get: (r) => r.payment_terms_days,
  },
  {
    kind: 'numeric',
    name: 'days_to_due',
    description: 'Days from invoice date to due date (terms plus any negotiated extension)',
    get: (r) => daysBetween(r.invoice_date, r.due_date),
  },
  {
    kind: 'numeric',
    name: 'customer_tenure_months',
    description: 'Months since the customer relationship started',
    get: (r) => r.customer_tenure_months,
  },
  {
    kind: 'numeric',
    name: 'prior_invoices',
    description: 'Invoices issued to this customer before (log1p)',
    get: (r) => r.prior_invoices,
    transform: 'log1p',
  },
  {
    kind: 'numeric',
    name: 'prior_late_rate',
    description: 'Share of earlier invoices paid more than 30 days late',
    get: (r) => r.prior_late_rate,
    missingIndicator: true,
  },
  {
    kind: 'numeric',
    name: 'avg_days_late',
    description: 'Average days past due of earlier invoices',
    get: (r) => r.avg_days_late,
    missingIndicator: true,
  },
  {
    kind: 'numeric',
    name: 'credit_limit_utilisation',
    description: 'Open receivables over credit limit',
    get: (r) => r.credit_limit_utilisation,
    missingIndicator: true,
  },
  { kind: 'boolean', name: 'disputed', description: 'Invoice is under dispute', get: (r) => r.disputed },
  {
    kind: 'boolean',
    name: 'due_at_quarter_end',
    description: 'Due date in the last week of a calendar quarter',
    get: dueAtQuarterEnd,
  },
  {
    kind: 'categorical',
    name: 'industry',
    description: "Customer's industry",
    get: (r) => r.industry,
    categories: INDUSTRIES,
  },
  {
    kind: 'categorical',
    name: 'country',
    description: "Customer's country (ISO 3166-1 alpha-2)",
    get: (r) => r.country,
    categories: COUNTRIES,
  },
  {
    kind: 'categorical',
    name: 'channel',
    description: 'How the invoice was delivered',
    get: (r) => r.channel,
    categories: CHANNELS,
  },
]);
