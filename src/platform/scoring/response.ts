import { z } from 'zod';

/** Most records one score request may carry. */
export const MAX_SCORE_RECORDS = 1000;

const ReasonSchema = z.object({
  feature: z.string(),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
  contribution: z
    .number()
    .describe('Log-odds the input added to the score (positive: towards the adverse outcome)'),
  text: z.string(),
});

const ExplanationSchema = z
  .object({
    space: z.enum(['log-odds', 'probability', 'score']),
    baseValue: z.number(),
    contributions: z.array(ReasonSchema.omit({ text: true })),
  })
  .meta({ description: 'Every input; baseValue + Σ contributions = the raw model score' });

export const DecidedBySchema = z.enum(['champion', 'canary', 'pinned']);

/** One record's decision, as the score endpoint returns it. */
export const DecisionSchema = z.object({
  entityId: z.string(),
  probability: z.number().min(0).max(1),
  band: z.string(),
  action: z.string(),
  modelVersion: z.string(),
  decidedBy: DecidedBySchema,
  reasons: z.array(ReasonSchema).max(4).nullable(),
  reasonsUnavailable: z.string().optional(),
  explanation: ExplanationSchema.optional(),
});

const Common = {
  useCase: z.string(),
  modelVersion: z.string(),
  requestId: z.string(),
};

export const SingleScoreResponseSchema = z.object({ ...Common, ...DecisionSchema.shape });
export const BatchScoreResponseSchema = z.object({ ...Common, results: z.array(DecisionSchema) });
