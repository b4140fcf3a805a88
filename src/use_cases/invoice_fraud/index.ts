import type { SyntheticUseCase } from '../../platform/use-case/index.js';
import { invoiceFraudFeatures } from './features.js';
import { generateInvoiceFraud, LABEL_FIELD } from './generator.js';
import { InvoiceFraudSchema } from './schema.js';

export { type InvoiceFraudRecord, InvoiceFraudSchema } from './schema.js';

/** Is this supplier invoice fraudulent? Positives are rare (about 1%), so the cut-offs are low. */
export const invoiceFraud: SyntheticUseCase<typeof InvoiceFraudSchema> = {
  name: 'invoice_fraud',
  title: 'Invoice fraud',
  description:
    'Probability that a supplier invoice is fraudulent (fake vendor, bank-detail takeover, duplicate billing), to hold payment for review.',
  schema: InvoiceFraudSchema,
  entityIdField: 'invoice_id',
  keyFields: ['invoice_id', 'invoice_number', 'vendor_id'],
  piiFields: ['vendor_name'],
  reasonTexts: {
    amount: 'Invoice amount is unusual',
    amount_ratio: "Amount is out of line with the vendor's usual invoices",
    is_round_amount: 'Amount is a round number',
    vendor_age_days: 'Vendor relationship is new',
    bank_account_changed_days_ago: "Vendor's bank account changed recently",
    near_duplicate_invoice_number: 'Invoice number nearly duplicates an earlier one',
    submitted_weekend: 'Submitted on a weekend',
    submitted_hour: 'Submitted at an unusual hour',
    approver_count: 'Few approvers signed off',
    po_matched: 'Not matched to a purchase order',
    line_items: 'Number of line items is unusual',
    country: "Vendor's country carries more fraud",
    category: 'Spend category carries more fraud',
  },
  features: invoiceFraudFeatures,
  bands: [
    { name: 'low', upTo: 0.02, action: 'release_payment' },
    { name: 'review', upTo: 0.15, action: 'ap_review_before_payment' },
    { name: 'high', upTo: 1.0000001, action: 'hold_payment_and_verify_vendor' },
  ],
  label: {
    field: LABEL_FIELD,
    description: '1 when the invoice was confirmed fraudulent by investigation',
    maturityDays: 60,
    maturityFrom: 'submitted_at',
  },
  drift: { watch: 0.1, act: 0.2, persistence: { k: 2, n: 3 }, cooldownHours: 72, minRows: 500 },
  training: {
    algorithm: 'gbdt',
    seed: 20260102,
    syntheticRows: 80_000,
    validationFraction: 0.15,
    holdoutFraction: 0.2,
    gbdt: {
      nEstimators: 300,
      learningRate: 0.1,
      maxDepth: 4,
      maxLeaves: 31,
      minChildWeight: 1,
      l2: 1,
      rowSubsample: 0.8,
      colSubsample: 0.8,
      maxBins: 64,
      earlyStoppingRounds: 20,
    },
    logistic: { l2: 0.1, maxIterations: 100, tolerance: 1e-6 },
    gate: { minAuc: 0.85, maxBrier: 0.02, maxEce: 0.01, maxAucDropVsChampion: 0.01 },
    segmentAttribute: 'category',
    gateOnFairness: false,
  },
  generate: generateInvoiceFraud,
};
