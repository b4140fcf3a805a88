import { InferenceSession, Tensor } from 'onnxruntime-node';
import { RiskopsError } from '../errors/index.js';
import { featureHash } from '../features/index.js';
import type { Manifest } from '../model/index.js';
import type { RegistryUseCase } from './types.js';

function refuse(message: string): never {
  throw new RiskopsError('contract_violation', message);
}

/**
 * The manifest's features must be the use case's, in the same order.
 * @throws RiskopsError `contract_violation` naming the first differing position.
 */
export function checkFeatureNames(useCase: RegistryUseCase, manifest: Manifest): void {
  const expected = useCase.features.names;
  const actual = manifest.features.names;
  const length = Math.max(expected.length, actual.length);
  for (let i = 0; i < length; i++) {
    if (expected[i] !== actual[i]) {
      refuse(
        `Feature names differ from ${useCase.name}'s at position ${i}: the manifest has ${JSON.stringify(actual[i] ?? '(none)')}, the use case computes ${JSON.stringify(expected[i] ?? '(none)')} (manifest ${actual.length} features, use case ${expected.length})`,
      );
    }
  }
  if (manifest.features.hash !== featureHash(actual)) {
    refuse(`manifest.features.hash does not match its feature names (expected ${useCase.features.hash})`);
  }
}

/**
 * Creates an onnxruntime session from bytes.
 * @throws RiskopsError `contract_violation` when onnxruntime cannot load the model.
 */
export async function openSession(bytes: Uint8Array, label: string): Promise<InferenceSession> {
  try {
    // One thread per session: a pool's spinning workers burn CPU the event loop needs, and tree ensembles over
    // a few rows gain nothing from intra-op parallelism (Functions scales out by instances instead).
    return await InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new RiskopsError('contract_violation', `${label} does not load in onnxruntime: ${reason}`, {
      cause: error,
    });
  }
}

/** The input and probability output the session will be called with. */
export interface ModelIo {
  input: string;
  output: string;
}

function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Checks what serving relies on: one float input `[N, width]` with `width` the use case's feature count, only
 * tensor outputs (onnxruntime-node cannot return maps or sequences), a float `[N, 2]` probability output, and
 * a trial run on two rows.
 * @throws RiskopsError `contract_violation` naming the exact problem.
 */
export async function checkSession(
  session: InferenceSession,
  useCase: { name: string; width: number },
  io: Partial<ModelIo> = {},
): Promise<ModelIo> {
  const inputs = session.inputMetadata;
  const [input] = inputs;
  if (input === undefined || inputs.length !== 1) {
    refuse(
      `The model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); riskops feeds exactly one float tensor [N, ${useCase.width}]`,
    );
  }
  if (!input.isTensor || input.type !== 'float32') {
    refuse(
      `Input '${input.name}' is ${input.isTensor ? input.type : 'not a tensor'}; it must be a float tensor`,
    );
  }
  if (input.shape.length !== 2) {
    refuse(`Input '${input.name}' has shape ${describeShape(input.shape)}; expected [N, ${useCase.width}]`);
  }
  const width = input.shape[1];
  if (typeof width === 'number' && width !== useCase.width) {
    refuse(`input width ${width} does not match ${useCase.name}'s ${useCase.width} features`);
  }
  if (io.input !== undefined && io.input !== input.name) {
    refuse(`manifest.onnx.input is '${io.input}' but the model's input is '${input.name}'`);
  }
  const nonTensor = session.outputMetadata.filter((o) => !o.isTensor);
  if (nonTensor.length > 0) {
    refuse(
      `Output ${nonTensor.map((o) => `'${o.name}'`).join(', ')} is not a tensor (a sequence or map); onnxruntime-node cannot return it. Export the model with tensor outputs only`,
    );
  }
  const outputName = io.output ?? pickProbabilityOutput(session);
  const output = session.outputMetadata.find((o) => o.name === outputName);
  if (output === undefined || !output.isTensor) {
    refuse(
      `The model has no output '${outputName}' (it has ${session.outputNames.join(', ')}); set manifest.onnx.output to the float [N, 2] probabilities`,
    );
  }
  const classes = output.shape[1];
  if (
    output.type !== 'float32' ||
    output.shape.length !== 2 ||
    (typeof classes === 'number' && classes !== 2)
  ) {
    refuse(
      `Output '${outputName}' is ${output.type} ${describeShape(output.shape)}; it must be float [N, 2] probabilities of classes 0 and 1`,
    );
  }
  await trialRun(session, useCase, input.name, outputName);
  return { input: input.name, output: outputName };
}

function pickProbabilityOutput(session: InferenceSession): string {
  const candidates = session.outputMetadata.filter(
    (o) => o.isTensor && o.type === 'float32' && o.shape.length === 2 && o.shape[1] !== 1,
  );
  const named = candidates.find((o) => o.name === 'probabilities');
  return (named ?? candidates[0])?.name ?? 'probabilities';
}

async function trialRun(
  session: InferenceSession,
  useCase: { name: string; width: number },
  input: string,
  output: string,
): Promise<void> {
  const rows = 2;
  let result: Tensor | undefined;
  try {
    const feeds = {
      [input]: new Tensor('float32', new Float32Array(rows * useCase.width), [rows, useCase.width]),
    };
    result = (await session.run(feeds, [output]))[output] as Tensor | undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    refuse(`The model fails on a float [${rows}, ${useCase.width}] input: ${reason}`);
  }
  if (result === undefined || !(result.data instanceof Float32Array) || result.data.length !== rows * 2) {
    refuse(`Output '${output}' did not return float [${rows}, 2] on a trial run of ${rows} rows`);
  }
  if (!result.data.every((p) => Number.isFinite(p) && p >= 0 && p <= 1)) {
    refuse(`Output '${output}' returned values outside [0, 1] on a trial run; it must hold probabilities`);
  }
}
