import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explainerFor, explainRecords, TOP_REASONS } from '../../src/platform/explain/index.js';
import { ManifestSchema } from '../../src/platform/model/index.js';
import { exportLogistic } from '../../src/platform/onnx/index.js';
import { syntheticDataset, trainLogistic } from '../../src/platform/training/index.js';
import { requireGenerator } from '../../src/platform/use-case/index.js';
import { USE_CASES } from '../../src/use_cases/index.js';
import { positiveColumn, runOnnx } from '../onnx/ort.js';

const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));

describe.each(USE_CASES.map((u) => [u.name, u] as const))(
  'reasons for the shipped %s model',
  (name, useCase) => {
    const bytes = new Uint8Array(readFileSync(`models/${name}/model.onnx`));
    const manifest = ManifestSchema.parse(JSON.parse(readFileSync(`models/${name}/manifest.json`, 'utf8')));
    const records = requireGenerator(useCase)({ rows: 400, seed: 77 })
      .map((row) => useCase.schema.safeParse(row))
      .flatMap((r) => (r.success ? [r.data] : []));
    const width = useCase.features.width;
    const matrix = useCase.features.matrix(records, manifest.features.state);

    it('adds up with the base value to the model raw score (≤ 1e-5) and to onnxruntime probabilities', async () => {
      const resolution = explainerFor({ sha256: manifest.onnx.sha256, manifest, bytes });
      if (!resolution.available) throw new Error(resolution.reason);
      const { explainer } = resolution;
      expect(explainer.space).toBe('log-odds');
      const phi = explainer.contributions(matrix, records.length);
      const raw = explainer.rawScores(matrix, records.length);
      const onnx = positiveColumn((await runOnnx(bytes, matrix, records.length, width)).probabilities);
      let worst = 0;
      for (let r = 0; r < records.length; r++) {
        let sum = explainer.baseValue;
        for (let j = 0; j < width; j++) sum += phi[r * width + j] as number;
        worst = Math.max(worst, Math.abs(sum - (raw[r] as number)));
        expect(Math.abs(sigmoid(sum) - (onnx[r] as number))).toBeLessThanOrEqual(1e-5);
      }
      expect(records.length).toBeGreaterThan(300);
      expect(worst).toBeLessThanOrEqual(1e-5);
    });

    it('gives at most four adverse reasons, largest first, with the use case texts', () => {
      const resolution = explainerFor({ sha256: manifest.onnx.sha256, manifest, bytes });
      if (!resolution.available) throw new Error(resolution.reason);
      const explanations = explainRecords(useCase, resolution.explainer, records, matrix, { full: true });
      let withReasons = 0;
      explanations.forEach((e, r) => {
        expect(e.reasons.length).toBeLessThanOrEqual(TOP_REASONS);
        if (e.reasons.length > 0) withReasons++;
        for (let k = 1; k < e.reasons.length; k++)
          expect(e.reasons[k - 1]?.contribution).toBeGreaterThanOrEqual(e.reasons[k]?.contribution as number);
        for (const reason of e.reasons) {
          expect(reason.contribution).toBeGreaterThan(0);
          expect(reason.text).toBe(useCase.reasonTexts?.[reason.feature]);
        }
        // full: one contribution per input; their sum is the per-column sum
        expect(e.full?.contributions.map((c) => c.feature)).toEqual(
          useCase.features.inputs.map((i) => i.name),
        );
        const total = (e.full?.contributions ?? []).reduce(
          (s, c) => s + c.contribution,
          e.full?.baseValue ?? 0,
        );
        const raw = resolution.explainer.rawScores(
          matrix.subarray(r * width, (r + 1) * width),
          1,
        )[0] as number;
        expect(Math.abs(total - raw)).toBeLessThanOrEqual(1e-5);
        const top = [...(e.full?.contributions ?? [])].sort((a, b) => b.contribution - a.contribution)[0];
        if (top !== undefined && top.contribution > 0) expect(e.reasons[0]?.feature).toBe(top.feature);
      });
      expect(withReasons).toBeGreaterThan(records.length / 2);
    });
  },
);

describe('linear reasons', () => {
  it('are coefficient × deviation from the training mean and add up to the ONNX score', async () => {
    const cols = 5;
    const data = syntheticDataset({ rows: 2000, cols, seed: 9, shape: 'linear' });
    const model = trainLogistic(data.X, data.y, data.rows, cols, {
      l2: 0.01,
      maxIterations: 100,
      tolerance: 1e-8,
    });
    const bytes = exportLogistic(model, ['a', 'b', 'c', 'd', 'e'], { useCase: 'test_case' });
    const stored = model.explainer();
    if (stored.kind !== 'linear') throw new Error('expected linear');
    const manifest = { onnx: { inputWidth: cols }, explainer: stored } as never;
    const resolution = explainerFor({ sha256: 'linear-test', manifest, bytes });
    if (!resolution.available) throw new Error(resolution.reason);
    const X = data.X.subarray(0, 100 * cols);
    const phi = resolution.explainer.contributions(X, 100);
    const onnx = positiveColumn((await runOnnx(bytes, X, 100, cols)).probabilities);
    for (let r = 0; r < 100; r++) {
      let sum = resolution.explainer.baseValue;
      for (let j = 0; j < cols; j++) {
        const expected =
          (stored.coefficients[j] as number) *
          ((X[r * cols + j] as number) - (stored.featureMeans[j] as number));
        expect(phi[r * cols + j]).toBeCloseTo(expected, 12);
        sum += phi[r * cols + j] as number;
      }
      expect(Math.abs(sigmoid(sum) - (onnx[r] as number))).toBeLessThanOrEqual(1e-5);
    }
  });
});
