import { decodeModel } from '../onnx/proto.js';
import type { ShapTree } from './tree-shap.js';
import type { ContributionSpace } from './types.js';

/** A TreeEnsembleClassifier read back from a graph, reduced to the positive-class output. */
export interface ParsedEnsemble {
  trees: ShapTree[];
  /** Per tree, the ONNX node id of each node index (to line up covers stored by node id). */
  nodeIds: number[][];
  base: number;
  space: ContributionSpace;
  width: number;
}

type Attrs = Map<string, { ints: number[]; floats: number[]; strings: string[]; s: string }>;

const MODES: Record<string, number> = {
  BRANCH_LEQ: 0,
  BRANCH_LT: 1,
  BRANCH_GTE: 2,
  BRANCH_GT: 3,
  BRANCH_EQ: 4,
  BRANCH_NEQ: 5,
  LEAF: -1,
};
const utf8 = new TextDecoder();

function readAttributes(node: { attribute?: unknown[] | null }): Attrs {
  const out: Attrs = new Map();
  for (const raw of node.attribute ?? []) {
    const a = raw as {
      name?: string;
      ints?: (number | { toNumber(): number })[];
      floats?: number[];
      strings?: Uint8Array[];
      s?: Uint8Array;
    };
    out.set(a.name ?? '', {
      ints: (a.ints ?? []).map((v) => (typeof v === 'number' ? v : v.toNumber())),
      floats: a.floats ?? [],
      strings: (a.strings ?? []).map((v) => utf8.decode(v)),
      s: a.s === undefined ? '' : utf8.decode(a.s),
    });
  }
  return out;
}

function spaceOf(
  postTransform: string,
  classIds: Set<number>,
): { space: ContributionSpace; positive: number; negative?: number } | string {
  if (classIds.size === 1) {
    const only = [...classIds][0] as number;
    if (postTransform === 'LOGISTIC') return { space: 'log-odds', positive: only };
    if (postTransform === 'NONE') return { space: 'score', positive: only };
    return `post_transform ${postTransform} with one score column is not supported`;
  }
  if (classIds.size === 2 && classIds.has(0) && classIds.has(1)) {
    if (postTransform === 'NONE') return { space: 'probability', positive: 1 };
    if (postTransform === 'LOGISTIC') return { space: 'log-odds', positive: 1 };
    if (postTransform === 'SOFTMAX') return { space: 'log-odds', positive: 1, negative: 0 };
  }
  return `a binary classifier was expected (classes ${[...classIds].join(', ')}, post_transform ${postTransform})`;
}

/**
 * Parses the graph's `ai.onnx.ml` TreeEnsembleClassifier, which must read the graph input directly.
 * @returns the ensemble, or why it cannot be explained.
 */
