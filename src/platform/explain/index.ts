/** @module Reason codes: exact linear contributions and path-dependent TreeSHAP, summed per input. */
export { createLinearExplainer, type LinearExplainerOptions } from './linear.js';
export { type ParsedEnsemble, parseTreeEnsemble } from './onnx-trees.js';
export {
  type Contribution,
  type Explanation,
  explainRecords,
  type Reason,
  reasonText,
  TOP_REASONS,
} from './reasons.js';
export { type ExplainableModel, explainerFor } from './resolve.js';
export { attachCovers, createTreeExplainer } from './tree.js';
export { expectedValue, ShapScratch, type ShapTree, treeShap } from './tree-shap.js';
export { binnedShap, binSplits, type SplitBins } from './tree-shap-bins.js';
export { type BlockTables, blockShap, compileBlocks } from './tree-shap-blocks.js';
export {
  buildTableTree,
  type FlatTables,
  flatShap,
  flattenTables,
  type TableTree,
} from './tree-shap-table.js';
export type { ContributionSpace, ExplainerResolution, ModelExplainer } from './types.js';
