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
  weekday,
} from '../generator-kit.js';
import { isRoundAmount, submittedHour, submittedOnWeekend } from './features.js';
import { CATEGORIES, COUNTRIES, type CURRENCIES, type InvoiceFraudRecord } from './schema.js';

export const LABEL_FIELD = 'is_fraud';

/**
 * `dataDrift` keys are record fields (the feature inputs reading them carry the same name). Numeric
 * shifts are in standard deviations of the field (amount and vendor_age_days: of their logarithm);
 * categoricals move mass toward their last category; booleans move their log-odds.
 */
export const DRIFT_TABLE: DriftTable = {
  numeric: { amount: 0.9, vendor_age_days: 1.3, approver_count: 0.8, line_items: 3 },
  categorical: { country: COUNTRIES, category: CATEGORIES },
  boolean: ['po_matched', 'near_duplicate_invoice_number'],
};

const OPTIONAL_FIELDS = ['bank_account_changed_days_ago', 'vendor_avg_amount'];
const MALFORM_TARGETS = {
  numeric: ['amount', 'vendor_age_days', 'approver_count', 'line_items'],
  dates: ['submitted_at'],
  enums: ['currency', 'country', 'category'],
  booleans: ['po_matched', 'near_duplicate_invoice_number'],
  required: ['invoice_id', 'vendor_id', 'amount', 'submitted_at', 'category'],
};

type Category = (typeof CATEGORIES)[number];
type Country = (typeof COUNTRIES)[number];
const CATEGORY_MEDIAN: Record<Category, number> = {
  it_services: 4200,
  consulting: 7500,
  office_supplies: 450,
  logistics: 2600,
  facilities: 1800,
  marketing: 5200,
  raw_materials: 12_000,
  travel: 900,
};
const PO_RATE: Record<Category, number> = {
  it_services: 0.6,
  consulting: 0.35,
  office_supplies: 0.75,
  logistics: 0.7,
  facilities: 0.6,
  marketing: 0.4,
  raw_materials: 0.9,
  travel: 0.2,
};
const CATEGORY_EFFECT: Record<Category, number> = {
  it_services: 0.2,
  consulting: 0.7,
  office_supplies: -0.2,
  logistics: 0,
  facilities: 0,
  marketing: 0.6,
  raw_materials: -0.6,
  travel: 0.3,
};
const CURRENCY: Record<Country, (typeof CURRENCIES)[number]> = {
  DE: 'EUR',
  FR: 'EUR',
  NL: 'EUR',
  ES: 'EUR',
  IT: 'EUR',
  PL: 'PLN',
  SE: 'SEK',
  GB: 'GBP',
};
const VENDOR_WORDS = [
  'Apex',
  'Crest',
  'Fjord',
  'Helix',
  'Marlin',
  'Orbit',
  'Quarry',
  'Sable',
  'Tundra',
  'Vale',
];

/**
 * The relationship the shipped model learns: most fraud follows a few schemes, each a conjunction of
 * signals that are common and harmless on their own (bank-detail takeover, fake vendor, duplicate
 * billing, splitting below an approval limit), over a thin background.
 */
function baseLogit(r: InvoiceFraudRecord): number {
  const bankDays = r.bank_account_changed_days_ago;
  const bankRecent = bankDays !== undefined && bankDays !== null && bankDays < 30;
  const ratio = r.vendor_avg_amount ? r.amount / r.vendor_avg_amount : undefined;
  const hour = submittedHour(r);
  const round = isRoundAmount(r.amount);
  let z = -7.2;
  if (bankRecent) z += ratio !== undefined && ratio > 1.3 ? 7.0 : 1.5;
  if (r.vendor_age_days < 60 && !r.po_matched) z += round || r.approver_count === 0 ? 7.0 : 2.5;
  if (r.near_duplicate_invoice_number) z += r.po_matched ? 1.5 : 6.5;
  if (r.amount >= 9000 && r.amount < 10_000) z += r.approver_count <= 1 ? 5.5 : 0.5;
  if (hour < 6 || hour >= 22) z += 1.0;
  if (submittedOnWeekend(r)) z += 1.0;
  if (round) z += 0.4;
  z += CATEGORY_EFFECT[r.category];
  z += r.line_items === 1 ? 0.4 : 0;
  return z;
}

/** Fraudsters adapted: split, PO-matched invoices from established-looking vendors in office hours. */
function driftedLogit(r: InvoiceFraudRecord): number {
  const ratio = r.vendor_avg_amount ? r.amount / r.vendor_avg_amount : 1;
  let z = -6.9;
  if (r.po_matched && ratio > 0.3 && ratio < 0.7) z += 2.4;
  if (r.vendor_age_days >= 60 && r.vendor_age_days < 400) z += 1.6;
  if (r.line_items <= 2) z += 0.9;
  if (r.category === 'it_services' || r.category === 'logistics') z += 0.8;
  if (r.approver_count === 1) z += 0.6;
  return z;
}

