/** The manifest of a trained model: its passport (decision 3), assembled without any wall-clock time. */
import { numericReference, referenceProfiles } from '../drift/index.js';
import type { FeatureState } from '../features/index.js';
import {
  type Explainer,
  type Manifest,
  ManifestSchema,
  MODEL_INPUT,
  MODEL_PROBABILITIES,
  sha256Hex,
} from '../model/index.js';
import type { AnyUseCase, GbdtParams, LogisticParams } from '../use-case/index.js';
import { codeVersion, VALIDATION_FILE } from './pipeline-output.js';
import type { ValidationReport } from './validation.js';

export type AlgorithmName = 'gbdt' | 'logistic';

const MANIFEST_ALGORITHM = { gbdt: 'gradient_boosting', logistic: 'logistic_regression' } as const;

export interface ManifestInput {
  useCase: AnyUseCase;
  algorithm: AlgorithmName;
  params: GbdtParams | LogisticParams;
  seed: number;
  onnx: Uint8Array;
  /** Imputation state fitted on the training records. */
  state: FeatureState;
  training: Manifest['training'];
  /** The model's holdout evaluation. */
  evaluation: Pick<Manifest, 'metrics' | 'gate' | 'segments' | 'fairness'> & { predictions: Float64Array };
  report: ValidationReport;
  /** The drift reference profile is built from these. */
  trainRecords: readonly Record<string, unknown>[];
  explainer: Explainer;
}

/**
 * Assembles and parses the manifest: ONNX checksum, parameters, seed, code version, feature contract,
 * training data summary, holdout metrics, bands, gate, segments, fairness, validation summary, the
 * reference profile (features of the training records, the score on the holdout) and the explainer.
 */
export function buildManifest(input: ManifestInput): Manifest {
  const { useCase, onnx, evaluation, report } = input;
  const { features } = useCase;
  return ManifestSchema.parse({
    schemaVersion: 1,
    useCase: useCase.name,
    algorithm: MANIFEST_ALGORITHM[input.algorithm],
    params: { ...input.params },
    seed: input.seed,
    codeVersion: codeVersion(),
    onnx: {
      sha256: sha256Hex(onnx),
      bytes: onnx.length,
      input: MODEL_INPUT,
      output: MODEL_PROBABILITIES,
      inputWidth: features.width,
    },
    features: {
      names: [...features.names],
      hash: features.hash,
      inputs: features.info(),
      state: input.state,
    },
    training: input.training,
    metrics: evaluation.metrics,
    bands: useCase.bands.map((b) => ({ name: b.name, upTo: b.upTo, action: b.action })),
    gate: evaluation.gate,
    segments: evaluation.segments,
    ...(evaluation.fairness === undefined ? {} : { fairness: evaluation.fairness }),
    validation: {
      passed: report.passed,
      errors: report.errors,
      warnings: report.warnings,
      report: VALIDATION_FILE,
    },
    reference: {
      rows: input.training.trainRows,
      features: referenceProfiles(useCase.features, input.trainRecords),
      score: numericReference('score', Array.from(evaluation.predictions)),
    },
    explainer: input.explainer,
  });
}
