import type { z } from 'zod';
import { RiskopsError } from '../errors/index.js';
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
  /**
   * The label column's text in data files when it is not 0/1 or true/false (`Yes`/`No`, `churned`/`active`):
   * `positive` reads as 1, `negative` as 0 (case and surrounding blanks ignored).
   */
  values?: { positive: string; negative: string };
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
  /** Rows the synthetic generator produces for the shipped model (use cases with a generator). */
  syntheticRows?: number;
  /**
   * Labeled data file (CSV or JSON lines, path relative to the project root) the shipped model is trained
   * from when no data is given: how a use case without a synthetic generator ships a reproducible model.
   */
  dataFile?: string;
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
  /**
   * Input columns copied into batch and event score outputs so downstream systems can join them back
   * (default: the entity id field alone).
   */
  keyFields?: readonly string[];
  /** Fields that are keyed-hashed before they are audited. */
  piiFields: readonly string[];
  /**
   * Reason texts by feature input name, shown when the input pushed a score up (adverse reasons).
   * An input without one falls back to its feature description.
   */
  reasonTexts?: Readonly<Record<string, string>>;
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
  /**
   * Deterministic synthetic data: the same options give the same rows, in the same order. Optional: a use
   * case scaffolded from a real data file trains from that data (`training.dataFile` or `--data`).
   */
  generate?(options: GeneratorOptions): LabeledRow[];
}

/** A use case that ships a synthetic generator (the three hand-written ones do). */
export interface SyntheticUseCase<
  S extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>,
> extends UseCase<S> {
  generate(options: GeneratorOptions): LabeledRow[];
}

/** Any use case, with its record type erased (what the platform iterates over). */
export type AnyUseCase = UseCase<z.ZodType<Record<string, unknown>>>;

/**
 * The use case's generator.
 * @throws RiskopsError `invalid_input` naming the use case and what to pass instead, when it has none.
 */
export function requireGenerator(
  useCase: AnyUseCase,
  instead = '--data with a labeled data file',
): (options: GeneratorOptions) => LabeledRow[] {
  const generate = useCase.generate;
  if (generate === undefined)
    throw new RiskopsError(
      'invalid_input',
      `${useCase.name} has no synthetic data generator (it was built from a data file): use ${instead}`,
    );
  return (options) => generate.call(useCase, options);
}

/** The band a probability falls in. */
export function bandOf(bands: readonly DecisionBand[], probability: number): DecisionBand {
  for (const band of bands) if (probability < band.upTo) return band;
  const last = bands[bands.length - 1];
  if (last === undefined) throw new Error('a use case needs at least one decision band');
  return last;
}

/**
 * The use case called `name` among `useCases`.
 * @throws RiskopsError `unknown_use_case` naming the known ones.
 */
export function findUseCase<U extends { name: string }>(useCases: readonly U[], name: string): U {
  const found = useCases.find((u) => u.name === name);
  if (found !== undefined) return found;
  throw new RiskopsError(
    'unknown_use_case',
    `Unknown use case '${name}'. Known: ${useCases.map((u) => u.name).join(', ')}`,
  );
}
