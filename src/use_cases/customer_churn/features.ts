import { createFeaturePipeline } from '../../platform/features/index.js';
import { CONTRACT_TYPES, type CustomerChurnRecord, PLANS, REGIONS } from './schema.js';

/** age_band is deliberately absent: it is the sensitive attribute of the fairness check. */
export const customerChurnFeatures = createFeaturePipeline<CustomerChurnRecord>([
  {
    kind: 'numeric',
    name: 'tenure_months',
    description: 'Months as a customer (log1p)',
    get: (r) => r.tenure_months,
    transform: 'log1p',
  },
  {
    kind: 'numeric',
    name: 'monthly_spend',
    description: 'Current monthly spend (log1p)',
    get: (r) => r.monthly_spend,
    transform: 'log1p',
  },
  {
    kind: 'numeric',
    name: 'spend_per_seat',
    description: 'Monthly spend per seat (log1p)',
    get: (r) => r.monthly_spend / r.seats,
    transform: 'log1p',
  },
  {
    kind: 'numeric',
    name: 'spend_trend_3m',
    description: 'Relative change of spend over the last three months',
    get: (r) => r.spend_trend_3m,
  },
  {
    kind: 'numeric',
    name: 'support_tickets_90d',
    description: 'Support tickets opened in the last 90 days',
    get: (r) => r.support_tickets_90d,
  },
  {
    kind: 'numeric',
    name: 'days_since_last_login',
    description: 'Days since any user of the account last logged in; missing when never',
    get: (r) => r.days_since_last_login,
    missingIndicator: true,
  },
  {
    kind: 'categorical',
    name: 'contract_type',
    description: 'Contract length',
    get: (r) => r.contract_type,
    categories: CONTRACT_TYPES,
  },
  {
    kind: 'numeric',
    name: 'months_to_renewal',
    description: 'Months until the contract renews; missing for monthly contracts',
    get: (r) => r.months_to_renewal,
    missingIndicator: true,
  },
  { kind: 'boolean', name: 'auto_renew', description: 'Renews automatically', get: (r) => r.auto_renew },
  {
    kind: 'numeric',
    name: 'payment_failures_90d',
    description: 'Failed payment attempts in the last 90 days',
    get: (r) => r.payment_failures_90d,
  },
  {
    kind: 'categorical',
    name: 'plan',
    description: 'Subscription plan',
    get: (r) => r.plan,
    categories: PLANS,
  },
  {
    kind: 'numeric',
    name: 'discount_pct',
    description: 'Discount on list price, percent',
    get: (r) => r.discount_pct,
  },
  {
    kind: 'numeric',
    name: 'seats',
    description: 'Licensed seats (log1p)',
    get: (r) => r.seats,
    transform: 'log1p',
  },
  {
    kind: 'numeric',
    name: 'nps_score',
    description: 'Latest NPS answer 0–10; missing when never answered',
    get: (r) => r.nps_score,
    missingIndicator: true,
  },
  {
    kind: 'categorical',
    name: 'region',
    description: 'Sales region',
    get: (r) => r.region,
    categories: REGIONS,
  },
]);
