import { z } from 'zod';
import { REQUIRED } from '../generator-kit.js';

export const CONTRACT_TYPES = ['monthly', 'annual', 'two_year'] as const;
export const PLANS = ['basic', 'standard', 'premium'] as const;
export const REGIONS = ['emea', 'north_america', 'latam', 'apac'] as const;
/** Used only for the four-fifths fairness check; never a model feature. */
export const AGE_BANDS = ['18-34', '35-54', '55+'] as const;

/**
 * One subscription customer at a monthly snapshot. Unknown keys (such as the label column of a labeled
 * file) are dropped, so they never reach features or the audit trail.
 */
export const CustomerChurnSchema = z.object({
  customer_id: z.string(REQUIRED).min(1).max(64),
  email: z.email(REQUIRED),
  snapshot_date: z.iso.date(REQUIRED),
  tenure_months: z.number(REQUIRED).int().min(0).max(1200),
  monthly_spend: z.number(REQUIRED).min(0).max(1e7),
  /** Spend of the last 3 months over the 3 before, minus 1: -1 means it fell to zero. */
  spend_trend_3m: z.number(REQUIRED).min(-1).max(10),
  support_tickets_90d: z.number(REQUIRED).int().min(0).max(10_000),
  /** Absent when the customer never logged in. */
  days_since_last_login: z.number().int().min(0).max(36_500).nullish(),
  contract_type: z.enum(CONTRACT_TYPES, REQUIRED),
  /** Months until the contract renews; absent for monthly contracts. */
  months_to_renewal: z.number().int().min(0).max(24).nullish(),
  auto_renew: z.boolean(REQUIRED),
  payment_failures_90d: z.number(REQUIRED).int().min(0).max(1000),
  plan: z.enum(PLANS, REQUIRED),
  discount_pct: z.number(REQUIRED).min(0).max(100),
  seats: z.number(REQUIRED).int().min(1).max(1_000_000),
  /** Latest survey answer, 0–10; absent when the customer never answered. */
  nps_score: z.number().int().min(0).max(10).nullish(),
  region: z.enum(REGIONS, REQUIRED),
  age_band: z.enum(AGE_BANDS, REQUIRED),
});

export type CustomerChurnRecord = z.infer<typeof CustomerChurnSchema>;