/** Deterministic synthetic supplier invoices with the `is_fraud` outcome (about 1% positive). */
export function generateInvoiceFraud(options: GeneratorOptions): LabeledRow[] {
  const o = resolveOptions(options);
  const s = createStreams(o.seed);
  const drift = createDriftPlan(o.dataDrift, DRIFT_TABLE, s.drift);
  const dateOf = createRowDates(o);
  const rows: LabeledRow[] = [];
  for (let i = 0; i < o.rows; i++) {
    const g = s.records;
    // Every draw is taken unconditionally, so knobs that change values never shift later rows' draws.
    const category = drift.categorical(
      'category',
      g.weighted(CATEGORIES, [14, 10, 16, 14, 12, 9, 15, 10]),
      CATEGORIES,
    );
    const country = drift.categorical(
      'country',
      g.weighted(COUNTRIES, [24, 15, 11, 10, 10, 12, 8, 10]),
      COUNTRIES,
    );
    const vendorNumber = g.int(50_000);
    const zAge = g.normal();
    const historyDraw = g.next();
    const zAvg = g.normal();
    const zAmount = g.normal();
    const roundDraw = g.next();
    const bankDraw = g.next();
    const zBank = g.normal();
    const duplicateDraw = g.next();
    const moveWeekendDraw = g.next();
    const oddHourDraw = g.next();
    const oddHour = g.int(24);
    const zHour = g.normal();
    const minute = g.int(60);
    const approvers = g.weighted([0, 1, 2, 3], [8, 50, 32, 10]);
    const poDraw = g.next();
    const zLines = g.normal();

    const age = Math.round(clamp(900 * Math.exp(1.3 * zAge + drift.numeric('vendor_age_days')), 0, 36_500));
    const hasHistory = historyDraw < (age < 30 ? 0.3 : 0.95);
    const typical = CATEGORY_MEDIAN[category] * Math.exp(0.9 * zAvg);
    const rawAmount = hasHistory
      ? typical * Math.exp(0.35 * zAmount + drift.numeric('amount'))
      : CATEGORY_MEDIAN[category] * Math.exp(0.9 * zAmount + drift.numeric('amount'));
    const amount = roundDraw < 0.08 ? Math.max(100, Math.round(rawAmount / 100) * 100) : round(rawAmount, 2);
    let date = dateOf(i);
    const day = weekday(date);
    if ((day === 0 || day === 6) && moveWeekendDraw < 0.8) date = addDays(date, day === 6 ? 2 : 1);
    const hour = oddHourDraw < 0.04 ? oddHour : Math.round(clamp(13 + 2.5 * zHour, 7, 19));
    const offset = country === 'GB' ? '+00:00' : '+01:00';
    const record: Record<string, unknown> = {
      invoice_id: `PINV-${String(i + 1).padStart(8, '0')}`,
      invoice_number: `${country}-${vendorNumber % 997}-${String(i % 100_000).padStart(5, '0')}`,
      vendor_id: `V${String(vendorNumber).padStart(6, '0')}`,
      vendor_name: `${VENDOR_WORDS[vendorNumber % 10]} ${VENDOR_WORDS[Math.floor(vendorNumber / 10) % 10]} ${vendorNumber % 500}`,
      vendor_age_days: age,
      bank_account_changed_days_ago:
        bankDraw < 0.2 ? Math.min(age, Math.round(150 * Math.exp(1.2 * zBank))) : undefined,
      amount,
      currency: CURRENCY[country],
      vendor_avg_amount: hasHistory ? round(typical, 2) : undefined,
      near_duplicate_invoice_number: duplicateDraw < drift.boolean('near_duplicate_invoice_number', 0.02),
      submitted_at: `${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00${offset}`,
      approver_count: Math.round(
        clamp(approvers + (amount > 10_000 ? 1 : 0) + drift.numeric('approver_count'), 0, 20),
      ),
      po_matched: poDraw < drift.boolean('po_matched', PO_RATE[category]),
      line_items: Math.round(clamp(1 + 3 * Math.exp(zLines) + drift.numeric('line_items'), 1, 10_000)),
      country,
      category,
    };
    const typed = record as InvoiceFraudRecord;
    const base = baseLogit(typed) + 0.5 * s.labels.normal();
    const logit = (1 - o.conceptDrift) * base + o.conceptDrift * driftedLogit(typed);
    const row = toRow(record, LABEL_FIELD, s.labels.next() < sigmoid(logit) ? 1 : 0);
    dropOptional(row, OPTIONAL_FIELDS, s.missing, o.missingRate);
    malform(row, MALFORM_TARGETS, s.malformed, o.malformedRate);
    rows.push(row);
  }
  return rows;
}
