import { z } from 'zod';

export const QuantityDriftSchema = z.object({
  name: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  psi: z.number(),
  /**
   * χ²₀.₉₅(B−1)·(1/n_ref + 1/n): a PSI this window would exceed 5% of the time without drift. Null when the
   * reference (a model pushed without a sample) or the window has no rows: then nothing is significant.
   */
  critical: z.number().nullable(),
  significant: z.boolean(),
  band: z.enum(['stable', 'watch', 'act']),
  /** In the act band, above the critical value, on a window of at least `minRows` rows. */
  flagged: z.boolean(),
  /** Jensen-Shannon distance, base 2 (0 identical … 1 disjoint). */
  jsd: z.number(),
  missing: z.object({ reference: z.number(), current: z.number(), change: z.number() }),
  /** Categorical only: share of the window's rows in categories the reference never saw. */
  unseenShare: z.number().nullable(),
  bins: z.object({
    labels: z.array(z.string()),
    reference: z.array(z.number()),
    current: z.array(z.number()),
  }),
});
export type QuantityDrift = z.infer<typeof QuantityDriftSchema>;

/**
 * The drift of one use case in one window (a UTC day) for one model version, against that version's frozen
 * reference profile. Written to `drift-reports/{useCase}/{date}/report.json`; handed to `onReport` hooks
 * (retraining decides k-of-n on `breached`).
 */
export const DriftReportSchema = z.object({
  schemaVersion: z.literal(1),
  useCase: z.string(),
  /** The window: one UTC day, YYYY-MM-DD. */
  date: z.string(),
  generatedAt: z.string(),
  modelVersion: z.string(),
  referenceHash: z.string(),
  referenceRows: z.number(),
  rows: z.number(),
  sources: z.object({ http: z.number(), batch: z.number() }),
  partials: z.number(),
  thresholds: z.object({ watch: z.number(), act: z.number(), minRows: z.number() }),
  features: z.array(QuantityDriftSchema),
  score: QuantityDriftSchema,
  /** Names of flagged features, and `score` when the score is flagged. */
  flagged: z.array(z.string()),
  /** Any feature or the score flagged: the window breached. */
  breached: z.boolean(),
  /** Other model versions that scored in the window, with their own reports beside this one. */
  otherVersions: z.array(z.object({ modelVersion: z.string(), rows: z.number() })),
});
export type DriftReport = z.infer<typeof DriftReportSchema>;
