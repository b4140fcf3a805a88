import { Tensor } from 'onnxruntime-node';
import { type FieldIssue, fieldIssues, RiskopsError } from '../errors/index.js';
import { type AnyUseCase, bandOf } from '../use-case/index.js';
import type { LoadedModel } from './ports.js';

/** One scored record. */
export interface Score {
  entityId: string;
  probability: number;
  band: string;
  action: string;
}

export interface ValidationOutcome {
  valid: { index: number; record: Record<string, unknown> }[];
  invalid: { index: number; issues: FieldIssue[] }[];
}

/** Validates raw inputs with the use case's schema; never throws on bad rows. */
export function validateRecords(useCase: AnyUseCase, inputs: readonly unknown[]): ValidationOutcome {
  const outcome: ValidationOutcome = { valid: [], invalid: [] };
  inputs.forEach((input, index) => {
    const result = useCase.schema.safeParse(input);
    if (result.success) outcome.valid.push({ index, record: result.data });
    else outcome.invalid.push({ index, issues: fieldIssues(result.error.issues) });
  });
  return outcome;
}

/**
 * Encodes validated records with the model's frozen feature state and scores them in one ONNX run.
 * @throws RiskopsError `contract_violation` when the model was trained on other features.
 */
export async function scoreValidated(
  useCase: AnyUseCase,
  model: LoadedModel,
  records: readonly Record<string, unknown>[],
): Promise<Score[]> {
  if (model.manifest.features.hash !== useCase.features.hash) {
    throw new RiskopsError(
      'contract_violation',
      `Model ${model.version} was trained on other features than ${useCase.name} computes`,
    );
  }
  if (records.length === 0) return [];
  const width = useCase.features.width;
  const matrix = new Float32Array(records.length * width);
  records.forEach((record, i) => {
    useCase.features.encode(record, model.manifest.features.state, matrix, i * width);
  });
  const input = new Tensor('float32', matrix, [records.length, width]);
  const outputName = model.manifest.onnx.output;
  const outputs = await model.session.run({ [model.manifest.onnx.input]: input }, [outputName]);
  const probabilities = outputs[outputName];
  if (probabilities === undefined || !(probabilities.data instanceof Float32Array)) {
    throw new RiskopsError('contract_violation', `Model ${model.version} returned no float probabilities`);
  }
  const data = probabilities.data;
  return records.map((record, i) => {
    const probability = data[i * 2 + 1] as number;
    const band = bandOf(useCase.bands, probability);
    return {
      entityId: String(record[useCase.entityIdField]),
      probability,
      band: band.name,
      action: band.action,
    };
  });
}
