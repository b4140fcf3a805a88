import type { GeneratorOptions, LabeledRow } from '../../platform/use-case/index.js';
import {
  addDays,
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
import { dueAtQuarterEnd } from './features.js';
import { CHANNELS, COUNTRIES, type CURRENCIES, INDUSTRIES, type LatePaymentRecord } from './schema.js';

export const LABEL_FIELD = 'paid_late_30d';

/**
 * `dataDrift` keys are record fields (the feature inputs reading them carry the same name). Numeric
 * shifts are in standard deviations of the field (amount: of its logarithm); categoricals move mass
 * toward their last category; `disputed` moves its log-odds.
 */
export const DRIFT_TABLE: DriftTable = {
  numeric: {
    amount: 1.1,
    customer_tenure_months: 36,
    credit_limit_utilisation: 0.3,
    prior_late_rate: 0.15,
    avg_days_late: 12,
  },
  categorical: { industry: INDUSTRIES, country: COUNTRIES, channel: CHANNELS },
  boolean: ['disputed'],
};

const OPTIONAL_FIELDS = ['customer_email', 'prior_late_rate', 'avg_days_late', 'credit_limit_utilisation'];
const MALFORM_TARGETS = {
  numeric: ['amount', 'payment_terms_days', 'customer_tenure_months', 'prior_invoices'],
  dates: ['invoice_date', 'due_date'],
  enums: ['currency', 'industry', 'country', 'channel'],
  booleans: ['disputed'],
  required: ['invoice_id', 'customer_id', 'amount', 'due_date', 'country'],
};

const INDUSTRY_MEDIAN_AMOUNT: Record<(typeof INDUSTRIES)[number], number> = {
  retail: 1500,
  manufacturing: 6000,
  construction: 9000,
  hospitality: 900,
  technology: 4000,
  public_sector: 8000,
};
const COUNTRY_EFFECT: Record<(typeof COUNTRIES)[number], number> = {
  DE: -0.4,
  FR: 0.2,
  NL: -0.4,
  ES: 0.5,
  IT: 0.6,
  PL: 0.2,
  SE: -0.6,
  GB: 0,
};
const HOME_CURRENCY: Record<(typeof COUNTRIES)[number], (typeof CURRENCIES)[number]> = {
  DE: 'EUR',
  FR: 'EUR',
  NL: 'EUR',
  ES: 'EUR',
  IT: 'EUR',
  PL: 'PLN',
  SE: 'SEK',
  GB: 'GBP',
};
const TERMS = [15, 30, 45, 60, 90];
const NAME_PARTS = ['Nord', 'Alpen', 'Blue', 'Iber', 'Delta', 'Vista', 'Kraft', 'Lumen', 'Polar', 'Terra'];
const NAME_SUFFIXES = ['GmbH', 'SARL', 'BV', 'SL', 'SpA', 'Sp. z o.o.', 'AB', 'Ltd'];

/** The relationship the shipped model learns: history saturates, utilisation is U-shaped, disputes bite at high utilisation. */
function baseLogit(r: LatePaymentRecord, extended: boolean): number {
  const rate = r.prior_late_rate;
  const util = r.credit_limit_utilisation;
  const logAmount = Math.log(r.amount);
  let z = -3.0;
  z += rate === undefined || rate === null ? 0.9 : 2.8 * (1 - Math.exp(-5 * rate)) - 0.9;
  z += (r.avg_days_late ?? 0) > 25 ? 0.8 : 0;
  if (util === undefined || util === null) z += 0.3;
  else z += util < 0.3 ? 0.4 : util < 0.85 ? -0.3 : 1.2 + 1.5 * (util - 0.85);
  if (r.disputed) z += util !== undefined && util !== null && util > 0.8 ? 2.4 : 0.6;
  z += Math.min(1.6, 0.22 * (logAmount - 7.5) ** 2) - 0.4;
  z += 1.1 * Math.exp(-r.customer_tenure_months / 6);
  z += r.payment_terms_days <= 15 ? 0.5 : r.payment_terms_days >= 90 ? -0.4 : 0;
  z += extended ? -0.4 : 0;
  z += COUNTRY_EFFECT[r.country];
  z += { post: 0.5, edi: -0.5, portal: -0.2, email: 0 }[r.channel];
  switch (r.industry) {
    case 'construction':
      z += 0.6;
      break;
    case 'hospitality':
      z += 0.5;
      break;
    case 'technology':
      z -= 0.3;
      break;
    case 'public_sector':
      z += r.amount > 20_000 ? 1.3 : -0.5;
      break;
    default:
  }
  if (dueAtQuarterEnd(r) && (r.industry === 'manufacturing' || r.industry === 'retail')) z += 0.6;
  return z;
}

/** The relationship after a downturn: leverage and size dominate, history and geography matter less. */
function driftedLogit(r: LatePaymentRecord): number {
  const util = r.credit_limit_utilisation ?? 0.7;
  let z = -2.2;
  z += util > 1 ? 2.2 : util > 0.7 ? 0.8 : -0.4;
  z += 0.9 * (r.prior_late_rate ?? 0.3);
  z += Math.log(r.amount) > 9.5 ? 1.1 : 0;
  z += r.customer_tenure_months > 60 ? 0.9 : -0.3;
  z += r.country === 'DE' || r.country === 'NL' ? 0.7 : -0.2;
  z += r.disputed ? 0.4 : 0;
  return z;
}

function companyName(i: number, a: number, b: number): string {
  const first = NAME_PARTS[a % NAME_PARTS.length] ?? 'Nord';
  const second = NAME_PARTS[(a * 7 + b) % NAME_PARTS.length] ?? 'Terra';
  return `${first}${second.toLowerCase()} ${NAME_SUFFIXES[b % NAME_SUFFIXES.length] ?? 'Ltd'} ${i % 97}`;
}

/** Deterministic synthetic invoices with the `paid_late_30d` outcome (about a quarter are positive). */
export function generateLatePayment(options: GeneratorOptions): LabeledRow[] {
  const o = resolveOptions(options);
  const s = createStreams(o.seed);
  const drift = createDriftPlan(o.dataDrift, DRIFT_TABLE, s.drift);
  const dateOf = createRowDates(o);
  const rows: LabeledRow[] = [];
  for (let i = 0; i < o.rows; i++) {
    const g = s.records;
    // Every draw is taken unconditionally, so knobs that change values never shift later rows' draws.
    const industry = drift.categorical(
      'industry',
      g.weighted(INDUSTRIES, [22, 20, 14, 12, 20, 12]),
      INDUSTRIES,
    );
    const country = drift.categorical(
      'country',
      g.weighted(COUNTRIES, [22, 16, 10, 12, 12, 10, 8, 10]),
      COUNTRIES,
    );
    const channel = drift.categorical('channel', g.weighted(CHANNELS, [50, 25, 15, 10]), CHANNELS);
    const foreign = g.next();
    const nameA = g.int(1000);
    const nameB = g.int(1000);
    const hasEmail = g.next() < 0.85;
    const hasCreditLimit = g.next() < 0.92;
    const risk = g.normal();
    const zTenure = g.normal();
    const zInvoiceRate = g.normal();
    const zAmount = g.normal();
    const zRate = g.normal();
    const zDaysLate = g.normal();
    const zUtil = g.normal();
    const terms = g.weighted(TERMS, [15, 45, 15, 15, 10]);
    const extended = g.next() < 0.12;
    const extensionLength = 5 + g.int(26);
    const disputedDraw = g.next();

    const invoiceDate = dateOf(i);
    const tenure = Math.round(
      clamp(30 * Math.exp(1.0 * zTenure) + drift.numeric('customer_tenure_months'), 0, 1200),
    );
    const priorInvoices = Math.round(tenure * 1.5 * Math.exp(0.7 * zInvoiceRate));
    const lateP = sigmoid(-1.4 + 1.1 * risk + COUNTRY_EFFECT[country]);
    const seen = Math.min(priorInvoices, 50);
    const record: Record<string, unknown> = {
      invoice_id: `INV-${String(i + 1).padStart(8, '0')}`,
      customer_id: `C${String((nameA * 1000 + nameB) % 100_000).padStart(6, '0')}`,
      customer_name: companyName(i, nameA, nameB),
      customer_email: hasEmail ? `ap${nameB}@customer${nameA}.example` : undefined,
      invoice_date: invoiceDate,
      due_date: addDays(invoiceDate, terms + (extended ? extensionLength : 0)),
      amount: round(INDUSTRY_MEDIAN_AMOUNT[industry] * Math.exp(1.1 * zAmount + drift.numeric('amount')), 2),
      currency: foreign < 0.05 ? 'USD' : foreign < 0.08 ? 'CHF' : HOME_CURRENCY[country],
      payment_terms_days: terms,
      customer_tenure_months: tenure,
      prior_invoices: priorInvoices,
      prior_late_rate:
        priorInvoices === 0
          ? undefined
          : round(
              clamp(
                lateP + zRate * Math.sqrt((lateP * (1 - lateP)) / seen) + drift.numeric('prior_late_rate'),
                0,
                1,
              ),
              3,
            ),
      avg_days_late:
        priorInvoices === 0
          ? undefined
          : round(
              clamp(4 + 40 * lateP * Math.exp(0.5 * zDaysLate) + drift.numeric('avg_days_late'), 0, 3650),
              1,
            ),
      credit_limit_utilisation: hasCreditLimit
        ? round(
            clamp(
              1.3 * sigmoid(1.2 * zUtil + 0.5 * risk - 0.3) + drift.numeric('credit_limit_utilisation'),
              0,
              1.5,
            ),
            3,
          )
        : undefined,
      industry,
      country,
      disputed: disputedDraw < drift.boolean('disputed', industry === 'construction' ? 0.1 : 0.06),
      channel,
    };
    const typed = record as LatePaymentRecord;
    const base = baseLogit(typed, extended) + 0.6 * risk + 0.5 * s.labels.normal();
    const logit = (1 - o.conceptDrift) * base + o.conceptDrift * driftedLogit(typed);
    const row = toRow(record, LABEL_FIELD, s.labels.next() < sigmoid(logit) ? 1 : 0);
    dropOptional(row, OPTIONAL_FIELDS, s.missing, o.missingRate);
    malform(row, MALFORM_TARGETS, s.malformed, o.malformedRate);
    rows.push(row);
  }
  return rows;
}
