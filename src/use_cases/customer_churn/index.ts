import type { SyntheticUseCase } from '../../platform/use-case/index.js';
import { customerChurnFeatures } from './features.js';
import { generateCustomerChurn, LABEL_FIELD } from './generator.js';
import { CustomerChurnSchema } from './schema.js';

export { type CustomerChurnRecord, CustomerChurnSchema } from './schema.js';

/** Will this subscription customer leave within 90 days of the snapshot? */
export const customerChurn: SyntheticUseCase<typeof CustomerChurnSchema> = {
  name: 'customer_churn',
  title: 'Customer churn',
  description:
    'Probability that a subscription customer cancels or lets the contract lapse within 90 days, to target retention offers.',
  schema: CustomerChurnSchema,
  entityIdField: 'customer_id',
  keyFields: ['customer_id'],
  piiFields: ['email'],
  reasonTexts: {
    tenure_months: 'Customer is relatively new',
    monthly_spend: 'Monthly spend level is associated with churn',
    spend_per_seat: 'Spend per seat is associated with churn',
    spend_trend_3m: 'Spend has been falling over the last three months',
    support_tickets_90d: 'Many support tickets in the last 90 days',
    days_since_last_login: 'Long time since the last login',
    contract_type: 'Contract type allows leaving easily',
    months_to_renewal: 'Renewal is close',
    auto_renew: 'Does not renew automatically',
    payment_failures_90d: 'Recent payment failures',
    plan: 'Plan is associated with churn',
    discount_pct: 'Discount level is associated with churn',
    seats: 'Number of seats is associated with churn',
    nps_score: 'Low satisfaction (NPS)',
    region: 'Region is associated with churn',
  },
  features: customerChurnFeatures,
  bands: [
    { name: 'low', upTo: 0.15, action: 'no_action' },
    { name: 'review', upTo: 0.4, action: 'customer_success_check_in' },
    { name: 'high', upTo: 1.0000001, action: 'retention_offer' },
  ],
  label: {
    field: LABEL_FIELD,
    description: '1 when the customer cancelled or did not renew within 90 days after snapshot_date',
    maturityDays: 90,
    maturityFrom: 'snapshot_date',
  },
  drift: { watch: 0.1, act: 0.2, persistence: { k: 2, n: 3 }, cooldownHours: 72, minRows: 500 },
  training: {
    algorithm: 'gbdt',
    seed: 20260103,
    syntheticRows: 40_000,
    validationFraction: 0.15,
    holdoutFraction: 0.15,
    gbdt: {
      nEstimators: 250,
      learningRate: 0.1,
      maxDepth: 4,
      maxLeaves: 31,
      minChildWeight: 3,
      l2: 1,
      rowSubsample: 0.8,
      colSubsample: 0.8,
      maxBins: 64,
      earlyStoppingRounds: 20,
    },
    logistic: { l2: 0.01, maxIterations: 100, tolerance: 1e-6 },
    gate: {
      minAuc: 0.75,
      maxBrier: 0.15,
      maxEce: 0.05,
      maxAucDropVsChampion: 0.01,
      minFavourableRatio: 0.8,
    },
    segmentAttribute: 'region',
    sensitiveAttribute: 'age_band',
    gateOnFairness: false,
  },
  generate: generateCustomerChurn,
};
