import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchService } from '../../src/platform/batch/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { batchEnv, batchServices, chunkConsumer, csvText, recordsOf, waitFor } from './support.js';

const run = promisify(execFile);
const DATE = '2026-10-15';
const env = batchEnv({ RISKOPS_BATCH_CHUNK_ROWS: '40', RISKOPS_SEED_ON_START: 'false' });
let services: Services & { batch: BatchService };

/** The built CLI, as a user runs it, against this test's storage. */
function cli(...args: string[]): Promise<{ stdout: string }> {
  return run(process.execPath, ['dist/src/cli/main.js', 'batch', ...args], {
    env: { ...process.env, ...env, RISKOPS_LOG_LEVEL: 'warn' },
  });
}

beforeAll(async () => {
  services = await batchServices({ ...env, RISKOPS_SEED_ON_START: 'true' });
});
afterAll(() => services.close());

describe('a chunk that always fails', () => {
  it('ends in the poison queue, the run reports it and stays incomplete, and batch retry completes the run', async () => {
    const inputs = services.storage.container(env.RISKOPS_BATCH_INPUT_CONTAINER as string);
    await inputs.createIfNotExists();
    const good = csvText(latePayment, recordsOf(latePayment, 80, 31));
    const bad = csvText(latePayment, recordsOf(latePayment, 30, 32));
    await inputs.getBlockBlobClient(`late_payment/${DATE}/a.csv`).uploadData(Buffer.from(good));
    await inputs.getBlockBlobClient(`late_payment/${DATE}/b.csv`).uploadData(Buffer.from(bad));
    const { run: planned } = await services.batch.plan('late_payment', DATE);
    expect(planned.chunks).toBe(3);
    const runId = planned.runId;
    // b.csv disappears after planning: its chunk fails on every delivery.
    await inputs.getBlobClient(`late_payment/${DATE}/b.csv`).delete();

    const host = chunkConsumer(services, env);
    await host.start();
    try {
      await waitFor('chunk 2 to be poisoned', async () => {
        const p = await services.batch.progress(runId);
        return p.done === 2 && p.poisoned.length === 1 ? p : undefined;
      });
      const poison = services.storage.queue(`${env.RISKOPS_BATCH_CHUNK_QUEUE}-poison`);
      const peeked = await waitFor('the poison message', async () => {
        const { peekedMessageItems } = await poison.peekMessages({ numberOfMessages: 32 });
        return peekedMessageItems.length > 0 ? peekedMessageItems : undefined;
      });
      expect(peeked.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')))).toEqual([
        { runId, chunk: 2 },
      ]);
    } finally {
      await host.stop();
    }
    const chunk = await services.batch.store.chunk(runId, 2);
    expect(chunk).toMatchObject({ status: 'poisoned', attempts: 5 });
    expect(chunk?.lastError).toMatch(/404|BlobNotFound|not exist/i);
    expect((await services.batch.store.run(runId))?.status).toBe('running');

    const status = await cli('status', runId, '--once');
    expect(status.stdout).toContain('2/3 chunks');
    expect(status.stdout).toContain('poisoned: 2');
    expect(status.stdout).toContain(`riskops batch retry ${runId}`);

    await inputs.getBlockBlobClient(`late_payment/${DATE}/b.csv`).uploadData(Buffer.from(bad));
    const retried = await cli('retry', runId);
    expect(retried.stdout).toContain(`Run ${runId}: re-enqueued chunk(s) 2`);
    const { peekedMessageItems } = await services.storage
      .queue(`${env.RISKOPS_BATCH_CHUNK_QUEUE}-poison`)
      .peekMessages({ numberOfMessages: 32 });
    expect(peekedMessageItems).toEqual([]);

    const again = chunkConsumer(services, env);
    await again.start();
    try {
      const finished = await waitFor('the run to finish', async () => {
        const r = await services.batch.store.run(runId);
        return r?.status === 'succeeded' ? r : undefined;
      });
      expect(finished.summary?.rows).toEqual({ input: 110, scored: 110, rejected: 0 });
    } finally {
      await again.stop();
    }
    const list = await cli('list');
    expect(list.stdout).toContain(`${runId}  late_payment ${DATE}  succeeded`);
  }, 60_000);
});
