import onnxProto from 'onnx-proto';
import { RiskopsError } from '../errors/index.js';
import { MODEL_PROBABILITIES } from '../model/index.js';

const { onnx } = onnxProto;

/** What removing a ZipMap changed, recorded under `manifest.params.onnxRewrite`. */
export interface ZipMapRemoval {
  rewrite: 'zipmap_removed';
  /** The non-tensor output that was dropped (skl2onnx: `output_probability`). */
  originalOutput: string;
  /** The ZipMap's input tensor, now a graph output under `output`. */
  originalTensor: string;
  output: string;
  classLabels: number[];
}

function refuse(message: string): never {
  throw new RiskopsError('contract_violation', message);
}

function toNumber(value: number | { toString(): string }): number {
  return typeof value === 'number' ? value : Number(value.toString());
}

function decode(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new RiskopsError(
      'contract_violation',
      'The file is not an ONNX model (it does not decode as a ModelProto)',
      {
        cause: error,
      },
    );
  }
}

/**
 * scikit-learn converters end classifiers with a ZipMap (`ai.onnx.ml`) that turns the probability tensor into
 * a sequence of maps, which onnxruntime-node cannot return. This removes that node and exposes its input, the
 * float [N, 2] tensor, as the graph output `probabilities`. Models without a ZipMap come back byte-identical.
 * @throws RiskopsError `contract_violation` when a ZipMap is present but cannot be removed safely.
 */
export function removeZipMap(bytes: Uint8Array): { bytes: Uint8Array; removal: ZipMapRemoval | null } {
  const model = decode(bytes);
  const graph = model.graph;
  if (graph === null || graph === undefined) refuse('The ONNX model has no graph');
  const nodes = (graph.node ?? []).map((n) => ({ ...n, input: n.input ?? [], output: n.output ?? [] }));
  const outputs = graph.output ?? [];
  const zipMaps = nodes.filter((n) => n.opType === 'ZipMap' && n.domain === 'ai.onnx.ml');
  const [zipMap] = zipMaps;
  if (zipMap === undefined) return { bytes, removal: null };
  if (zipMaps.length > 1) refuse(`The model has ${zipMaps.length} ZipMap nodes; only one can be removed`);

  const source = zipMap.input[0];
  const target = zipMap.output[0];
  if (source === undefined || target === undefined) refuse('The ZipMap node has no input or output');
  const outputIndex = outputs.findIndex((o) => o.name === target);
  if (outputIndex < 0 || nodes.some((n) => n.input.includes(target))) {
    refuse(`ZipMap output '${target}' feeds other nodes; only a ZipMap that ends the graph can be removed`);
  }
  const labels = (zipMap.attribute ?? []).find((a) => a.name === 'classlabels_int64s');
  const classLabels = (labels?.ints ?? []).map(toNumber);
  if (classLabels.length !== 2 || classLabels[0] !== 0 || classLabels[1] !== 1) {
    refuse(
      `The ZipMap's class labels must be the integers [0, 1] (column 1 is read as the positive class); found ${labels === undefined ? 'string or no labels' : JSON.stringify(classLabels)}`,
    );
  }

  const output = MODEL_PROBABILITIES;
  const rename = (name: string): string => (name === source ? output : name);
  let valueInfo = graph.valueInfo ?? [];
  if (source !== output) {
    const taken =
      nodes.some((n) => n.output.includes(output) || n.input.includes(output)) ||
      (graph.input ?? []).some((i) => i.name === output) ||
      (graph.initializer ?? []).some((i) => i.name === output) ||
      outputs.some((o) => o.name === output);
    if (taken)
      refuse(`Cannot expose the ZipMap input as '${output}': the graph already has a tensor of that name`);
    valueInfo = valueInfo.map((v) => (v.name === source ? { ...v, name: output } : v));
  }
  const declared = valueInfo.find((v) => v.name === output)?.type;
  const batch = graph.input?.[0]?.type?.tensorType?.shape?.dim?.[0];
  const probabilities = {
    name: output,
    type: declared ?? {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [batch ?? { dimParam: 'N' }, { dimValue: 2 }] },
      },
    },
  };
  const exposed = outputs.map((o) => (o.name === source ? { ...o, name: output } : o));
  const alreadyOutput = exposed.some((o) => o.name === output);

  graph.node = nodes
    .filter((n) => n !== zipMap)
    .map((n) => ({ ...n, input: n.input.map(rename), output: n.output.map(rename) }));
  graph.output = alreadyOutput
    ? exposed.filter((_, i) => i !== outputIndex)
    : exposed.map((o, i) => (i === outputIndex ? probabilities : o));
  graph.valueInfo = valueInfo.filter((v) => v.name !== output);

  return {
    bytes: onnx.ModelProto.encode(model).finish(),
    removal: {
      rewrite: 'zipmap_removed',
      originalOutput: target,
      originalTensor: source,
      output,
      classLabels,
    },
  };
}
