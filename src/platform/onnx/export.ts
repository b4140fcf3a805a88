import { RiskopsError } from '../errors/index.js';
import { MODEL_INPUT, MODEL_PROBABILITIES } from '../model/index.js';
import { attr, ElemType, encodeModel, ML_DOMAIN, type Node, tensorInfo } from './proto.js';

/** Name of the int64 label output every classifier also emits. */
export const MODEL_LABEL = 'label';

/** What a logistic model must expose to be exported. */
export interface LinearExportable {
  readonly cols: number;
  /** Coefficients on the raw model inputs (log-odds). */
  readonly coefficients: ArrayLike<number>;
  readonly intercept: number;
}

/** One tree in node order; a node is a leaf when `left[node] < 0`, and `x <= threshold` goes left. */
export interface ExportableTree {
  readonly featureIds: ArrayLike<number>;
  readonly thresholds: ArrayLike<number>;
  readonly left: ArrayLike<number>;
  readonly right: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/** What a boosted-tree model must expose to be exported. */
export interface TreeEnsembleExportable {
  readonly cols: number;
  readonly baseScore: number;
  readonly trees: readonly ExportableTree[];
}

export interface ExportMeta {
  useCase: string;
  /** Extra metadata properties, written sorted by key after the standard ones. */
  properties?: Readonly<Record<string, string>> | undefined;
}

const RESERVED = new Set(['feature_names', 'use_case', 'algorithm']);

function metadata(
  algorithm: string,
  featureNames: readonly string[],
  meta: ExportMeta,
): (readonly [string, string])[] {
  const extra = Object.entries(meta.properties ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key] of extra) {
    if (RESERVED.has(key)) throw new RiskopsError('invalid_settings', `metadata key ${key} is reserved`);
  }
  return [
    ['feature_names', JSON.stringify(featureNames)],
    ['use_case', meta.useCase],
    ['algorithm', algorithm],
    ...extra,
  ];
}

function checkWidth(cols: number, featureNames: readonly string[]): void {
  if (featureNames.length !== cols)
    throw new RiskopsError(
      'contract_violation',
      `model takes ${cols} inputs but ${featureNames.length} feature names were given`,
    );
}

function classifierModel(
  algorithm: string,
  node: Node,
  featureNames: readonly string[],
  meta: ExportMeta,
): Uint8Array {
  return encodeModel({
    graphName: `${meta.useCase}_${algorithm}`,
    nodes: [node],
    inputs: [tensorInfo(MODEL_INPUT, ElemType.FLOAT, ['N', featureNames.length])],
    outputs: [
      tensorInfo(MODEL_LABEL, ElemType.INT64, ['N']),
      tensorInfo(MODEL_PROBABILITIES, ElemType.FLOAT, ['N', 2]),
    ],
    metadata: metadata(algorithm, featureNames, meta),
  });
}

/**
 * Exports a binary logistic regression as an `ai.onnx.ml` LinearClassifier: input float [N, F],
 * outputs label int64 [N] and probabilities float [N, 2] = [1 - p, p]. Byte-deterministic.
 * @throws RiskopsError `contract_violation` when the feature names do not match the model width.
 */
export function exportLogistic(
  model: LinearExportable,
  featureNames: readonly string[],
  meta: ExportMeta,
): Uint8Array {
  checkWidth(model.cols, featureNames);
  return classifierModel(
    'logistic_regression',
    {
      name: 'linear_classifier',
      opType: 'LinearClassifier',
      domain: ML_DOMAIN,
      input: [MODEL_INPUT],
      output: [MODEL_LABEL, MODEL_PROBABILITIES],
      attribute: [
        attr.floats('coefficients', model.coefficients),
        attr.floats('intercepts', [model.intercept]),
        attr.ints('classlabels_ints', [0, 1]),
        attr.string('post_transform', 'LOGISTIC'),
      ],
    },
    featureNames,
    meta,
  );
}

/**
 * Exports boosted trees as an `ai.onnx.ml` TreeEnsembleClassifier (BRANCH_LEQ, weights on class 0 of
 * labels [0, 1], one base value, LOGISTIC), for which onnxruntime outputs probabilities [1 - p, p]
 * with p = σ(base + Σ leaf weights). Node ids are the trees' own node indices. Byte-deterministic.
 * @throws RiskopsError `contract_violation` when the feature names do not match the model width.
 */
export function exportGbdt(
  model: TreeEnsembleExportable,
  featureNames: readonly string[],
  meta: ExportMeta,
): Uint8Array {
  checkWidth(model.cols, featureNames);
  const nodes = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    values: [] as number[],
    modes: [] as string[],
    trueIds: [] as number[],
    falseIds: [] as number[],
  };
  const leaves = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
  model.trees.forEach((tree, t) => {
    for (let node = 0; node < tree.left.length; node++) {
      const left = tree.left[node] as number;
      const leaf = left < 0;
      nodes.treeIds.push(t);
      nodes.nodeIds.push(node);
      nodes.featureIds.push(leaf ? 0 : (tree.featureIds[node] as number));
      nodes.values.push(leaf ? 0 : (tree.thresholds[node] as number));
      nodes.modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      nodes.trueIds.push(leaf ? 0 : left);
      nodes.falseIds.push(leaf ? 0 : (tree.right[node] as number));
      if (leaf) {
        leaves.treeIds.push(t);
        leaves.nodeIds.push(node);
        leaves.weights.push(tree.values[node] as number);
      }
    }
  });
  if (nodes.treeIds.length === 0)
    throw new RiskopsError('invalid_settings', 'a tree ensemble needs at least one tree');
  return classifierModel(
    'gradient_boosting',
    {
      name: 'tree_ensemble_classifier',
      opType: 'TreeEnsembleClassifier',
      domain: ML_DOMAIN,
      input: [MODEL_INPUT],
      output: [MODEL_LABEL, MODEL_PROBABILITIES],
      attribute: [
        attr.ints('nodes_treeids', nodes.treeIds),
        attr.ints('nodes_nodeids', nodes.nodeIds),
        attr.ints('nodes_featureids', nodes.featureIds),
        attr.floats('nodes_values', nodes.values),
        attr.strings('nodes_modes', nodes.modes),
        attr.ints('nodes_truenodeids', nodes.trueIds),
        attr.ints('nodes_falsenodeids', nodes.falseIds),
        attr.ints('class_treeids', leaves.treeIds),
        attr.ints('class_nodeids', leaves.nodeIds),
        attr.ints('class_ids', new Array<number>(leaves.treeIds.length).fill(0)),
        attr.floats('class_weights', leaves.weights),
        attr.ints('classlabels_int64s', [0, 1]),
        attr.floats('base_values', [model.baseScore]),
        attr.string('post_transform', 'LOGISTIC'),
      ],
    },
    featureNames,
    meta,
  );
}
