import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBatchScorer,
  createOnnxOffload,
  createRowScorer,
  scoreBatches,
} from '../../src/platform/batch/index.js';
import { createStageClock } from '../../src/platform/batch/stages.js';
import { ManifestSchema } from '../../src/platform/model/index.js';
import { openSession } from '../../src/platform/registry/index.js';
import { encodeRecords, type LoadedModel, runModel } from '../../src/platform/scoring/index.js';
import type { TabularItem } from '../../src/platform/tabular/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { recordsOf } from './support.js';

const run = promisify(execFile);
let model: LoadedModel & { bytes: Uint8Array };

beforeAll(async () => {
  const bytes = new Uint8Array(readFileSync('models/late_payment/model.onnx'));
  const manifest = ManifestSchema.parse(
    JSON.parse(readFileSync('models/late_payment/manifest.json', 'utf8')),
  );
  const session = await openSession(bytes, 'late_payment');
  model = {
    useCase: 'late_payment',
    version: 'shipped',
    sha256: manifest.onnx.sha256,
    manifest,
    session,
    bytes,
  };
});
afterAll(() => model.session.release());

describe('onnxruntime on a worker thread', () => {
  it('gives the same probabilities as this thread, bit for bit, while the event loop keeps turning', async () => {
    const offload = createOnnxOffload();
    try {
      const records = recordsOf(latePayment, 50_000, 5);
      const here = await runModel(model, encodeRecords(latePayment, model, records), records.length);
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 1);
      const there = await offload.runner(model)(encodeRecords(latePayment, model, records), records.length);
      clearInterval(ticker);
      expect(there).toEqual(here);
      expect(Buffer.from(there.buffer).equals(Buffer.from(here.buffer))).toBe(true);
      // 50k rows take a worker tens of milliseconds; on this thread no timer could fire meanwhile.
      expect(ticks).toBeGreaterThan(2);
      // Batches posted back to back come back in order, each to its own caller.
      const runner = offload.runner(model);
      const parts = [records.slice(0, 7), records.slice(7, 1000), records.slice(1000, 1001)];
      const answers = await Promise.all(
        parts.map((part) => runner(encodeRecords(latePayment, model, part), part.length)),
      );
      expect(Array.from(answers.flatMap((a) => Array.from(a)))).toEqual(Array.from(here.slice(0, 1001)));
      expect(await runner(new Float32Array(0), 0)).toHaveLength(0);
    } finally {
      await offload.close();
    }
  });

  it('fails runs of a model onnxruntime cannot load with contract_violation, and closes cleanly', async () => {
    const offload = createOnnxOffload();
    const broken = { ...model, sha256: 'broken', version: 'v-broken', bytes: new Uint8Array([1, 2, 3, 4]) };
    const matrix = encodeRecords(latePayment, model, recordsOf(latePayment, 3, 1));
    await expect(offload.runner(broken)(matrix.slice(), 3)).rejects.toMatchObject({
      code: 'contract_violation',
      message: expect.stringContaining('late_payment v-broken does not load in onnxruntime'),
    });
    // A later run starts a new worker (still refused: nothing about a failed start is kept as good).
    await expect(offload.runner(broken)(matrix.slice(), 3)).rejects.toMatchObject({
      code: 'contract_violation',
    });
    // The good model on the same offload still scores; after close nothing runs.
    expect(await offload.runner(model)(matrix.slice(), 3)).toHaveLength(3);
    const waiting = offload.runner(model)(
      encodeRecords(latePayment, model, recordsOf(latePayment, 20_000, 2)),
      20_000,
    );
    await offload.close();
    await expect(waiting).rejects.toMatchObject({ code: 'internal' });
    await expect(offload.runner(model)(matrix.slice(), 3)).rejects.toThrow(/closed/);
  });

  it('stops a worker that has been idle, and starts a new one for the next run', async () => {
    const offload = createOnnxOffload({ idleMs: 50 });
    try {
      const matrix = () => encodeRecords(latePayment, model, recordsOf(latePayment, 5, 3));
      const first = await offload.runner(model)(matrix(), 5);
      expect(offload.workers()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(offload.workers()).toBe(0);
      expect(await offload.runner(model)(matrix(), 5)).toEqual(first);
      expect(offload.workers()).toBe(1);
    } finally {
      await offload.close();
    }
    expect(offload.workers()).toBe(0);
  });

  it('never keeps a process alive once its runs are answered', async () => {
    const batch = pathToFileURL(resolve('dist/src/platform/batch/index.js')).href;
    const script = `
      import { readFileSync } from 'node:fs';
      import { createOnnxOffload } from ${JSON.stringify(batch)};
      const bytes = new Uint8Array(readFileSync('models/late_payment/model.onnx'));
      const manifest = JSON.parse(readFileSync('models/late_payment/manifest.json', 'utf8'));
      const model = { useCase: 'late_payment', version: 'v', sha256: 'x', manifest, bytes };
      const width = ${latePayment.features.width};
      const out = await createOnnxOffload().runner(model)(new Float32Array(2 * width), 2);
      console.log(out.length);`;
    // A file, not \`-e\`: worker threads inherit the parent's flags, and \`--input-type\` refuses a file entry.
    const dir = mkdtempSync(join(tmpdir(), 'riskops-offload-'));
    try {
      writeFileSync(join(dir, 'run.mjs'), script);
      const { stdout } = await run(process.execPath, [join(dir, 'run.mjs')], { timeout: 30_000 });
      expect(stdout.trim()).toBe('2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scoring batches with one ONNX run in flight', () => {
  it('writes the same lines, rejects and counts as scoring one batch after another', async () => {
    const records = recordsOf(latePayment, 900, 9);
    const items: TabularItem[] = records.map((row, i) => {
      const line = i + 2;
      if (i % 97 === 5) return { line, raw: `broken ${i}`, error: 'expected 18 cells, got 3' };
      if (i % 89 === 7) return { line, raw: `bad ${i}`, row: { ...row, amount: -1 } };
      return { line, raw: `row ${i}`, row };
    });
    const batches = [items.slice(0, 300), items.slice(300, 301), items.slice(301, 650), items.slice(650)];
    const options = { useCase: latePayment, model, format: 'jsonl' as const };
    const sequential = createRowScorer(options);
    const expected: string[] = [];
    for (const batch of batches) {
      const scored = await sequential(batch, 'day.csv');
      expected.push(scored.output, scored.rejects, JSON.stringify(scored.counts));
    }
    const offload = createOnnxOffload();
    const written: string[] = [];
    try {
      await scoreBatches({
        batches: (async function* () {
          yield* batches;
        })(),
        scorer: createBatchScorer(options),
        run: offload.runner(model),
        source: 'day.csv',
        clock: createStageClock(),
        write: async (scored) => {
          await new Promise((resolve) => setTimeout(resolve, 5)); // a slow sink keeps order
          written.push(scored.output, scored.rejects, JSON.stringify(scored.counts));
        },
      });
    } finally {
      await offload.close();
    }
    expect(written).toEqual(expected);
    const rejects = expected.filter((_, i) => i % 3 === 1).join('');
    expect(rejects.match(/expected 18 cells/g)).toHaveLength(10);
    expect(rejects.match(/amount: /g)?.length).toBeGreaterThan(5);
  });
});
