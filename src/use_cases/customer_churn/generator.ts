import type { GeneratorOptions, LabeledRow } from '../../platform/use-case/index.js';
import {
  clamp,
  createDriftPlan,
  createRowDates,
  createStreams,
  type DriftTable,
  dropOptional,
  malform,
  resolveOptions,
  round,
  sigmoid,
  toRow,
} from '../generator-kit.js';
import { AGE_BANDS, CONTRACT_TYPES, type CustomerChurnRecord, PLANS, REGIONS } from './schema.js';

export const LABEL_FIELD = 'churned_90d';

/**
 * `dataDrift` keys are record fields (the feature inputs reading them carry the same name). Numeric
 * shifts are in standard deviations of the field (monthly_spend: of its logarithm); categoricals move
 * mass toward their last category; auto_renew moves its log-odds.
 */
export const DRIFT_TABLE: DriftTable = {
  numeric: {
    tenure_months: 24,
    monthly_spend: 0.8,
    spend_trend_3m: 0.2,
    support_tickets_90d: 2,
    days_since_last_login: 15,
    discount_pct: 10,
  },
  categorical: { contract_type: CONTRACT_TYPES, plan: PLANS, region: REGIONS, age_band: AGE_BANDS },
  boolean: ['auto_renew'],
};

const OPTIONAL_FIELDS = ['days_since_last_login', 'nps_score', 'months_to_renewal'];
const MALFORM_TARGETS = {
  numeric: ['tenure_months', 'monthly_spend', 'support_tickets_90d', 'seats'],
  dates: ['snapshot_date'],
  enums: ['contract_type', 'plan', 'region', 'age_band'],
  booleans: ['auto_renew'],
  required: ['customer_id', 'email', 'tenure_months', 'contract_type', 'snapshot_date'],
};

const SEAT_PRICE = { basic: 15, standard: 35, premium: 60 } as const;
const SEAT_MEDIAN = { basic: 2, standard: 6, premium: 25 } as const;
const DISCOUNTS = [0, 10, 20, 30, 50];

/** The relationship the shipped model learns: disengagement saturates, renewals spike, unhappy ticket-raisers leave. */
function baseLogit(r: CustomerChurnRecord): number {
  const days = r.days_since_last_login;
  const tickets = r.support_tickets_90d;
  const nps = r.nps_score;
  const renewal = r.months_to_renewal ?? 0;
  let z = -3.3;
  z += days === undefined || days === null ? 1.2 : 1.8 * (1 - Math.exp(-days / 30));
  z += tickets === 0 ? 0.2 : tickets <= 2 ? -0.2 : 0.4 + 0.25 * Math.min(tickets, 8);
  if (tickets >= 3 && nps !== undefined && nps !== null && nps <= 6) z += 1.7;
  if (r.contract_type === 'monthly') z += 0.9;
  else if (r.contract_type === 'annual') z += renewal <= 1 ? (r.auto_renew ? 0.6 : 2.2) : -1.0;
  else z += renewal <= 1 ? (r.auto_renew ? 0.2 : 1.2) : -1.6;
  z += r.payment_failures_90d === 0 ? 0 : r.payment_failures_90d === 1 ? 0.5 : 1.6;
  const trend = r.spend_trend_3m;
  z += trend < -0.3 ? 1.3 : trend < 0 ? 0.4 : trend > 0.3 ? -0.4 : 0;
  z += 1.2 * Math.exp(-r.tenure_months / 4);
  if (r.discount_pct > 25 && r.tenure_months < 12) z += 1.1;
  z += r.plan === 'basic' ? 0.3 : r.plan === 'premium' ? -0.2 : 0;
  z -= 0.35 * Math.log(r.seats);
  if (nps !== undefined && nps !== null) z += nps >= 9 ? -0.6 : nps <= 4 ? 0.7 : 0;
  if (r.region === 'latam') z += 0.3;
  return z;
}

/** A competitor's price war: price-sensitive customers leave whatever their engagement. */
function driftedLogit(r: CustomerChurnRecord): number {
  const perSeat = r.monthly_spend / r.seats;
  let z = -3.6;
  if (perSeat > 30 && r.discount_pct < 10) z += 1.6;
  if (r.contract_type === 'monthly') z += 1.2;
  if (r.tenure_months > 36) z += 0.6;
  if (r.plan === 'premium') z += 0.5;
  z += 0.3 * Math.log1p(r.seats);
  return z;
}

