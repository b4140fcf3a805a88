import onnxproto from 'onnx-proto';

const { onnx } = onnxproto;

export type ValueInfo = onnxproto.onnx.IValueInfoProto;
export type Attribute = onnxproto.onnx.IAttributeProto;
export type Node = onnxproto.onnx.INodeProto;

/** ONNX IR version and opsets the exporters target (verified against onnxruntime-node). */
export const IR_VERSION = 8;
export const OPSET_DEFAULT = 17;
export const OPSET_ML = 3;
export const ML_DOMAIN = 'ai.onnx.ml';
const PRODUCER = 'riskops';

export const ElemType = {
  FLOAT: onnx.TensorProto.DataType.FLOAT,
  INT64: onnx.TensorProto.DataType.INT64,
} as const;

const utf8 = new TextEncoder();
const AttributeType = onnx.AttributeProto.AttributeType;

/** A tensor's value info; a string dimension is symbolic (e.g. the batch size `N`). */
export function tensorInfo(name: string, elemType: number, dims: readonly (number | string)[]): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export const attr = {
  ints: (name: string, values: ArrayLike<number>): Attribute => ({
    name,
    type: AttributeType.INTS,
    ints: Array.from(values),
  }),
  /** Values are rounded to float32 on encoding. */
  floats: (name: string, values: ArrayLike<number>): Attribute => ({
    name,
    type: AttributeType.FLOATS,
    floats: Array.from(values),
  }),
  string: (name: string, value: string): Attribute => ({
    name,
    type: AttributeType.STRING,
    s: utf8.encode(value),
  }),
  strings: (name: string, values: readonly string[]): Attribute => ({
    name,
    type: AttributeType.STRINGS,
    strings: values.map((v) => utf8.encode(v)),
  }),
};

export interface ModelParts {
  graphName: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Written in the given order; no timestamps, so equal parts encode to equal bytes. */
  metadata: readonly (readonly [string, string])[];
  docString?: string;
}

/** Assembles and encodes a model. Deterministic: the same parts give the same bytes. */
export function encodeModel(parts: ModelParts): Uint8Array {
  const model: onnxproto.onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [
      { domain: '', version: OPSET_DEFAULT },
      { domain: ML_DOMAIN, version: OPSET_ML },
    ],
    producerName: PRODUCER,
    producerVersion: '1',
    modelVersion: 1,
    docString: parts.docString ?? '',
    graph: {
      name: parts.graphName,
      node: parts.nodes,
      input: parts.inputs,
      output: parts.outputs,
    },
    metadataProps: parts.metadata.map(([key, value]) => ({ key, value })),
  };
  // Copy out of protobufjs' pooled buffer so callers own the bytes.
  return Uint8Array.from(onnx.ModelProto.encode(model).finish());
}

/** Decodes model bytes (for inspection and tests). */
export function decodeModel(bytes: Uint8Array): onnxproto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** The metadata properties of encoded model bytes. */
export function modelMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of decodeModel(bytes).metadataProps) {
    if (typeof entry.key === 'string') out[entry.key] = entry.value ?? '';
  }
  return out;
}
