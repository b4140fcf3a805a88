import type { z } from 'zod';
import type { FeaturePipeline } from '../features/index.js';

/** Decision bands: ordered by `upTo` (exclusive upper bound on the probability, last is 1). First band is favourable. */
export interface DecisionBand {
  name: string;
  /** Scores strictly below this go to this band (the last band takes everything up to and including 1). */
  upTo: number;
  action: string;
}

export interface LabelDefinition {
  /** Column holding the 0/1 label in labeled data files and generated rows. */
  field: string;
  description: string;
  /** Days after the reference date before the outcome is known; immature rows are not training labels. */
  maturityDays: number;
  /** Field (a date in the record) the maturity counts from. */
  maturityFrom: string;
}

export interface DriftSettings {
  /** PSI bands: below `watch` stable, [watch, act) watch, at or above `act` retrain. */
  watch: number;
  act: number;
  /** Retrain only when `k` of the last `n` windows breached `act`. */
  persistence: { k: number; n: number };
  cooldownHours: number;
  /** Windows with fewer scored rows are reported but never trigger retraining. */
  minRows: number;
}

export interface GateThresholds {
  minAuc: number;
  maxBrier: number;
  maxEce: number;
  /** The challenger may not lose more AUC than this against the champion on the same holdout. */
  maxAucDropVsChampion: number;
  /** Favourable-rate ratio between groups of the sensitive attribute (four-fifths rule: 0.8). */
  minFavourableRatio?: number;
}

export interface GbdtParams {
  nEstimators: number;
  learningRate: number;
  maxDepth: number;
  maxLeaves: number;
  minChildWeight: number;
  l2: number;
  rowSubsample: number;
  colSubsample: number;
  maxBins: number;
  earlyStoppingRounds: number;
}

export interface LogisticParams {
  l2: number;
  maxIterations: number;
  tolerance: number;
}

export interface TrainingSettings {
  algorithm: 'gbdt' | 'logistic';
  seed: number;
  /** Rows the synthetic generator produces for the shipped model. */
  syntheticRows: number;
  validationFraction: number;
  holdoutFraction: number;
  gbdt: GbdtParams;
  logistic: LogisticParams;
  gate: GateThresholds;
  /** Record field whose values define segments for per-segment AUC and band rates. */
  segmentAttribute: string;
  /** Record field for the four-fifths check, where the use case has one. */
  sensitiveAttribute?: string;
  /** When true, a failed four-fifths check fails the gate; otherwise it is reported only. */
  gateOnFairness: boolean;
}

/** What the retrain consumer may do with a challenger that passed the gate (issue 11). */
export interface RetrainPolicy {
  /** Promote the challenger to champion automatically (approval still applies where required). */
  autoPromote: boolean;
  /** Auto-promotion needs challenger AUC ≥ champion AUC + this, on the same holdout. */
  promoteMargin: number;
}

/** Knobs of a use case's deterministic synthetic generator. */
export interface GeneratorOptions {
  rows: number;
  seed: number;
  /** ISO date of the first record's reference date; records spread over the following `spanDays`. */
  startDate?: string;
  spanDays?: number;
  /** Data drift: per record field name, a shift in standard deviations (numeric) or toward the last category. */
  dataDrift?: Record<string, number>;
  /** Concept drift strength in [0, 1]: 1 replaces the label relationship with a different one. */
  conceptDrift?: number;
  /** Share of optional fields left missing. */
  missingRate?: number;
  /** Share of rows made malformed (wrong types, out-of-range values, missing required fields). */
  malformedRate?: number;
}

/** A row as a data file would hold it: the input fields plus the label field. May be malformed. */
export type LabeledRow = Record<string, unknown>;

/** Everything the platform needs to know about one use case. */
export interface UseCase<S extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>> {
  /** snake_case, used in URLs, blob paths and table keys. */
  name: string;
  title: string;
  description: string;
  /** The single source of the input type. */
  schema: S;
  entityIdField: string;
  /** Fields that are keyed-hashed before they are audited. */
  piiFields: readonly string[];
  features: FeaturePipeline<z.output<S>>;
  bands: readonly DecisionBand[];
  label: LabelDefinition;
  drift: DriftSettings;
  training: TrainingSettings;
  /**
   * Separation of duties for this use case: promotion to champion needs an approval by another identity than
   * the pusher. Unset follows RISKOPS_REQUIRE_APPROVAL (on in Azure, off locally).
   */
  requireApproval?: boolean;
  /** Retraining policy; unset: challengers are registered but never promoted automatically. */
  retrain?: RetrainPolicy;
  /** Deterministic: the same options give the same rows, in the same order. */
  generate(options: GeneratorOptions): LabeledRow[];
}

/** Any use case, with its record type erased (what the platform iterates over). */
export type AnyUseCase = UseCase<z.ZodType<Record<string, unknown>>>;

/** The band a probability falls in. */
export function bandOf(bands: readonly DecisionBand[], probability: number): DecisionBand {
  for (const band of bands) if (probability < band.upTo) return band;
  const last = bands[bands.length - 1];
  if (last === undefined) throw new Error('a use case needs at least one decision band');
  return last;
}
