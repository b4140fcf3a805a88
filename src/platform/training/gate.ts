import { RiskopsError } from '../errors/index.js';
import type { GateResult, Manifest, Metrics } from '../model/index.js';
import { bandOf, type DecisionBand, type GateThresholds } from '../use-case/index.js';
import type { Labels } from './dataset.js';
import { rocAuc } from './metrics.js';

export type GateCheck = GateResult['checks'][number];
export type SegmentMetrics = Manifest['segments'][number];
export type FairnessReport = NonNullable<Manifest['fairness']>;

/** Segment value used for rows whose attribute is missing. */
export const MISSING_SEGMENT = 'MISSING';

export interface GateInput {
  /** The challenger's metrics on the holdout. */
  metrics: Pick<Metrics, 'auc' | 'brier' | 'ece'>;
  thresholds: GateThresholds;
  /** The champion's AUC on the same holdout; omit when there is no champion. */
  championAuc?: number | undefined;
  /** The challenger's favourable-band rate ratio (min / max over groups), from `fairnessReport`. */
  favourableRatio?: number | undefined;
  /** When true a failed four-fifths check fails the gate; otherwise it is reported only. */
  enforceFairness?: boolean | undefined;
}

function check(
  name: string,
  value: number,
  comparator: GateCheck['comparator'],
  threshold: number,
  enforced = true,
): GateCheck {
  const passed = comparator === '>=' ? value >= threshold : value <= threshold; // NaN fails either way
  return { name, value, threshold, comparator, passed, enforced };
}

/**
 * The evaluation gate: AUC ≥ minAuc, Brier ≤ maxBrier, ECE ≤ maxEce; with a champion, challenger AUC
 * ≥ champion AUC − maxAucDropVsChampion; with a favourable ratio and `minFavourableRatio`, the
 * four-fifths check (enforced only when asked). Passes when every enforced check passes.
 */
export function evaluateGate(input: GateInput): GateResult {
  const { metrics, thresholds } = input;
  const checks: GateCheck[] = [
    check('auc', metrics.auc, '>=', thresholds.minAuc),
    check('brier', metrics.brier, '<=', thresholds.maxBrier),
    check('ece', metrics.ece, '<=', thresholds.maxEce),
  ];
  if (input.championAuc !== undefined) {
    checks.push(
      check('auc_vs_champion', metrics.auc, '>=', input.championAuc - thresholds.maxAucDropVsChampion),
    );
  }
  if (thresholds.minFavourableRatio !== undefined && input.favourableRatio !== undefined) {
    checks.push(
      check(
        'favourable_ratio',
        input.favourableRatio,
        '>=',
        thresholds.minFavourableRatio,
        input.enforceFairness ?? false,
      ),
    );
  }
  return { passed: checks.every((c) => c.passed || !c.enforced), checks };
}

type SegmentValue = string | number | boolean | null | undefined;

function groupRows(values: readonly SegmentValue[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  values.forEach((value, i) => {
    const key = value === null || value === undefined ? MISSING_SEGMENT : String(value);
    const rows = groups.get(key);
    if (rows === undefined) groups.set(key, [i]);
    else rows.push(i);
  });
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function checkLengths(n: number, ...others: number[]): void {
  if (others.some((m) => m !== n))
    throw new RiskopsError('data_contract', 'labels, scores and segments differ in length');
}

/**
 * Per value of `attribute` (sorted; missing values grouped as MISSING): rows, AUC (null when the
 * segment holds one class) and the share of its rows in each band.
 */
export function segmentMetrics(
  y: Labels,
  p: ArrayLike<number>,
  segments: readonly SegmentValue[],
  bands: readonly DecisionBand[],
  attribute: string,
): SegmentMetrics[] {
  checkLengths(y.length, p.length, segments.length);
  return [...groupRows(segments)].map(([value, rows]) => {
    const ys = new Float64Array(rows.length);
    const ps = new Float64Array(rows.length);
    const bandRates: Record<string, number> = Object.fromEntries(bands.map((b) => [b.name, 0]));
    rows.forEach((r, i) => {
      ys[i] = y[r] as number;
      ps[i] = p[r] as number;
      const band = bandOf(bands, p[r] as number).name;
      bandRates[band] = (bandRates[band] ?? 0) + 1 / rows.length;
    });
    return { attribute, value, rows: rows.length, auc: rocAuc(ys, ps), bandRates };
  });
}

/**
 * Favourable-band (first band) rate per group of `attribute` and the min/max ratio between groups
 * (the four-fifths rule compares it with 0.8). Rows with a missing attribute are left out; with no
 * group, or every rate 0, the ratio is 1.
 */
export function fairnessReport(
  p: ArrayLike<number>,
  groups: readonly SegmentValue[],
  bands: readonly DecisionBand[],
  attribute: string,
): FairnessReport {
  checkLengths(p.length, groups.length);
  const favourable = bands[0];
  if (favourable === undefined)
    throw new RiskopsError('invalid_settings', 'a use case needs at least one band');
  const rates: Record<string, number> = {};
  for (const [group, rows] of groupRows(groups)) {
    if (group === MISSING_SEGMENT) continue;
    let hits = 0;
    for (const r of rows) if (bandOf(bands, p[r] as number) === favourable) hits++;
    rates[group] = hits / rows.length;
  }
  const values = Object.values(rates);
  const max = values.length === 0 ? 0 : Math.max(...values);
  const min = values.length === 0 ? 0 : Math.min(...values);
  return { attribute, favourableBand: favourable.name, rates, minRatio: max === 0 ? 1 : min / max };
}
