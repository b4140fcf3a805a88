/** @module ONNX: deterministic model assembly with onnx-proto and exporters for the trained models. */
export {
  type ExportableTree,
  type ExportMeta,
  exportGbdt,
  exportLogistic,
  type LinearExportable,
  MODEL_LABEL,
  type TreeEnsembleExportable,
} from './export.js';
export {
  attr,
  decodeModel,
  ElemType,
  encodeModel,
  IR_VERSION,
  ML_DOMAIN,
  type ModelParts,
  modelMetadata,
  OPSET_DEFAULT,
  OPSET_ML,
  tensorInfo,
} from './proto.js';
