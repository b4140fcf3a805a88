import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchService, completeRun, scoreChunkRows } from '../../src/platform/batch/index.js';
import { createTableCountStore } from '../../src/platform/drift/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { batchEnv, batchServices, csvText, readLines, recordsOf } from './support.js';

const env = batchEnv({ RISKOPS_BATCH_CHUNK_ROWS: '50' });
let services: Services & { batch: BatchService };
const rows = recordsOf(latePayment, 100, 21);

async function planDay(date: string): Promise<string> {
  const inputs = services.storage.container(env.RISKOPS_BATCH_INPUT_CONTAINER as string);
  await inputs.createIfNotExists();
  await inputs
    .getBlockBlobClient(`late_payment/${date}/day.csv`)
    .uploadData(Buffer.from(csvText(latePayment, rows)));
  const plan = await services.batch.plan('late_payment', date);
  expect(plan.run.chunks).toBe(2);
  return plan.run.runId;
}

beforeAll(async () => {
  services = await batchServices(env);
});
afterAll(() => services.close());

describe('finishing a run', () => {
  it('writes _SUCCESS.json exactly once when two chunks finish together and one is delivered twice', async () => {
    const runId = await planDay('2026-11-01');
    const outcomes = await Promise.all([
      services.batch.scoreChunk({ runId, chunk: 0 }),
      services.batch.scoreChunk({ runId, chunk: 1 }),
      services.batch.scoreChunk(JSON.stringify({ runId, chunk: 1 })),
    ]);
    const completions = outcomes.flatMap((o) => (o.completion === undefined ? [] : [o.completion]));
    expect(completions.filter((c) => c.wrote)).toHaveLength(1);
    for (const c of completions) expect(c.summary).toEqual(completions[0]?.summary);
    const prefix = `late_payment/2026-11-01/${runId}/`;
    const outputs = await readLines(
      services,
      env.RISKOPS_BATCH_OUTPUT_CONTAINER as string,
      prefix,
      /^(?!.*\/rejects\/).*\/part-\d+\.jsonl$/,
    );
    expect(outputs.map((o) => o.entityId).sort()).toEqual(rows.map((r) => r.invoice_id).sort());
    const run = await services.batch.store.run(runId);
    expect(run?.summary?.rows).toEqual({ input: 100, scored: 100, rejected: 0 });
    // A late duplicate of a done chunk changes nothing.
    const late = await services.batch.scoreChunk({ runId, chunk: 0 });
    expect(late.scored).toBe(false);
    expect(late.completion?.wrote).toBe(false);
    // Each delivery says where its time went: a scored chunk read, scored, counted drift and committed.
    for (const o of outcomes.filter((x) => x.scored)) {
      for (const stage of ['runsTable', 'download', 'score', 'drift', 'commit', 'finish'] as const)
        expect(o.stages[stage], stage).toBeGreaterThan(0);
      for (const seconds of Object.values(o.stages)) expect(seconds).toBeGreaterThanOrEqual(0);
    }
    expect(late.stages.score).toBe(0);
    // Drift saw every row once, although chunk 1 was scored by two deliveries: they share writer keys.
    const counts = createTableCountStore(
      services.storage.table(services.settings.RISKOPS_DRIFT_COUNTS_TABLE),
    );
    // Batch counts are filed under the run's date (its window), not the day they were scored.
    const partials = (await counts.list('late_payment', '2026-11-01')).filter((p) =>
      p.writer.startsWith(`batch-${runId}-`),
    );
    expect(partials.reduce((sum, p) => sum + p.rows, 0)).toBe(100);
  });

  it('lets exactly one of many concurrent finishers write the marker', async () => {
    const runId = await planDay('2026-11-02');
    const run = await services.batch.store.run(runId);
    if (run === undefined) throw new Error('no run');
    const model = await services.models.get('late_payment', { version: run.modelVersion });
    const inputs = services.storage.container(env.RISKOPS_BATCH_INPUT_CONTAINER as string);
    const outputs = services.storage.container(env.RISKOPS_BATCH_OUTPUT_CONTAINER as string);
    for (const chunk of await services.batch.store.chunks(runId)) {
      const counts = await scoreChunkRows({
        useCase: latePayment,
        model,
        run,
        chunk,
        inputs,
        outputs,
        scoreRows: 64,
      });
      expect(
        await services.batch.store.updateChunk(runId, chunk.chunk, chunk.etag, { status: 'done', counts }),
      ).toBe(true);
    }
    const chunks = await services.batch.store.chunks(runId);
    const finished: string[] = [];
    const options = {
      store: services.batch.store,
      outputs,
      maxRejectedShare: 0.05,
      onFinished: (s: { runId: string }) => {
        finished.push(s.runId);
      },
    };
    const results = await Promise.all(Array.from({ length: 6 }, () => completeRun(run, chunks, options)));
    expect(results.filter((r) => r.wrote)).toHaveLength(1);
    expect(finished).toEqual([runId]);
    expect(new Set(results.map((r) => r.summary.finishedAt)).size).toBe(1);
    expect((await services.batch.store.run(runId))?.status).toBe('succeeded');
  });

  it('commits a chunk only after every drift write landed, and fails it, with nothing committed, when one fails', async () => {
    const runId = await planDay('2026-11-04');
    const run = await services.batch.store.run(runId);
    const chunk = (await services.batch.store.chunks(runId))[0];
    if (run === undefined || chunk === undefined) throw new Error('no run');
    const model = await services.models.get('late_payment', { version: run.modelVersion });
    const inputs = services.storage.container(env.RISKOPS_BATCH_INPUT_CONTAINER as string);
    const outputs = services.storage.container(env.RISKOPS_BATCH_OUTPUT_CONTAINER as string);
    const part = outputs.getBlobClient(`late_payment/2026-11-04/${runId}/part-00000.jsonl`);
    const landed: { rows: number; committedBefore: boolean }[] = [];
    const slow = (fail: boolean) => async (batch: { records: readonly unknown[] }) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (fail) throw new Error('drift partial write failed');
      landed.push({ rows: batch.records.length, committedBefore: await part.exists() });
    };
    const base = { useCase: latePayment, model, run, chunk, inputs, outputs, scoreRows: 5 };
    await expect(scoreChunkRows({ ...base, observe: slow(true) })).rejects.toThrow(
      'drift partial write failed',
    );
    expect(await part.exists()).toBe(false);
    const counts = await scoreChunkRows({ ...base, observe: slow(false) });
    // Every row's drift write landed, each before the outputs were committed.
    expect(landed.reduce((n, l) => n + l.rows, 0)).toBe(50);
    expect(landed.every((l) => !l.committedBefore)).toBe(true);
    expect(counts.scored).toBe(50);
    expect(await part.exists()).toBe(true);
  });

  it('marks a run failed, without _SUCCESS.json, when the rejected share is above the threshold', async () => {
    const date = '2026-11-03';
    const inputs = services.storage.container(env.RISKOPS_BATCH_INPUT_CONTAINER as string);
    const broken = rows.slice(0, 40).map((r, i) => (i % 4 === 0 ? { ...r, amount: -1 } : r));
    await inputs
      .getBlockBlobClient(`late_payment/${date}/day.csv`)
      .uploadData(Buffer.from(csvText(latePayment, broken)));
    const { run } = await services.batch.plan('late_payment', date);
    const outcome = await services.batch.scoreChunk({ runId: run.runId, chunk: 0 });
    expect(outcome.completion?.summary).toMatchObject({
      status: 'failed',
      rows: { input: 40, scored: 30, rejected: 10 },
    });
    expect(outcome.completion?.summary.reason).toMatch(
      /10 of 40 rows rejected \(25\.00%\), above the 5\.00% threshold/,
    );
    const out = services.storage.container(env.RISKOPS_BATCH_OUTPUT_CONTAINER as string);
    expect(await out.getBlobClient(`late_payment/${date}/${run.runId}/_SUCCESS.json`).exists()).toBe(false);
    expect(await out.getBlobClient(`late_payment/${date}/${run.runId}/_FAILED.json`).exists()).toBe(true);
    // A failed date may be planned again without --force.
    expect((await services.batch.plan('late_payment', date)).planned).toBe(true);
  });
});
