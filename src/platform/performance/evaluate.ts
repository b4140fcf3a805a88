/**
 * Realized and estimated performance per scoring cohort (day × model version). Outcomes from the label
 * drops are joined by entity id to the latest score of that entity on or before the outcome was observed
 * (one label per entity: the latest observation wins; the others are counted as duplicates). A cohort has
 * matured when `maturityDays` have passed since its scoring day: it gets realized AUC, Brier and calibration
 * on its labeled rows. A younger cohort gets the confidence-based estimate from its probabilities.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { brierScore, expectedCalibrationError, rocAuc } from '../training/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { estimatePerformance } from './estimate.js';
import { type LabelRecord, type LabelReject, readLabelDrops } from './labels.js';
import { type MetricSink, PERFORMANCE_METRICS, type ScoredRecord, type ScoredRecordSource } from './ports.js';

export interface PerformanceOptions {
  useCase: AnyUseCase;
  source: ScoredRecordSource;
  labels: ContainerClient;
  /** Where joined labeled rows are written (`{useCase}/labels-{date}.jsonl`); omit to skip. */
  trainingData?: ContainerClient;
  sink?: MetricSink;
  /** The evaluation day (UTC `YYYY-MM-DD`). */
  asOf: string;
  /**
   * The AUC a model version was validated with (its manifest's holdout AUC). Sent with each AUC metric as
   * `baselineAuc`, which the alert compares against (a drop of more than 3 points pages).
   */
  baselineAuc?: (modelVersion: string) => Promise<number | undefined>;
  /** Scoring days looked at, ending at `asOf` (default max(90, 2 × maturityDays)). */
  lookbackDays?: number;
}

export interface Cohort {
  scoredOn: string;
  modelVersion: string;
  scored: number;
  labeled: number;
  positives: number;
  matured: boolean;
  maturesOn: string;
  kind: 'realized' | 'estimated';
  /** Realized on labeled rows when matured, else the estimate. */
  auc: number | null;
  brier: number | null;
  ece: number | null;
  /** Mean probability and observed positive rate of the labeled rows (calibration at a glance). */
  meanPredicted: number | null;
  observedRate: number | null;
  estimate: { auc: number | null; brier: number };
}

export interface PerformanceReport {
  useCase: string;
  asOf: string;
  cohorts: Cohort[];
  /** rows: usable label rows; duplicates: later observations of an entity already labeled; unmatched: labels of entities never scored in the lookback. */
  labels: { files: number; rows: number; rejected: number; duplicates: number; unmatched: number };
  rejects: LabelReject[];
  trainingRows: { blob: string; rows: number }[];
}

const DAY_MS = 86_400_000;
const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

