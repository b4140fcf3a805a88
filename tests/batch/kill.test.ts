import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchService } from '../../src/platform/batch/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { batchEnv, batchServices, csvText, readLines, recordsOf, waitFor } from './support.js';

const DATE = '2026-09-09';
const env = batchEnv({ RISKOPS_BATCH_CHUNK_ROWS: '10000', RISKOPS_BATCH_SCORE_ROWS: '500' });
let services: Services & { batch: BatchService };
const children: ChildProcess[] = [];

/** `riskops batch consume` in its own process: one more Function instance on the run's queue. */
function consumer(): ChildProcess {
  const child = spawn(
    process.execPath,
    ['dist/src/cli/main.js', 'batch', 'consume', '--lease-seconds', '2'],
    {
      env: { ...process.env, ...env, RISKOPS_SEED_ON_START: 'false', RISKOPS_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(child);
  return child;
}

beforeAll(async () => {
  services = await batchServices(env);
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await services.close();
});

describe('a consumer killed mid-chunk', () => {
  it('is finished by a restarted consumer with exactly the input entity ids', async () => {
    // A small file (one chunk that finishes in milliseconds) and a large one (five chunks of 10k rows that take
    // about a second together): the kill lands after the first chunk is done and long before the others are,
    // however fast scoring gets. (Six equal chunks ran at once and could all finish between two polls.)
    const rows = recordsOf(latePayment, 50_200, 51);
    const inputs = services.storage.container(env.RISKOPS_BATCH_INPUT_CONTAINER as string);
    await inputs.createIfNotExists();
    await inputs
      .getBlockBlobClient(`late_payment/${DATE}/a-small.csv`)
      .uploadData(Buffer.from(csvText(latePayment, rows.slice(0, 200))));
    await inputs
      .getBlockBlobClient(`late_payment/${DATE}/b-large.csv`)
      .uploadData(Buffer.from(csvText(latePayment, rows.slice(200))));
    const { run } = await services.batch.plan('late_payment', DATE);
    expect(run.chunks).toBe(6);
    const out = services.storage.container(env.RISKOPS_BATCH_OUTPUT_CONTAINER as string);

    const first = consumer();
    const atKill = await waitFor(
      'the first chunk to finish while others run',
      async () => {
        const chunks = await services.batch.store.chunks(run.runId);
        return chunks.some((c) => c.status === 'done') ? chunks : undefined;
      },
      45_000,
    );
    first.kill('SIGKILL');
    await once(first, 'exit');
    const unfinished = atKill.filter((c) => c.status !== 'done');
    expect(unfinished.length, 'chunks still running when the consumer was killed').toBeGreaterThan(0);
    consumer();
    const finished = await waitFor(
      'the restarted consumer to finish the run',
      async () => {
        const r = await services.batch.store.run(run.runId);
        return r?.status === 'succeeded' ? r : undefined;
      },
      45_000,
    );
    expect(finished.summary?.rows).toEqual({ input: rows.length, scored: rows.length, rejected: 0 });
    const outputs = await readLines(
      services,
      out.containerName,
      `late_payment/${DATE}/${run.runId}/`,
      /^(?!.*\/rejects\/).*\/part-\d+\.jsonl$/,
    );
    const ids = outputs.map((o) => String(o.entityId)).sort();
    expect(ids.length).toBe(rows.length);
    expect(ids).toEqual(rows.map((r) => String(r.invoice_id)).sort());
  }, 60_000);
});
