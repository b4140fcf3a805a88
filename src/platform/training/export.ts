import { type ExportMeta, exportGbdt, exportLogistic } from '../onnx/index.js';
import type { GbdtModel } from './gbdt.js';
import type { LogisticModel } from './logistic.js';

export type TrainedModel = LogisticModel | GbdtModel;

/** Exports either kind of trained model to ONNX bytes (see `exportLogistic` / `exportGbdt`). */
export function exportModel(
  model: TrainedModel,
  featureNames: readonly string[],
  meta: ExportMeta,
): Uint8Array {
  return model.algorithm === 'logistic_regression'
    ? exportLogistic(model, featureNames, meta)
    : exportGbdt(model, featureNames, meta);
}
