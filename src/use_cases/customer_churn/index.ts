import type { UseCase } from '../../platform/use-case/index.js';
import { customerChurnFeatures } from './features.js';
import { generateCustomerChurn, LABEL_FIELD } from './generator.js';
import { CustomerChurnSchema } from './schema.js';

export { type CustomerChurnRecord, CustomerChurnSchema } from './schema.js';

/** Will this subscription customer leave within 90 days of the snapshot? */
export const customerChurn: UseCase<typeof CustomerChurnSchema> = {
  name: 'customer_churn',
  title: 'Customer churn',
  description:
    'Probability that a subscription customer cancels or lets the contract lapse within 90 days, to target retention offers.',
  schema: CustomerChurnSchema,
  entityIdField: 'customer_id',
  keyFields: ['customer_id'],
  piiFields: ['email'],
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
