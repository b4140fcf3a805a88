/** The retrain request message and its drift receipt: what made the platform ask for a new model. */
import { z } from 'zod';
import { PsiValueSchema } from './window.js';

/** Smoothing of PSI shares (DESIGN decision 6), recorded in every receipt. */
export const PSI_ALPHA = 0.5;

export const WindowSummarySchema = z.object({
  windowDate: z.string(),
  modelVersion: z.string(),
  rows: z.number().int(),
  maxPsi: z.number(),
  breached: z.boolean(),
  breaches: z.array(z.string()),
});
export type WindowSummary = z.infer<typeof WindowSummarySchema>;

export const DriftReceiptSchema = z.object({
  useCase: z.string(),
  windowDate: z.string(),
  modelVersion: z.string(),
  referenceProfileHash: z.string(),
  rows: z.number().int(),
  referenceRows: z.number().int(),
  alpha: z.number(),
  thresholds: z.object({ watch: z.number(), act: z.number(), minRows: z.number().int() }),
  persistence: z.object({ k: z.number().int(), n: z.number().int(), breachedWindows: z.number().int() }),
  cooldownHours: z.number(),
  /** Features (and `score`) at or above `act` in the triggering window. */
  breaches: z.array(z.string()),
  psi: z.object({ features: z.record(z.string(), PsiValueSchema), score: PsiValueSchema }),
  /** The last n windows the k-of-n decision looked at, newest first. */
  windows: z.array(WindowSummarySchema),
  codeVersion: z.string(),
});
export type DriftReceipt = z.infer<typeof DriftReceiptSchema>;

export const RetrainRequestSchema = z.object({
  /** Equals the Service Bus message id: `retrain:{useCase}:{windowDate}`. */
  requestId: z.string().min(1),
  useCase: z.string().min(1),
  windowDate: z.iso.date(),
  requestedAt: z.iso.datetime(),
  reason: z.string(),
  receipt: DriftReceiptSchema,
});
export type RetrainRequest = z.infer<typeof RetrainRequestSchema>;

/** Deterministic message id: one request per use case and window, whoever sends it and how often. */
export function retrainMessageId(useCase: string, windowDate: string): string {
  return `retrain:${useCase}:${windowDate}`;
}
