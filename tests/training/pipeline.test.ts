import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManifestSchema, sha256Hex } from '../../src/platform/model/index.js';
import {
  jsonFile,
  type TrainingResult,
  trainUseCase,
  writeModelDirectory,
} from '../../src/platform/training/index.js';
import type { AnyUseCase } from '../../src/platform/use-case/index.js';
import { customerChurn } from '../../src/use_cases/customer_churn/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { maxAbsDiff, positiveColumn, runOnnx } from '../onnx/ort.js';

const ROWS = 6_000;

describe('trainUseCase', () => {
  const runs: Record<'gbdt' | 'logistic', TrainingResult[]> = { gbdt: [], logistic: [] };

  beforeAll(async () => {
    for (const algorithm of ['gbdt', 'logistic'] as const)
      for (let i = 0; i < 2; i++)
        runs[algorithm].push(await trainUseCase(latePayment, { syntheticRows: ROWS, algorithm }));
  });

  it.each(['gbdt', 'logistic'] as const)(
    'is byte-reproducible (%s): ONNX, manifest and validation report',
    (algorithm) => {
      const [a, b] = runs[algorithm] as [TrainingResult, TrainingResult];
      expect(sha256Hex(a.onnx)).toBe(sha256Hex(b.onnx));
      expect(sha256Hex(jsonFile(a.manifest))).toBe(sha256Hex(jsonFile(b.manifest)));
      expect(jsonFile(a.validationReport)).toBe(jsonFile(b.validationReport));
      expect(jsonFile(a.manifest)).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/); // no timestamps
    },
  );

  it.each(['gbdt', 'logistic'] as const)(
    'writes a manifest the schema and the registry accept (%s)',
    (algorithm) => {
      const { manifest, onnx, validationReport } = runs[algorithm][0] as TrainingResult;
      expect(ManifestSchema.parse(manifest)).toEqual(manifest);
      expect(manifest.algorithm).toBe(algorithm === 'gbdt' ? 'gradient_boosting' : 'logistic_regression');
      expect(manifest.features.hash).toBe(latePayment.features.hash);
      expect(manifest.features.names).toEqual(latePayment.features.names);
      expect(manifest.onnx).toMatchObject({
        sha256: sha256Hex(onnx),
        bytes: onnx.length,
        inputWidth: latePayment.features.width,
      });
      expect(manifest.codeVersion).toBe('riskops@0.1.0');
      expect(manifest.seed).toBe(latePayment.training.seed);
      expect(manifest.training).toMatchObject({
        source: `synthetic:seed=${latePayment.training.seed}:rows=${ROWS}`,
        rows: ROWS,
        rejectedRows: 0,
      });
      const t = manifest.training;
      expect(t.trainRows + t.validationRows + t.holdoutRows).toBe(ROWS);
      expect(t.holdoutRows).toBe(Math.round(ROWS * latePayment.training.holdoutFraction));
      expect(manifest.metrics.rows).toBe(t.holdoutRows);
      expect(manifest.validation).toEqual({
        passed: true,
        errors: 0,
        warnings: 0,
        report: 'validation.json',
      });
      expect(validationReport.rows).toEqual({ input: ROWS, valid: ROWS, rejected: 0 });
      expect(manifest.reference.features.map((f) => f.name)).toEqual(
        latePayment.features.inputs.map((i) => i.name),
      );
      expect(manifest.reference.rows).toBe(t.trainRows);
      const disputed = manifest.reference.features.find((f) => f.name === 'disputed');
      expect(disputed).toMatchObject({ kind: 'categorical', categories: ['false', 'true'] });
      const score = manifest.reference.score;
      expect(score.counts.reduce((a, b) => a + b, 0) + score.missing).toBe(t.holdoutRows);
      expect(manifest.segments.map((s) => s.attribute)).toContain('country');
      expect(manifest.explainer?.kind).toBe(algorithm === 'gbdt' ? 'tree' : 'linear');
    },
  );

  it.each(['gbdt', 'logistic'] as const)(
    'onnxruntime scores the holdout as the trained model does (%s)',
    async (algorithm) => {
      const { manifest, onnx, holdout } = runs[algorithm][0] as TrainingResult;
      // The serving path: validated records → the use case's features with the manifest's state → ONNX.
      const useCase: AnyUseCase = latePayment;
      const X = useCase.features.matrix(holdout.records, manifest.features.state);
      expect(X).toEqual(holdout.matrix);
      const { probabilities } = await runOnnx(onnx, X, holdout.records.length, manifest.onnx.inputWidth);
      expect(maxAbsDiff(positiveColumn(probabilities), holdout.predictions)).toBeLessThan(1e-5);
    },
  );

  it('writes model.onnx, manifest.json and validation.json', async () => {
    const result = runs.gbdt[0] as TrainingResult;
    const dir = await mkdtemp(join(tmpdir(), 'riskops-train-'));
    try {
      await writeModelDirectory(dir, result);
      const bytes = await readFile(join(dir, 'model.onnx'));
      const manifestText = await readFile(join(dir, 'manifest.json'), 'utf8');
      expect(sha256Hex(bytes)).toBe(result.manifest.onnx.sha256);
      expect(manifestText).toBe(jsonFile(result.manifest));
      expect(manifestText.endsWith('}\n')).toBe(true);
      expect(ManifestSchema.parse(JSON.parse(manifestText))).toEqual(result.manifest);
      const report = JSON.parse(await readFile(join(dir, 'validation.json'), 'utf8'));
      expect(report).toEqual(result.validationReport);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('compares with the champion on the same holdout and gates on it', async () => {
    const championRun = runs.logistic[0] as TrainingResult;
    const calls: number[] = [];
    const result = await trainUseCase(latePayment, {
      syntheticRows: ROWS,
      algorithm: 'logistic',
      champion: {
        manifest: championRun.manifest,
        async predict(matrix, rows) {
          calls.push(rows);
          const { probabilities } = await runOnnx(championRun.onnx, matrix, rows, latePayment.features.width);
          return positiveColumn(probabilities);
        },
      },
    });
    expect(calls).toEqual([result.manifest.training.holdoutRows]);
    // Same data, seed and algorithm: the champion is this very model.
    expect(result.champion).toEqual({
      auc: expect.closeTo(result.manifest.metrics.auc, 6),
      metrics: expect.any(Object),
    });
    const check = result.manifest.gate.checks.find((c) => c.name === 'auc_vs_champion');
    expect(check).toMatchObject({ passed: true, enforced: true });
    expect(check?.threshold).toBeCloseTo(
      result.manifest.metrics.auc - latePayment.training.gate.maxAucDropVsChampion,
      6,
    );

    const mismatched = await trainUseCase(latePayment, {
      syntheticRows: ROWS,
      algorithm: 'logistic',
      champion: {
        manifest: { ...championRun.manifest, features: { ...championRun.manifest.features, hash: 'other' } },
        predict: () => {
          throw new Error('not called');
        },
      },
    });
    expect(mismatched.champion).toEqual({ skipped: expect.stringContaining('other features') });
    expect(mismatched.manifest.gate.checks.map((c) => c.name)).not.toContain('auc_vs_champion');
  });

  it('reports fairness on the sensitive attribute and segments', async () => {
    const result = await trainUseCase(customerChurn, { syntheticRows: ROWS, algorithm: 'logistic' });
    expect(result.manifest.fairness).toMatchObject({ attribute: 'age_band', favourableBand: 'low' });
    expect(Object.keys(result.manifest.fairness?.rates ?? {}).sort()).toEqual(['18-34', '35-54', '55+']);
    const fairnessCheck = result.manifest.gate.checks.find((c) => c.name === 'favourable_ratio');
    expect(fairnessCheck?.enforced).toBe(customerChurn.training.gateOnFairness);
    expect(result.manifest.segments.every((s) => s.attribute === 'region')).toBe(true);
  });
});