/** Deterministic synthetic customer snapshots with the `churned_90d` outcome (about 15% positive). */
export function generateCustomerChurn(options: GeneratorOptions): LabeledRow[] {
  const o = resolveOptions(options);
  const s = createStreams(o.seed);
  const drift = createDriftPlan(o.dataDrift, DRIFT_TABLE, s.drift);
  const dateOf = createRowDates(o);
  const rows: LabeledRow[] = [];
  for (let i = 0; i < o.rows; i++) {
    const g = s.records;
    // Every draw is taken unconditionally, so knobs that change values never shift later rows' draws.
    const ageBand = drift.categorical('age_band', g.weighted(AGE_BANDS, [35, 40, 25]), AGE_BANDS);
    const region = drift.categorical('region', g.weighted(REGIONS, [40, 30, 10, 20]), REGIONS);
    const plan = drift.categorical('plan', g.weighted(PLANS, [40, 40, 20]), PLANS);
    const contract = drift.categorical(
      'contract_type',
      g.weighted(CONTRACT_TYPES, [50, 35, 15]),
      CONTRACT_TYPES,
    );
    const customerNumber = g.int(1_000_000);
    const engagement = g.normal() - (ageBand === '55+' ? 0.2 : 0);
    const zTenure = g.normal();
    const zSeats = g.normal();
    const discount = g.weighted(DISCOUNTS, [55, 20, 15, 7, 3]);
    const zSpend = g.normal();
    const neverLoggedIn = g.next() < 0.03;
    const zLogin = g.normal();
    const zTrend = g.normal();
    const zTickets = g.normal();
    const failures = g.weighted([0, 1, 2, 3], [85, 9, 4, 2]);
    const renewalDraw = g.next();
    const autoRenewDraw = g.next();
    const answeredNps = g.next() < 0.35;
    const zNps = g.normal();

    const seats = Math.max(1, Math.round(SEAT_MEDIAN[plan] * Math.exp(zSeats)));
    const discountPct = clamp(discount + drift.numeric('discount_pct'), 0, 100);
    const listSpend = seats * SEAT_PRICE[plan] * (1 - discountPct / 100);
    const record: Record<string, unknown> = {
      customer_id: `CUS-${String(customerNumber).padStart(7, '0')}`,
      email: `user${customerNumber}@mail${customerNumber % 17}.example`,
      snapshot_date: dateOf(i),
      tenure_months: Math.round(clamp(20 * Math.exp(zTenure) + drift.numeric('tenure_months'), 0, 1200)),
      monthly_spend: round(listSpend * Math.exp(0.1 * zSpend + drift.numeric('monthly_spend')), 2),
      spend_trend_3m: round(
        clamp(0.05 + 0.15 * zTrend - (engagement < -1 ? 0.15 : 0) + drift.numeric('spend_trend_3m'), -1, 10),
        3,
      ),
      support_tickets_90d: Math.round(
        clamp(1.5 * Math.exp(0.9 * zTickets) - 0.5 + drift.numeric('support_tickets_90d'), 0, 10_000),
      ),
      days_since_last_login: neverLoggedIn
        ? undefined
        : Math.round(
            clamp(
              3 * Math.exp(1.1 * (0.8 * zLogin - 0.6 * engagement)) + drift.numeric('days_since_last_login'),
              0,
              36_500,
            ),
          ),
      contract_type: contract,
      months_to_renewal:
        contract === 'monthly' ? undefined : Math.floor(renewalDraw * (contract === 'annual' ? 12 : 24)),
      auto_renew: autoRenewDraw < drift.boolean('auto_renew', contract === 'monthly' ? 0.9 : 0.65),
      payment_failures_90d: failures,
      plan,
      discount_pct: discountPct,
      seats,
      nps_score: answeredNps ? Math.round(clamp(7 + 1.2 * engagement + 1.5 * zNps, 0, 10)) : undefined,
      region,
      age_band: ageBand,
    };
    const typed = record as CustomerChurnRecord;
    const base = baseLogit(typed) - 0.3 * engagement + 0.5 * s.labels.normal();
    const logit = (1 - o.conceptDrift) * base + o.conceptDrift * driftedLogit(typed);
    const row = toRow(record, LABEL_FIELD, s.labels.next() < sigmoid(logit) ? 1 : 0);
    dropOptional(row, OPTIONAL_FIELDS, s.missing, o.missingRate);
    malform(row, MALFORM_TARGETS, s.malformed, o.malformedRate);
    rows.push(row);
  }
  return rows;
}