export async function evaluatePerformance(options: PerformanceOptions): Promise<PerformanceReport> {
  const { useCase, asOf } = options;
  const maturity = useCase.label.maturityDays;
  const lookback = options.lookbackDays ?? Math.max(90, 2 * maturity);
  const days = Array.from({ length: lookback + 1 }, (_, i) => addDays(asOf, -lookback + i));

  // One label per entity: the latest observation.
  const { drops, rejects } = await readLabelDrops(options.labels, useCase.name, asOf);
  const byEntity = new Map<string, LabelRecord>();
  let rows = 0;
  let duplicates = 0;
  for (const drop of drops) {
    for (const label of drop.labels) {
      rows++;
      const seen = byEntity.get(label.entityId);
      if (seen !== undefined) duplicates++;
      if (seen === undefined || label.observedAt >= seen.observedAt) byEntity.set(label.entityId, label);
    }
  }

  const scoredByEntity = new Map<string, ScoredRecord[]>();
  const cohorts = new Map<string, { scoredOn: string; modelVersion: string; records: ScoredRecord[] }>();
  for await (const record of options.source.scored(useCase.name, days)) {
    const key = `${record.scoredOn}|${record.modelVersion}`;
    const cohort = cohorts.get(key) ?? {
      scoredOn: record.scoredOn,
      modelVersion: record.modelVersion,
      records: [],
    };
    cohorts.set(key, cohort);
    cohort.records.push(record);
    const list = scoredByEntity.get(record.entityId) ?? [];
    list.push(record);
    scoredByEntity.set(record.entityId, list);
  }

  // Join each label to the entity's latest score on or before the observation.
  const joined = new Map<ScoredRecord, LabelRecord>();
  let unmatched = 0;
  for (const label of byEntity.values()) {
    const when = (r: ScoredRecord) => r.scoredAt ?? r.scoredOn;
    const candidates = (scoredByEntity.get(label.entityId) ?? []).filter(
      (r) => r.scoredOn <= label.observedAt.slice(0, 10),
    );
    const latest = candidates.reduce<ScoredRecord | undefined>(
      (best, r) => (best === undefined || when(r) >= when(best) ? r : best),
      undefined,
    );
    if (latest === undefined) unmatched++;
    else joined.set(latest, label);
  }

  const out: Cohort[] = [...cohorts.values()]
    .sort((a, b) =>
      a.scoredOn < b.scoredOn ? -1 : a.scoredOn > b.scoredOn ? 1 : a.modelVersion < b.modelVersion ? -1 : 1,
    )
    .map(({ scoredOn, modelVersion, records }) => {
      const labeled = records.filter((r) => joined.has(r));
      const y = Uint8Array.from(labeled, (r) => joined.get(r)?.outcome ?? 0);
      const p = Float64Array.from(labeled, (r) => r.probability);
      const positives = y.reduce((s, v) => s + v, 0);
      const maturesOn = addDays(scoredOn, maturity);
      const matured = maturesOn <= asOf;
      const estimate = estimatePerformance(records.map((r) => r.probability));
      const realized = matured && labeled.length > 0;
      return {
        scoredOn,
        modelVersion,
        scored: records.length,
        labeled: labeled.length,
        positives,
        matured,
        maturesOn,
        kind: realized ? 'realized' : 'estimated',
        auc: realized ? rocAuc(y, p) : estimate.auc,
        brier: realized ? brierScore(y, p) : estimate.brier,
        ece: realized ? expectedCalibrationError(y, p) : null,
        meanPredicted: labeled.length > 0 ? p.reduce((s, v) => s + v, 0) / p.length : null,
        observedRate: labeled.length > 0 ? positives / labeled.length : null,
        estimate: { auc: estimate.auc, brier: estimate.brier },
      };
    });

  const baselines = new Map<string, number | undefined>();
  for (const cohort of out) {
    if (!baselines.has(cohort.modelVersion))
      baselines.set(cohort.modelVersion, await options.baselineAuc?.(cohort.modelVersion));
    const baseline = baselines.get(cohort.modelVersion);
    const dims: Record<string, string> = {
      useCase: useCase.name,
      modelVersion: cohort.modelVersion,
      cohort: cohort.scoredOn,
      kind: cohort.kind,
      ...(baseline === undefined ? {} : { baselineAuc: String(baseline) }),
    };
    if (cohort.auc !== null) options.sink?.trackMetric(PERFORMANCE_METRICS.auc, cohort.auc, dims);
    if (cohort.brier !== null) options.sink?.trackMetric(PERFORMANCE_METRICS.brier, cohort.brier, dims);
  }

  // Joined rows become training rows, one blob per label drop (a re-run overwrites, never duplicates).
  const trainingRows: { blob: string; rows: number }[] = [];
  if (options.trainingData !== undefined) {
    const byFile = new Map<string, string[]>();
    for (const [record, label] of joined) {
      if (record.record === undefined || Object.keys(record.record).length === 0) continue;
      const lines = byFile.get(label.file) ?? [];
      lines.push(JSON.stringify({ ...record.record, [useCase.label.field]: label.outcome }));
      byFile.set(label.file, lines);
    }
    if (byFile.size > 0) await options.trainingData.createIfNotExists();
    for (const drop of drops) {
      const lines = byFile.get(drop.file);
      if (lines === undefined) continue;
      const blob = `${useCase.name}/labels-${drop.date}.jsonl`;
      const text = `${lines.join('\n')}\n`;
      await options.trainingData.getBlockBlobClient(blob).upload(text, Buffer.byteLength(text));
      trainingRows.push({ blob, rows: lines.length });
    }
  }

  return {
    useCase: useCase.name,
    asOf,
    cohorts: out,
    labels: { files: drops.length, rows, rejected: rejects.length, duplicates, unmatched },
    rejects,
    trainingRows,
  };
}
