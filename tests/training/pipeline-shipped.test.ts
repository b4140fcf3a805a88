import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ManifestSchema, sha256Hex } from '../../src/platform/model/index.js';
import { jsonFile, trainUseCase } from '../../src/platform/training/index.js';
import { USE_CASES } from '../../src/use_cases/index.js';
import { positiveColumn, runOnnx } from '../onnx/ort.js';
import { exampleRows } from '../support/use-case-rows.js';

const MODELS = fileURLToPath(new URL('../../models', import.meta.url));

async function shipped(name: string) {
  const dir = join(MODELS, name);
  const [onnx, manifestText, validationText] = await Promise.all([
    readFile(join(dir, 'model.onnx')),
    readFile(join(dir, 'manifest.json'), 'utf8'),
    readFile(join(dir, 'validation.json'), 'utf8'),
  ]);
  return { onnx, manifestText, validationText, manifest: ManifestSchema.parse(JSON.parse(manifestText)) };
}

describe.each(USE_CASES.map((u) => [u.name, u] as const))('shipped model %s', (name, useCase) => {
  it("matches the use case's current features and its own ONNX bytes", async () => {
    const { onnx, manifest, validationText } = await shipped(name);
    expect(manifest.useCase).toBe(name);
    // A feature change without retraining fails here.
    expect(manifest.features.hash).toBe(useCase.features.hash);
    expect(manifest.features.names).toEqual(useCase.features.names);
    expect(manifest.features.inputs).toEqual(useCase.features.info());
    expect(manifest.onnx.sha256).toBe(createHash('sha256').update(onnx).digest('hex'));
    expect(manifest.onnx.bytes).toBe(onnx.length);
    expect(manifest.gate.passed).toBe(true);
    expect(manifest.validation).toMatchObject({ passed: true, report: 'validation.json' });
    expect(JSON.parse(validationText)).toMatchObject({ useCase: name, passed: true });
    // onnxruntime loads it and scores example records (generated, or from the data file) through the serving features.
    const rows = (await exampleRows(useCase, 50, 3)) ?? [];
    expect(rows.length, 'no generator and no training.dataFile to draw records from').toBeGreaterThan(0);
    const records = rows.map((row) => useCase.schema.parse(row));
    const X = useCase.features.matrix(records, manifest.features.state);
    const { probabilities } = await runOnnx(onnx, X, records.length, manifest.onnx.inputWidth);
    for (const p of positiveColumn(probabilities)) expect(p).toBeGreaterThan(0);
  });

  it('is reproduced byte for byte by the training defaults (generator or committed data file)', async () => {
    const { onnx, manifestText, validationText } = await shipped(name);
    const result = await trainUseCase(useCase, { compare: true });
    expect(sha256Hex(result.onnx)).toBe(sha256Hex(onnx));
    expect(jsonFile(result.manifest)).toBe(manifestText);
    expect(jsonFile(result.validationReport)).toBe(validationText);
    const [gbdt, logistic] = result.comparison ?? [];
    expect(gbdt?.algorithm).toBe('gbdt');
    expect(logistic?.algorithm).toBe('logistic');
    expect(gbdt?.gate.passed).toBe(true);
    // The synthetic use cases are built with non-linear effects boosting must find; real data may be linear.
    if (useCase.generate === undefined) return;
    expect(gbdt?.metrics.auc).toBeGreaterThan((logistic?.metrics.auc ?? 1) + 0.02);
    expect(gbdt?.metrics.logLoss).toBeLessThan(logistic?.metrics.logLoss ?? 0);
  });
});
