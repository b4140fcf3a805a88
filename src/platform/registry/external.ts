import { Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { numericReference, referenceProfiles } from '../drift/index.js';
import { fieldIssues, RiskopsError } from '../errors/index.js';
import { FeatureStateSchema } from '../features/index.js';
import {
  ExplainerSchema,
  GateResultSchema,
  type Manifest,
  ManifestSchema,
  MetricsSchema,
  sha256Hex,
} from '../model/index.js';
import { computeMetrics } from '../training/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { checkSession, openSession } from './contract.js';
import type { PushResult, Registry } from './registry.js';
import type { ChangeOptions } from './types.js';
import { removeZipMap } from './zipmap.js';

/** What a team bringing its own ONNX may state; everything else is filled in from the use case and sample. */
export const ExternalManifestSchema = z.object({
  params: z.record(z.string(), z.unknown()).optional(),
  seed: z.number().int().optional(),
  codeVersion: z.string().optional(),
  onnx: z.object({ output: z.string().optional() }).optional(),
  features: z.object({ state: FeatureStateSchema.optional() }).optional(),
  training: ManifestSchema.shape.training.partial().optional(),
  metrics: MetricsSchema.optional(),
  bands: ManifestSchema.shape.bands.optional(),
  gate: GateResultSchema.optional(),
  explainer: ExplainerSchema.optional(),
});
export type ExternalManifest = z.infer<typeof ExternalManifestSchema>;

export interface ExternalPushOptions extends ChangeOptions {
  /** Records (with the label field, if known) the model was trained or validated on. */
  sample?: readonly unknown[];
}

const LabelSchema = z.union([z.literal(0), z.literal(1), z.boolean()]).transform(Number);

/**
 * Registers a model trained outside riskops: fills in the checksum, the ONNX io names, the use case's feature
 * contract, and (from `sample`, if given) the imputation state, the drift reference profile of every feature
 * and of the model's score, and metrics when the sample carries labels. The algorithm is `external`.
 * @throws RiskopsError `invalid_input` for a bad partial manifest or sample, plus everything `push` throws.
 */
export async function pushExternal(
  registry: Registry,
  useCase: AnyUseCase,
  bytes: Uint8Array,
  partialManifest: unknown,
  options: ExternalPushOptions,
): Promise<PushResult> {
  const parsed = ExternalManifestSchema.safeParse(partialManifest ?? {});
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error.issues);
    throw new RiskopsError(
      'invalid_input',
      `Invalid manifest: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        issues,
      },
    );
  }
  const partial = parsed.data;
  const width = useCase.features.width;
  const records: Record<string, unknown>[] = [];
  const labels: number[] = [];
  let rejected = 0;
  for (const row of options.sample ?? []) {
    const record = useCase.schema.safeParse(row);
    if (!record.success) {
      rejected++;
      continue;
    }
    records.push(record.data);
    const label = LabelSchema.safeParse((row as Record<string, unknown>)[useCase.label.field]);
    if (label.success) labels.push(label.data);
  }
  if (options.sample !== undefined && records.length === 0) {
    throw new RiskopsError(
      'invalid_input',
      `None of the ${rejected} sample rows is a valid ${useCase.name} record`,
    );
  }
  const state =
    records.length > 0
      ? useCase.features.fit(records)
      : (partial.features?.state ?? { medians: {}, booleanRates: {} });

  const session = await openSession(removeZipMap(bytes).bytes, `The ${useCase.name} model`);
  let scores: number[] = [];
  let io: { input: string; output: string };
  try {
    io = await checkSession(
      session,
      { name: useCase.name, width },
      partial.onnx?.output === undefined ? {} : { output: partial.onnx.output },
    );
    if (records.length > 0) {
      const matrix = useCase.features.matrix(records, state);
      const out = await session.run({ [io.input]: new Tensor('float32', matrix, [records.length, width]) }, [
        io.output,
      ]);
      const data = out[io.output]?.data as Float32Array;
      scores = records.map((_, i) => data[i * 2 + 1] as number);
    }
  } finally {
    await session.release();
  }

  const labeled = labels.length === records.length && records.length > 0;
  const positives = labeled ? labels.reduce((a, b) => a + b, 0) : 0;
  const metrics =
    partial.metrics ??
    (labeled
      ? computeMetrics(Float64Array.from(labels), scores, useCase.bands)
      : // Not measured: `rows: 0` says so (JSON has no NaN).
        { rows: 0, positives: 0, auc: 0, brier: 0, ece: 0, logLoss: 0, ks: 0, bands: [] });
  const t = partial.training;
  const manifest: Manifest = {
    schemaVersion: 1,
    useCase: useCase.name,
    algorithm: 'external',
    params: partial.params ?? {},
    seed: partial.seed ?? 0,
    codeVersion: partial.codeVersion ?? 'external',
    onnx: {
      sha256: sha256Hex(bytes),
      bytes: bytes.length,
      input: io.input,
      output: io.output,
      inputWidth: width,
    },
    features: {
      names: [...useCase.features.names],
      hash: useCase.features.hash,
      inputs: useCase.features.info(),
      state,
    },
    training: {
      source: t?.source ?? 'external',
      dataHash: t?.dataHash ?? (records.length > 0 ? sha256Hex(JSON.stringify(options.sample)) : 'unknown'),
      rows: t?.rows ?? records.length + rejected,
      trainRows: t?.trainRows ?? 0,
      validationRows: t?.validationRows ?? records.length,
      holdoutRows: t?.holdoutRows ?? 0,
      positiveRate: t?.positiveRate ?? (labeled ? positives / records.length : 0),
      rejectedRows: t?.rejectedRows ?? rejected,
    },
    metrics,
    bands: partial.bands ?? useCase.bands.map((b) => ({ ...b })),
    gate: partial.gate ?? { passed: false, checks: [] },
    segments: [],
    reference: {
      rows: records.length,
      features: referenceProfiles(useCase.features, records),
      score: numericReference('score', scores),
    },
    ...(partial.explainer === undefined ? {} : { explainer: partial.explainer }),
  };
  return registry.push(useCase.name, bytes, manifest, options);
}
