import { z } from 'zod';

/** What one input feature reads from a validated record. Raw values feed drift; encoded values feed the model. */
export type FeatureInput<R> =
  | {
      kind: 'numeric';
      name: string;
      description: string;
      get(record: R): number | null | undefined;
      /** `log1p` for heavy-tailed non-negative amounts. */
      transform?: 'log1p';
      /** Adds a `{name}__missing` 0/1 column. Imputation uses the training median either way. */
      missingIndicator?: boolean;
    }
  | {
      kind: 'boolean';
      name: string;
      description: string;
      get(record: R): boolean | null | undefined;
    }
  | {
      kind: 'categorical';
      name: string;
      description: string;
      get(record: R): string | null | undefined;
      /** Fixed vocabulary: one column per category, plus `__other` (unseen) — missing encodes as all zeros. */
      categories: readonly string[];
    };

/** A JSON-safe description of a feature input, stored in manifests and drift profiles. */
export const FeatureInputInfoSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('numeric'),
    name: z.string(),
    transform: z.enum(['log1p']).optional(),
    missingIndicator: z.boolean(),
  }),
  z.object({ kind: z.literal('boolean'), name: z.string() }),
  z.object({ kind: z.literal('categorical'), name: z.string(), categories: z.array(z.string()) }),
]);
export type FeatureInputInfo = z.infer<typeof FeatureInputInfoSchema>;

/** Imputation values frozen at training and stored in the manifest. */
export const FeatureStateSchema = z.object({
  medians: z.record(z.string(), z.number()),
  booleanRates: z.record(z.string(), z.number()),
});
export type FeatureState = z.infer<typeof FeatureStateSchema>;

export type RawValue = number | string | boolean | null;
