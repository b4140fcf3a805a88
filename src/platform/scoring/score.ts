import { Tensor } from 'onnxruntime-node';
import { type FieldIssue, fieldIssues, RiskopsError } from '../errors/index.js';
import type { InputColumns } from '../features/index.js';
import { type AnyUseCase, bandOf } from '../use-case/index.js';
import { fastValidator } from './fast-validate.js';
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

/**
 * Validates raw inputs with the use case's schema; never throws on bad rows. Rows the schema's compiled fast
 * path accepts skip zod's issue machinery (same value zod returns); every other row is zod's to judge.
 */
export function validateRecords(useCase: AnyUseCase, inputs: readonly unknown[]): ValidationOutcome {
  const outcome: ValidationOutcome = { valid: [], invalid: [] };
  const fast = fastValidator(useCase.schema);
  inputs.forEach((input, index) => {
    const accepted = fast?.(input);
    if (accepted !== undefined) {
      outcome.valid.push({ index, record: accepted });
      return;
    }
    const result = useCase.schema.safeParse(input);
    if (result.success) outcome.valid.push({ index, record: result.data });
    else outcome.invalid.push({ index, issues: fieldIssues(result.error.issues) });
  });
  return outcome;
}

function checkContract(useCase: AnyUseCase, model: LoadedModel): void {
  if (model.manifest.features.hash !== useCase.features.hash) {
    throw new RiskopsError(
      'contract_violation',
      `Model ${model.version} was trained on other features than ${useCase.name} computes`,
    );
  }
}

/**
 * Encodes validated records with the model's frozen feature state into one row-major matrix; with `columns`
 * (one array per feature input), also keeps the records' raw input values there (see `FeaturePipeline.encode`).
 * @throws RiskopsError `contract_violation` when the model was trained on other features.
 */
export function encodeRecords(
  useCase: AnyUseCase,
  model: LoadedModel,
  records: readonly Record<string, unknown>[],
  columns?: InputColumns,
): Float32Array {
  checkContract(useCase, model);
  const width = useCase.features.width;
  const matrix = new Float32Array(records.length * width);
  for (let i = 0; i < records.length; i++) {
    useCase.features.encode(
      records[i] as Record<string, unknown>,
      model.manifest.features.state,
      matrix,
      i * width,
      columns,
      i,
    );
  }
  return matrix;
}

/**
 * One ONNX run over an encoded matrix: the positive-class probability of each row.
 * @throws RiskopsError `contract_violation` when the model returns no float probabilities.
 */
export async function runModel(
  model: LoadedModel,
  matrix: Float32Array,
  rows: number,
): Promise<Float32Array> {
  if (rows === 0) return new Float32Array(0);
  const input = new Tensor('float32', matrix, [rows, matrix.length / rows]);
  const outputName = model.manifest.onnx.output;
  const outputs = await model.session.run({ [model.manifest.onnx.input]: input }, [outputName]);
  const probabilities = outputs[outputName];
  if (probabilities === undefined || !(probabilities.data instanceof Float32Array)) {
    throw new RiskopsError('contract_violation', `Model ${model.version} returned no float probabilities`);
  }
  const data = probabilities.data;
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) out[i] = data[i * 2 + 1] as number;
  return out;
}

/** Entity id, probability, band and action of each scored record. */
export function toScores(
  useCase: AnyUseCase,
  records: readonly Record<string, unknown>[],
  probabilities: Float32Array,
): Score[] {
  return records.map((record, i) => {
    const probability = probabilities[i] as number;
    const band = bandOf(useCase.bands, probability);
    return {
      entityId: String(record[useCase.entityIdField]),
      probability,
      band: band.name,
      action: band.action,
    };
  });
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
  const matrix = encodeRecords(useCase, model, records);
  if (records.length === 0) return [];
  return toScores(useCase, records, await runModel(model, matrix, records.length));
}
