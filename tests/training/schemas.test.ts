import { describe, expect, it } from 'vitest';
import {
  ExplainerSchema,
  GateResultSchema,
  ManifestSchema,
  MetricsSchema,
} from '../../src/platform/model/index.js';
import {
  computeMetrics,
  evaluateGate,
  fairnessReport,
  segmentMetrics,
  syntheticDataset,
  trainGbdt,
  trainLogistic,
} from '../../src/platform/training/index.js';
import type { DecisionBand } from '../../src/platform/use-case/index.js';

const BANDS: DecisionBand[] = [
  { name: 'low', upTo: 0.3, action: 'none' },
  { name: 'high', upTo: 1.0000001, action: 'review' },
];

describe('outputs fit the manifest schema', () => {
  const cols = 5;
  const data = syntheticDataset({ rows: 3_000, cols, seed: 8, shape: 'nonlinear' });
  const gbdt = trainGbdt(
    data.X,
    data.y,
    data.rows,
    cols,
    {
      nEstimators: 10,
      learningRate: 0.3,
      maxDepth: 3,
      maxLeaves: 8,
      minChildWeight: 1,
      l2: 1,
      rowSubsample: 1,
      colSubsample: 1,
      maxBins: 16,
      earlyStoppingRounds: 0,
    },
    1,
  );
  const logistic = trainLogistic(data.X, data.y, data.rows, cols, {
    l2: 0.01,
    maxIterations: 20,
    tolerance: 1e-6,
  });

  it('explainers', () => {
    expect(ExplainerSchema.parse(gbdt.explainer())).toEqual(gbdt.explainer());
    expect(ExplainerSchema.parse(logistic.explainer())).toEqual(logistic.explainer());
  });

  it('metrics, gate, segments and fairness', () => {
    const p = gbdt.predict(data.X, data.rows);
    const metrics = computeMetrics(data.y, p, BANDS);
    expect(MetricsSchema.parse(metrics)).toEqual(metrics);
    const gate = evaluateGate({
      metrics,
      thresholds: {
        minAuc: 0.6,
        maxBrier: 0.3,
        maxEce: 0.1,
        maxAucDropVsChampion: 0.01,
        minFavourableRatio: 0.8,
      },
      championAuc: 0.5,
      favourableRatio: 0.9,
    });
    expect(GateResultSchema.parse(gate)).toEqual(gate);
    const groups = Array.from({ length: data.rows }, (_, i) => (i % 3 === 0 ? 'a' : 'b'));
    const segments = segmentMetrics(data.y, p, groups, BANDS, 'g');
    const fairness = fairnessReport(p, groups, BANDS, 'g');
    const shape = ManifestSchema.pick({ segments: true, fairness: true });
    expect(shape.parse({ segments, fairness })).toEqual({ segments, fairness });
  });
});
