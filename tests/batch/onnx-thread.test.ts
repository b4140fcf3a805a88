import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestSchema, sha256Hex } from '../../src/platform/model/index.js';
import { openSession } from '../../src/platform/registry/contract.js';
import {
  encodeRecords,
  type LoadedModel,
  runModel,
  runModelOffThread,
  validateRecords,
} from '../../src/platform/scoring/index.js';
import { requireGenerator } from '../../src/platform/use-case/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';

describe('onnxruntime on its own thread', () => {
  it('gives the probabilities of the in-process session, bit for bit, and takes the matrix over', async () => {
    const dir = join('models', 'late_payment');
    const bytes = new Uint8Array(await readFile(join(dir, 'model.onnx')));
    const manifest = ManifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
    const model: LoadedModel = {
      useCase: 'late_payment',
      version: 'test',
      sha256: sha256Hex(bytes),
      manifest,
      session: await openSession(bytes, 'late_payment'),
      bytes,
    };
    const rows = requireGenerator(latePayment)({ rows: 3000, seed: 11 });
    const records = validateRecords(latePayment, rows).valid.map((v) => v.record);
    const inProcess = await runModel(model, encodeRecords(latePayment, model, records), records.length);
    const matrix = encodeRecords(latePayment, model, records);
    // Two runs in flight at once come back in order, each with its own rows.
    const half = Math.floor(records.length / 2);
    const first = encodeRecords(latePayment, model, records.slice(0, half));
    const second = encodeRecords(latePayment, model, records.slice(half));
    const [all, a, b] = await Promise.all([
      runModelOffThread(model, matrix, records.length),
      runModelOffThread(model, first, half),
      runModelOffThread(model, second, records.length - half),
    ]);
    expect(matrix.byteLength).toBe(0); // moved to the thread, not copied
    expect(Array.from(all)).toEqual(Array.from(inProcess));
    expect([...Array.from(a), ...Array.from(b)]).toEqual(Array.from(inProcess));
    await model.session.release();
  });
});
