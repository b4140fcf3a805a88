import { createRng } from '../../src/platform/random/index.js';

/**
 * A real-looking telecom customer extract as CSV text, deterministic from the seed: no id column, yes/no
 * fields, categories, numbers with missing values (a skewed count among them), ISO dates (one sometimes
 * empty), and a text label `churn` (Yes/No, about a quarter Yes). `examples/telecom-churn.csv` is
 * `telecomChurnCsv({ rows: 4000, seed: 7 })`.
 */
export interface TelecomCsvOptions {
  rows: number;
  seed: number;
  /** Adds a column `legacy_segment` that is empty on every row. */
  emptyColumn?: boolean;
}

const HEADER = [
  'snapshot_date',
  'gender',
  'SeniorCitizen',
  'partner',
  'dependents',
  'tenure_months',
  'phone_service',
  'multiple_lines',
  'internet_service',
  'online_security',
  'tech_support',
  'streaming_tv',
  'contract',
  'paperless_billing',
  'payment_method',
  'monthly_charges',
  'total_charges',
  'support_calls_90d',
  'last_plan_change',
  'churn',
];

const PAYMENT = ['Electronic check', 'Mailed check', 'Bank transfer (automatic)', 'Credit card (automatic)'];

function isoDay(start: number, offset: number): string {
  return new Date((start + offset) * 86_400_000).toISOString().slice(0, 10);
}

function cell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function telecomChurnCsv(options: TelecomCsvOptions): string {
  const g = createRng(options.seed);
  const start = Math.floor(Date.parse('2026-01-01T00:00:00Z') / 86_400_000);
  const header =
    options.emptyColumn === true ? [...HEADER.slice(0, 5), 'legacy_segment', ...HEADER.slice(5)] : HEADER;
  const lines = [header.join(',')];
  const yn = (b: boolean) => (b ? 'Yes' : 'No');
  for (let i = 0; i < options.rows; i++) {
    const snapshot = start + g.int(180);
    const senior = g.next() < 0.16;
    const partner = g.next() < 0.48;
    const contract = g.weighted(['Month-to-month', 'One year', 'Two year'], [55, 21, 24]);
    const tenure = Math.min(
      72,
      Math.round((contract === 'Month-to-month' ? 12 : 40) * -Math.log(1 - g.next() * 0.97)),
    );
    const phone = g.next() < 0.9;
    const internet = g.weighted(['Fiber optic', 'DSL', 'No'], [44, 34, 22]);
    const hasNet = internet !== 'No';
    const addOn = (p: number) => (hasNet ? yn(g.next() < p) : 'No internet service');
    const security = addOn(0.35);
    const support = addOn(0.35);
    const tv = addOn(0.45);
    const paperless = g.next() < 0.6;
    const payment = g.weighted(PAYMENT, [34, 23, 22, 21]);
    const monthly =
      (phone ? 20 : 0) +
      (internet === 'Fiber optic' ? 70 : internet === 'DSL' ? 45 : 0) +
      (tv === 'Yes' ? 10 : 0);
    const charges = Math.max(18.25, Math.min(118.75, monthly + 6 * g.normal()));
    const total =
      tenure === 0 || g.next() < 0.02 ? '' : (charges * tenure * (0.95 + 0.1 * g.next())).toFixed(2);
    const calls =
      g.next() < 0.05 ? '' : String(Math.floor(-Math.log(1 - g.next()) * (support === 'Yes' ? 0.8 : 1.6)));
    const changed = g.next() < 0.3 ? '' : isoDay(snapshot, -1 - g.int(Math.max(1, tenure * 30)));
    let z = -2.4;
    z += contract === 'Month-to-month' ? 1.4 : contract === 'One year' ? -0.3 : -1.5;
    z += -0.045 * tenure;
    z += internet === 'Fiber optic' ? 0.8 : 0;
    z += support === 'No' ? 0.4 : 0;
    z += security === 'No' ? 0.3 : 0;
    z += payment === 'Electronic check' ? 0.5 : 0;
    z += senior ? 0.3 : 0;
    z += paperless ? 0.2 : 0;
    z += calls === '' ? 0 : 0.25 * Number(calls);
    z += 0.008 * (charges - 65);
    const churn = g.next() < 1 / (1 + Math.exp(-z));
    const row = [
      isoDay(snapshot, 0),
      g.next() < 0.5 ? 'Female' : 'Male',
      yn(senior),
      yn(partner),
      yn(partner ? g.next() < 0.5 : g.next() < 0.15),
      ...(options.emptyColumn === true ? [''] : []),
      String(tenure),
      yn(phone),
      phone ? yn(g.next() < 0.45) : 'No phone service',
      internet,
      security,
      support,
      tv,
      contract,
      yn(paperless),
      payment,
      charges.toFixed(2),
      total,
      calls,
      changed,
      yn(churn),
    ];
    lines.push(row.map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}
