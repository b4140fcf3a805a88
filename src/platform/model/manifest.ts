import { z } from 'zod';
import { BinProfileSchema, NumericProfileSchema } from '../drift/bins.js';
import { FeatureInputInfoSchema, FeatureStateSchema } from '../features/spec.js';

/** Name of the model's float input tensor [N, width] and of its probability output [N, 2]. */
export const MODEL_INPUT = 'input';
export const MODEL_PROBABILITIES = 'probabilities';

export const BandSchema = z.object({ name: z.string(), upTo: z.number(), action: z.string() });

export const MetricsSchema = z.object({
  rows: z.number().int().nonnegative(),
  positives: z.number().int().nonnegative(),
  auc: z.number(),
  brier: z.number(),
  ece: z.number(),
  logLoss: z.number(),
  ks: z.number(),
  /** Per band: share of rows in the band or above, and precision/recall of flagging at its lower cut-off. */
  bands: z.array(
    z.object({
      band: z.string(),
      threshold: z.number(),
      rate: z.number(),
      precision: z.number(),
      recall: z.number(),
    }),
  ),
});
export type Metrics = z.infer<typeof MetricsSchema>;

export const GateCheckSchema = z.object({
  name: z.string(),
  value: z.number(),
  threshold: z.number(),
  comparator: z.enum(['>=', '<=']),
  passed: z.boolean(),
  /** Reported-only checks never fail the gate. */
  enforced: z.boolean(),
});
export const GateResultSchema = z.object({ passed: z.boolean(), checks: z.array(GateCheckSchema) });
export type GateResult = z.infer<typeof GateResultSchema>;

export const ExplainerSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('linear'),
    /** Means of the encoded features on the training set (the baseline for contributions). */
    featureMeans: z.array(z.number()),
    /** Coefficients on the encoded (unstandardised) features, and the intercept, in log-odds. */
    coefficients: z.array(z.number()),
    intercept: z.number(),
  }),
  z.object({
    kind: z.literal('tree'),
    baseScore: z.number(),
    /** Per tree, per node (in ONNX node order): training rows (hessian weight) that reached the node. */
    covers: z.array(z.array(z.number())),
  }),
]);
export type Explainer = z.infer<typeof ExplainerSchema>;

/**
 * The model's passport, written beside `model.onnx`. Holds no wall-clock time, so the same data, config
 * and seed give a byte-identical manifest; the registry records when a version was pushed.
 */
export const ManifestSchema = z.object({
  schemaVersion: z.literal(1),
  useCase: z.string(),
  /** Set by the registry when the version is created; absent in files under models/. */
  version: z.string().optional(),
  algorithm: z.enum(['logistic_regression', 'gradient_boosting', 'external']),
  params: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  codeVersion: z.string(),
  onnx: z.object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().positive(),
    input: z.string(),
    output: z.string(),
    inputWidth: z.number().int().positive(),
  }),
  features: z.object({
    names: z.array(z.string()),
    hash: z.string(),
    inputs: z.array(FeatureInputInfoSchema),
    state: FeatureStateSchema,
  }),
  training: z.object({
    source: z.string(),
    dataHash: z.string(),
    rows: z.number().int().nonnegative(),
    trainRows: z.number().int().nonnegative(),
    validationRows: z.number().int().nonnegative(),
    holdoutRows: z.number().int().nonnegative(),
    positiveRate: z.number(),
    rejectedRows: z.number().int().nonnegative(),
  }),
  metrics: MetricsSchema,
  bands: z.array(BandSchema),
  gate: GateResultSchema,
  segments: z
    .array(
      z.object({
        attribute: z.string(),
        value: z.string(),
        rows: z.number(),
        auc: z.number().nullable(),
        bandRates: z.record(z.string(), z.number()),
      }),
    )
    .default([]),
  fairness: z
    .object({
      attribute: z.string(),
      favourableBand: z.string(),
      rates: z.record(z.string(), z.number()),
      minRatio: z.number(),
    })
    .optional(),
  validation: z
    .object({ passed: z.boolean(), errors: z.number().int(), warnings: z.number().int(), report: z.string() })
    .optional(),
  reference: z.object({
    rows: z.number().int().nonnegative(),
    features: z.array(BinProfileSchema),
    score: NumericProfileSchema,
  }),
  explainer: ExplainerSchema.optional(),
  /**
   * Why and from what this model was trained, when a retrain request produced it: the request id, the
   * drift receipt, the labeled data (hash, rows, source blobs) and the champion it was compared with.
   */
  lineage: z
    .object({
      trigger: z.literal('retrain-request'),
      requestId: z.string(),
      receipt: z.record(z.string(), z.unknown()),
      dataHash: z.string(),
      dataRows: z.number().int().nonnegative(),
      sources: z.array(z.object({ name: z.string(), bytes: z.number().int(), etag: z.string().optional() })),
      champion: z.object({ version: z.string(), auc: z.number() }).nullable(),
    })
    .optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
