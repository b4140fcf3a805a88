import type { Manifest } from '../model/index.js';
import { createLinearExplainer } from './linear.js';
import { parseTreeEnsemble } from './onnx-trees.js';
import { attachCovers, createTreeExplainer } from './tree.js';
import type { ExplainerResolution } from './types.js';

/** What a model must provide to be explained. */
export interface ExplainableModel {
  sha256: string;
  manifest: Manifest;
  /** The ONNX bytes; tree structure is read from the graph itself, so what is explained is what runs. */
  bytes?: Uint8Array | undefined;
}

const cache = new Map<string, ExplainerResolution>();

function resolve(model: ExplainableModel): ExplainerResolution {
  const width = model.manifest.onnx.inputWidth;
  const stored = model.manifest.explainer;
  if (stored?.kind === 'linear') {
    if (stored.coefficients.length !== width || stored.featureMeans.length !== width)
      return { available: false, reason: 'the stored linear explainer does not match the model width' };
    return { available: true, explainer: createLinearExplainer(stored) };
  }
  if (model.bytes === undefined) return { available: false, reason: 'the model graph is not loaded' };
  const parsed = parseTreeEnsemble(model.bytes);
  if (typeof parsed === 'string') return { available: false, reason: parsed };
  if (stored?.kind !== 'tree')
    return {
      available: false,
      reason: 'the manifest carries no tree covers (explainer.covers) for TreeSHAP',
    };
  const problem = attachCovers(parsed, stored.covers);
  if (problem !== undefined) return { available: false, reason: problem };
  return { available: true, explainer: createTreeExplainer(parsed, width) };
}

/**
 * The explainer of a model, built once per sha256: exact linear contributions from the manifest, or
 * path-dependent TreeSHAP over the graph's TreeEnsembleClassifier with the manifest's covers. Never throws;
 * a model that cannot be explained says why.
 */
export function explainerFor(model: ExplainableModel): ExplainerResolution {
  let resolution = cache.get(model.sha256);
  if (resolution === undefined) {
    resolution = resolve(model);
    cache.set(model.sha256, resolution);
  }
  return resolution;
}
