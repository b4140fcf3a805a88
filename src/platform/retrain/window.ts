/**
 * What the retrain trigger needs of one drift window: deliberately small, so the drift monitor's report
 * (whatever its shape) is adapted to it in one place. PSI values are the project's (DESIGN decision 6:
 * α = 0.5 smoothing, decile bins plus MISSING).
 */
import { z } from 'zod';

const isoDate = z.iso.date();

export const PsiValueSchema = z.object({
  /** PSI of the window against the model's frozen reference bins. */
  psi: z.number().nonnegative(),
  /** Bins compared (including MISSING / OTHER). */
  bins: z.number().int().positive().optional(),
  /** χ²₀.₉₅(B−1)·(1/n_ref + 1/n): PSI below this is sampling noise at these sizes. */
  criticalValue: z.number().nonnegative().optional(),
  /** The window's counts per bin, when the caller wants them kept in the receipt. */
  counts: z.array(z.number().int().nonnegative()).optional(),
});

export const DriftWindowSchema = z.object({
  useCase: z.string().min(1),
  /** The scoring day the window covers (UTC), e.g. `2026-11-30`. */
  windowDate: isoDate,
  /** The model version whose reference bins the window was compared with. */
  modelVersion: z.string().min(1),
  /** Hash of that model's reference profile (frozen bins and counts). */
  referenceProfileHash: z.string().min(1),
  /** Rows scored in the window, and rows behind the reference profile. */
  rows: z.number().int().nonnegative(),
  referenceRows: z.number().int().nonnegative(),
  /** PSI per feature (by feature / record field name). */
  features: z.record(z.string(), PsiValueSchema),
  /** PSI of the score distribution. */
  score: PsiValueSchema,
});
/** One drift window, as the retrain trigger reads it. */
export type DriftWindow = z.input<typeof DriftWindowSchema>;
export type ParsedDriftWindow = z.output<typeof DriftWindowSchema>;

/**
 * At or above `act`, and above the sample-size critical value when the window carries one (DESIGN decision 6:
 * a small window's PSI is noisy, and noise must not trigger a retrain).
 */
function breaches(value: { psi: number; criticalValue?: number | undefined }, act: number): boolean {
  return value.psi >= act && (value.criticalValue === undefined || value.psi > value.criticalValue);
}

/** Names (feature names, and `score`) whose PSI breaches `act` (see `breaches`). */
export function breachesOf(window: ParsedDriftWindow, act: number): string[] {
  const names = Object.entries(window.features)
    .filter(([, v]) => breaches(v, act))
    .map(([name]) => name)
    .sort();
  if (breaches(window.score, act)) names.push('score');
  return names;
}

/** The largest PSI of the window (features and score). */
export function maxPsiOf(window: ParsedDriftWindow): number {
  return Math.max(window.score.psi, ...Object.values(window.features).map((v) => v.psi));
}
