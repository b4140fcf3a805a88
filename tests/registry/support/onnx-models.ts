import {
  type Attribute,
  attr,
  ElemType,
  encodeModel,
  ML_DOMAIN,
  type Node,
  tensorInfo,
  type ValueInfo,
} from '../../../src/platform/onnx/proto.js';

const { FLOAT, INT64 } = ElemType;

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
): Node {
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
  const classifier = node('LinearClassifier', [inputName], [labelName, 'probabilities'], ML_DOMAIN, [
    attr.floats('coefficients', options.coefficients),
    attr.floats('intercepts', [options.intercept ?? 0]),
    attr.ints('classlabels_ints', [0, 1]),
    attr.string('post_transform', 'LOGISTIC'),
  ]);
  const nodes = [classifier];
  const outputs = [tensorInfo(labelName, INT64, ['N'])];
  if (layout === 'plain') outputs.push(tensorInfo('probabilities', FLOAT, ['N', 2]));
  if (layout === 'zipmap') {
    nodes.push(
      node('ZipMap', ['probabilities'], ['output_probability'], ML_DOMAIN, [
        attr.ints('classlabels_int64s', [0, 1]),
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
  return encodeModel({
    graphName: 'linear',
    nodes,
    inputs: [tensorInfo(inputName, FLOAT, ['N', width])],
    outputs,
    metadata: [],
  });
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
