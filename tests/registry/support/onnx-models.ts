import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type ValueInfo = onnxProto.onnx.IValueInfoProto;
type NodeProto = onnxProto.onnx.INodeProto;
type Attribute = onnxProto.onnx.IAttributeProto;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const { FLOATS, INTS, STRING } = onnx.AttributeProto.AttributeType;

type Dim = number | string;

function tensor(name: string, elemType: number, dims: readonly Dim[]): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** `seq(map(int64, float))`: what a scikit-learn converter's ZipMap returns. */
function zipMapType(name: string): ValueInfo {
  return {
    name,
    type: {
      sequenceType: {
        elemType: { mapType: { keyType: INT64, valueType: { tensorType: { elemType: FLOAT } } } },
      },
    },
  };
}

export interface LinearModelOptions {
  /** One weight per input column (the model's input width). */
  coefficients: readonly number[];
  intercept?: number;
  /** Declared width of the input; defaults to `coefficients.length` (a mismatch makes a broken model). */
  inputWidth?: number;
  inputName?: string;
  /**
   * `plain`: outputs `label` and `probabilities` (what the registry serves).
   * `zipmap`: laid out as skl2onnx does, `output_label` and a ZipMap `output_probability`.
   * `sequence`: `label` plus a non-tensor `probabilities_seq` (a sequence of tensors).
   */
  layout?: 'plain' | 'zipmap' | 'sequence';
}

function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  domain = '',
  attribute: Attribute[] = [],
): NodeProto {
  return { opType, input: inputs, output: outputs, name: `${opType}_${outputs[0] ?? ''}`, domain, attribute };
}

/**
 * A binary logistic model as an `ai.onnx.ml` LinearClassifier: one coefficient row, class labels [0, 1],
 * LOGISTIC post-transform, so P(1) = sigmoid(w·x + b). Returns the encoded ModelProto bytes.
 */
export function linearModel(options: LinearModelOptions): Uint8Array {
  const layout = options.layout ?? 'plain';
  const width = options.inputWidth ?? options.coefficients.length;
  const inputName = options.inputName ?? 'input';
  const labelName = layout === 'zipmap' ? 'output_label' : 'label';
  const classifier = node('LinearClassifier', [inputName], [labelName, 'probabilities'], 'ai.onnx.ml', [
    { name: 'coefficients', type: FLOATS, floats: [...options.coefficients] },
    { name: 'intercepts', type: FLOATS, floats: [options.intercept ?? 0] },
    { name: 'classlabels_ints', type: INTS, ints: [0, 1] },
    { name: 'post_transform', type: STRING, s: new TextEncoder().encode('LOGISTIC') },
  ]);
  const nodes = [classifier];
  const outputs = [tensor(labelName, INT64, ['N'])];
  if (layout === 'plain') outputs.push(tensor('probabilities', FLOAT, ['N', 2]));
  if (layout === 'zipmap') {
    nodes.push(
      node('ZipMap', ['probabilities'], ['output_probability'], 'ai.onnx.ml', [
        { name: 'classlabels_int64s', type: INTS, ints: [0, 1] },
      ]),
    );
    outputs.push(zipMapType('output_probability'));
  }
  if (layout === 'sequence') {
    nodes.push(node('SequenceConstruct', ['probabilities'], ['probabilities_seq']));
    outputs.push({
      name: 'probabilities_seq',
      type: { sequenceType: { elemType: { tensorType: { elemType: FLOAT } } } },
    });
  }
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 8,
    producerName: 'riskops-tests',
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    graph: {
      name: 'linear',
      node: nodes,
      input: [tensor(inputName, FLOAT, ['N', width])],
      output: outputs,
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/** Reference scores of `linearModel`: sigmoid(w·x + b) per row of a row-major matrix. */
export function linearScores(
  coefficients: readonly number[],
  intercept: number,
  matrix: Float32Array,
): number[] {
  const width = coefficients.length;
  const scores: number[] = [];
  for (let i = 0; i < matrix.length / width; i++) {
    let z = intercept;
    for (let j = 0; j < width; j++) z += (coefficients[j] ?? 0) * (matrix[i * width + j] ?? 0);
    scores.push(1 / (1 + Math.exp(-z)));
  }
  return scores;
}
