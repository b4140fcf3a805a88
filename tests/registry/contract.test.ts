import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { isRiskopsError, type RiskopsError } from '../../src/platform/errors/index.js';
import { featureHash } from '../../src/platform/features/index.js';
import { sha256Hex } from '../../src/platform/model/index.js';
import { createRegistryModelProvider, removeZipMap } from '../../src/platform/registry/index.js';
import {
  alice,
  coefficients,
  manifestFor,
  testModel,
  testRegistry,
  testUseCase,
  WIDTH,
} from './support/fixtures.js';
import { linearModel, linearScores } from './support/onnx-models.js';

const UC = testUseCase.name;

async function refusal(promise: Promise<unknown>): Promise<RiskopsError> {
  try {
    await promise;
  } catch (error) {
    if (isRiskopsError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('contract checks on push', () => {
  it('refuses a model whose input width differs from the use case, naming both widths', async () => {
    const { registry } = testRegistry();
    const bytes = linearModel({ coefficients: [0.1, 0.2, 0.3] });
    const error = await refusal(registry.push(UC, bytes, manifestFor(bytes), alice));
    expect(error.code).toBe('contract_violation');
    expect(error.message).toBe(`input width 3 does not match ${UC}'s ${WIDTH} features`);
  });

  it('refuses a non-tensor output, naming it', async () => {
    const { registry } = testRegistry();
    const bytes = linearModel({ coefficients: coefficients(1), layout: 'sequence' });
    const error = await refusal(registry.push(UC, bytes, manifestFor(bytes), alice));
    expect(error.code).toBe('contract_violation');
    expect(error.message).toContain(`Output 'probabilities_seq' is not a tensor`);
  });

  it('refuses feature names that differ from the use case, naming the first differing position', async () => {
    const { registry } = testRegistry();
    const { bytes, manifest } = testModel(1);
    const names = [...manifest.features.names];
    [names[2], names[3]] = [names[3] ?? '', names[2] ?? ''];
    const error = await refusal(
      registry.push(
        UC,
        bytes,
        { ...manifest, features: { ...manifest.features, names, hash: featureHash(names) } },
        alice,
      ),
    );
    expect(error.code).toBe('contract_violation');
    expect(error.message).toContain(
      `Feature names differ from ${UC}'s at position 2: the manifest has "channel=web"`,
    );
    expect(error.message).toContain('the use case computes "days"');
  });

  it('refuses bytes that are not the ones the manifest describes, and manifests that do not parse', async () => {
    const { registry } = testRegistry();
    const { bytes, manifest } = testModel(1);
    const other = testModel(2).bytes;
    expect((await refusal(registry.push(UC, other, manifest, alice))).message).toMatch(
      /not the ones the manifest describes/,
    );
    const bad = await refusal(
      registry.push(UC, bytes, { ...manifest, onnx: { ...manifest.onnx, sha256: 'nope' } }, alice),
    );
    expect(bad.code).toBe('invalid_input');
    expect(bad.issues[0]?.path).toBe('onnx.sha256');
    const garbage = new TextEncoder().encode('not onnx at all');
    const notOnnx = await refusal(registry.push(UC, garbage, manifestFor(garbage), alice));
    expect(notOnnx.code).toBe('contract_violation');
  });
});

describe('ZipMap rewrite', () => {
  it('leaves a model without ZipMap byte-identical', () => {
    const bytes = linearModel({ coefficients: coefficients(1) });
    expect(removeZipMap(bytes)).toEqual({ bytes, removal: null });
  });

  it('serves a scikit-learn style ZipMap model with the probabilities of the un-zipped model', async () => {
    const { registry } = testRegistry();
    const zipped = testModel(3, 'zipmap');
    const zipSession = await InferenceSession.create(zipped.bytes);
    expect(zipSession.outputMetadata.find((o) => o.name === 'output_probability')?.isTensor).toBe(false);
    await zipSession.release();

    const pushed = await registry.push(UC, zipped.bytes, zipped.manifest, alice);
    expect(pushed.rewritten).toBe(true);
    expect(pushed.manifest.onnx.output).toBe('probabilities');
    expect(pushed.manifest.params.onnxRewrite).toMatchObject({
      rewrite: 'zipmap_removed',
      originalOutput: 'output_probability',
      originalSha256: sha256Hex(zipped.bytes),
    });
    expect(pushed.sha256).not.toBe(sha256Hex(zipped.bytes));
    await registry.promote(UC, pushed.version, alice);

    const provider = createRegistryModelProvider({ registry, refreshMs: 1000 });
    const model = await provider.get(UC);
    const rows = 5;
    const matrix = Float32Array.from({ length: rows * WIDTH }, (_, i) => ((i * 7) % 11) / 5);
    const served = await model.session.run({ input: new Tensor('float32', matrix, [rows, WIDTH]) });
    expect(served.output_label?.dims).toEqual([rows]);

    const plain = await InferenceSession.create(
      linearModel({ coefficients: coefficients(3), intercept: -1 }),
    );
    const reference = await plain.run({ input: new Tensor('float32', matrix, [rows, WIDTH]) });
    expect(Array.from(served.probabilities?.data as Float32Array)).toEqual(
      Array.from(reference.probabilities?.data as Float32Array),
    );
    const expected = linearScores(coefficients(3), -1, matrix);
    const positive = Array.from(served.probabilities?.data as Float32Array).filter((_, i) => i % 2 === 1);
    positive.forEach((p, i) => {
      expect(p).toBeCloseTo(expected[i] ?? Number.NaN, 5);
    });
    await plain.release();
    await provider.close();
    // The same original bytes are recognised again after the rewrite.
    expect((await refusal(registry.push(UC, zipped.bytes, zipped.manifest, alice))).message).toContain(
      pushed.version,
    );
  });
});