export function parseTreeEnsemble(bytes: Uint8Array): ParsedEnsemble | string {
  let model: ReturnType<typeof decodeModel>;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    return `the ONNX graph could not be decoded: ${(error as Error).message}`;
  }
  const graph = model.graph;
  const nodes = graph?.node ?? [];
  const ensembles = nodes.filter((n) => n.opType === 'TreeEnsembleClassifier');
  if (ensembles.length !== 1) return 'the graph has no single TreeEnsembleClassifier';
  const ensemble = ensembles[0] as (typeof nodes)[number];
  const input = graph?.input?.[0];
  if (input === undefined || ensemble.input?.[0] !== input.name)
    return 'the TreeEnsembleClassifier does not read the model input directly';
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const widthDim = dims[1]?.dimValue;
  const width = widthDim === undefined || widthDim === null ? 0 : Number(widthDim);
  const a = readAttributes(ensemble);
  const get = (name: string) => a.get(name) ?? { ints: [], floats: [], strings: [], s: '' };
  if (get('nodes_values').floats.length === 0 && a.has('nodes_values_as_tensor'))
    return 'tensor-valued tree attributes are not supported';
  const classIds = get('class_ids').ints;
  const target = spaceOf(get('post_transform').s || 'NONE', new Set(classIds));
  if (typeof target === 'string') return target;

  const treeIds = get('nodes_treeids').ints;
  const nodeIdList = get('nodes_nodeids').ints;
  const featureIds = get('nodes_featureids').ints;
  const values = get('nodes_values').floats;
  const modes = get('nodes_modes').strings;
  const trueIds = get('nodes_truenodeids').ints;
  const falseIds = get('nodes_falsenodeids').ints;
  const missingTrue = get('nodes_missing_value_tracks_true').ints;
  const n = treeIds.length;
  if ([nodeIdList, featureIds, values, modes, trueIds, falseIds].some((arr) => arr.length !== n))
    return 'the tree node attributes differ in length';

  const byTree = new Map<number, number[]>();
  treeIds.forEach((t, i) => {
    const list = byTree.get(t) ?? [];
    list.push(i);
    byTree.set(t, list);
  });
  const leafValue = new Map<string, number>();
  const classTrees = get('class_treeids').ints;
  const classNodes = get('class_nodeids').ints;
  const weights = get('class_weights').floats;
  classTrees.forEach((t, i) => {
    const id = classIds[i] as number;
    const sign = id === target.positive ? 1 : id === target.negative ? -1 : 0;
    const key = `${t}:${classNodes[i]}`;
    leafValue.set(key, (leafValue.get(key) ?? 0) + sign * (weights[i] as number));
  });
  const baseValues = get('base_values').floats;
  const base =
    (baseValues[classIds.length > 0 && new Set(classIds).size === 1 ? 0 : target.positive] ?? 0) -
    (target.negative === undefined ? 0 : (baseValues[target.negative] ?? 0));

  const trees: ShapTree[] = [];
  const nodeIds: number[][] = [];
  for (const [t, members] of [...byTree.entries()].sort(([x], [y]) => x - y)) {
    const index = new Map<number, number>();
    members.forEach((m) => {
      index.set(nodeIdList[m] as number, m);
    });
    const children = new Set<number>();
    for (const m of members) {
      if (modes[m] !== 'LEAF') {
        children.add(trueIds[m] as number);
        children.add(falseIds[m] as number);
      }
    }
    const roots = members.filter((m) => !children.has(nodeIdList[m] as number));
    if (roots.length !== 1) return `tree ${t} has ${roots.length} roots`;
    // Renumber depth-first from the root so index 0 is the root.
    const order: number[] = [];
    const depthOf: number[] = [];
    const stack: [number, number][] = [[roots[0] as number, 0]];
    while (stack.length > 0) {
      const [m, depth] = stack.pop() as [number, number];
      if (order.length > members.length) return `tree ${t} has a cycle`;
      order.push(m);
      depthOf.push(depth);
      if (modes[m] === 'LEAF') continue;
      for (const id of [falseIds[m] as number, trueIds[m] as number]) {
        const child = index.get(id);
        if (child === undefined) return `tree ${t} points to missing node ${id}`;
        stack.push([child, depth + 1]);
      }
    }
    const size = order.length;
    const position = new Map<number, number>(order.map((m, i) => [m, i]));
    const feature = new Int32Array(size);
    const trueChild = new Int32Array(size).fill(-1);
    const falseChild = new Int32Array(size).fill(-1);
    const value = new Float64Array(size);
    const threshold = new Float32Array(size);
    const mode = new Int8Array(size);
    const tracksTrue = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const m = order[i] as number;
      const code = MODES[modes[m] ?? ''];
      if (code === undefined) return `tree ${t} uses node mode ${modes[m]}`;
      mode[i] = code;
      if (code === -1) {
        value[i] = leafValue.get(`${t}:${nodeIdList[m]}`) ?? 0;
        continue;
      }
      const f = featureIds[m] as number;
      if (width > 0 && f >= width) return `tree ${t} splits on feature ${f} of ${width}`;
      feature[i] = f;
      threshold[i] = values[m] as number;
      tracksTrue[i] = missingTrue[m] === 1 ? 1 : 0;
      trueChild[i] = position.get(index.get(trueIds[m] as number) as number) as number;
      falseChild[i] = position.get(index.get(falseIds[m] as number) as number) as number;
    }
    const plain = new Uint8Array(size);
    for (let i = 0; i < size; i++) plain[i] = mode[i] === 0 && tracksTrue[i] === 0 ? 1 : 0;
    trees.push({
      leq: { threshold, plain },
      feature,
      trueChild,
      falseChild,
      value,
      cover: new Float64Array(size),
      maxDepth: Math.max(...depthOf),
      goesTrue(x, offset, node) {
        const v = x[offset + (feature[node] as number)] as number;
        if (Number.isNaN(v) && tracksTrue[node] === 1) return true;
        const th = threshold[node] as number;
        switch (mode[node]) {
          case 0:
            return v <= th;
          case 1:
            return v < th;
          case 2:
            return v >= th;
          case 3:
            return v > th;
          case 4:
            return v === th;
          default:
            return v !== th;
        }
      },
    });
    nodeIds.push(order.map((m) => nodeIdList[m] as number));
  }
  return { trees, nodeIds, base, space: target.space, width };
}
