import type { SyntheticUseCase } from '../../platform/use-case/index.js';
import { latePaymentFeatures } from './features.js';
import { generateLatePayment, LABEL_FIELD } from './generator.js';
import { LatePaymentSchema } from './schema.js';

export { type LatePaymentRecord, LatePaymentSchema } from './schema.js';

/** Will this invoice be paid more than 30 days after its due date? */
export const latePayment: SyntheticUseCase<typeof LatePaymentSchema> = {
  name: 'late_payment',
  title: 'Late payment',
  description:
    'Probability that an open invoice is paid more than 30 days after its due date, to prioritise dunning and credit holds.',
  schema: LatePaymentSchema,
  entityIdField: 'invoice_id',
  keyFields: ['invoice_id', 'customer_id'],
  piiFields: ['customer_name', 'customer_email'],
  reasonTexts: {
    amount: 'Invoice amount is associated with later payment',
    payment_terms_days: 'Payment terms are associated with later payment',
    days_to_due: 'Time from invoice to due date is associated with later payment',
    customer_tenure_months: 'Length of the customer relationship raises the risk',
    prior_invoices: 'Little or unusual invoice history with this customer',
    prior_late_rate: 'Customer paid earlier invoices late',
    avg_days_late: 'Earlier invoices were paid many days past due',
    credit_limit_utilisation: 'Open receivables are high relative to the credit limit',
    disputed: 'Invoice is under dispute',
    due_at_quarter_end: 'Due date falls at quarter end, when payers freeze outflows',
    industry: "Customer's industry pays late more often",
    country: "Customer's country pays late more often",
    channel: 'Delivery channel is associated with later payment',
  },
  features: latePaymentFeatures,
  bands: [
    { name: 'low', upTo: 0.2, action: 'standard_dunning' },
    { name: 'review', upTo: 0.5, action: 'early_reminder' },
    { name: 'high', upTo: 1.0000001, action: 'collections_call_and_credit_review' },
  ],
  label: {
    field: LABEL_FIELD,
    description: '1 when the invoice was paid more than 30 days after due_date (or is still unpaid then)',
    maturityDays: 30,
    maturityFrom: 'due_date',
  },
  drift: { watch: 0.1, act: 0.2, persistence: { k: 2, n: 3 }, cooldownHours: 72, minRows: 500 },
  training: {
    algorithm: 'gbdt',
    seed: 20260101,
    syntheticRows: 40_000,
    validationFraction: 0.15,
    holdoutFraction: 0.15,
    gbdt: {
      nEstimators: 300,
      learningRate: 0.1,
      maxDepth: 5,
      maxLeaves: 31,
      minChildWeight: 5,
      l2: 1,
      rowSubsample: 0.8,
      colSubsample: 0.8,
      maxBins: 64,
      earlyStoppingRounds: 20,
    },
    logistic: { l2: 0.01, maxIterations: 100, tolerance: 1e-6 },
    gate: { minAuc: 0.75, maxBrier: 0.2, maxEce: 0.05, maxAucDropVsChampion: 0.01 },
    segmentAttribute: 'country',
    gateOnFairness: false,
  },
  generate: generateLatePayment,
};
