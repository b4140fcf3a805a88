import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Tensor } from 'onnxruntime-node';
import { createAppServices } from '../functions/app.js';
import type { BatchService } from '../src/platform/batch/index.js';
import {
  addStages,
  batchesOf,
  createBatchScorer,
  createOnnxOffload,
  createRowScorer,
  emptyStages,
  scoreBatches,
} from '../src/platform/batch/index.js';
import { createLineWriter } from '../src/platform/batch/output-line.js';
import { createStageClock } from '../src/platform/batch/stages.js';
import { loadSettings } from '../src/platform/config/index.js';
import type { Services } from '../src/platform/runtime/services.js';
import { toScores, validateRecords } from '../src/platform/scoring/index.js';
import { createStorageClients, startAzurite } from '../src/platform/storage/index.js';
import { columnKinds, readTabularFile, type TabularItem } from '../src/platform/tabular/index.js';
import { latePayment } from '../src/use_cases/late_payment/index.js';
import { writeInputCsv } from './batch-data.js';

const ROWS = Number(process.env.BENCH_BATCH_ROWS ?? 1_000_000);
const RSS_ROWS = Number(process.env.BENCH_BATCH_RSS_ROWS ?? 5_000_000);
const FANOUT_ROWS = Number(process.env.BENCH_BATCH_FANOUT_ROWS ?? 400_000);
const SCORE_ROWS = 8192;
const run = promisify(execFile);

const rate = (rows: number, seconds: number) => Math.round(rows / seconds);
const round = (x: number) => Math.round(x * 1000) / 1000;

/** Reads a local CSV in batches of SCORE_ROWS (the reader alone). */
async function* batches(path: string): AsyncGenerator<TabularItem[]> {
  let pending: TabularItem[] = [];
  for await (const batch of readTabularFile(path, { kinds: columnKinds(latePayment) })) {
    for (const item of batch) pending.push(item);
    if (pending.length >= SCORE_ROWS) {
      yield pending;
      pending = [];
    }
  }
  if (pending.length > 0) yield pending;
}

/** Raw onnxruntime on the same rows (features precomputed, untimed) and the split of the batch path's time. */
async function rawAndBreakdown(services: Services, path: string): Promise<Record<string, unknown>> {
  const model = await services.models.get('late_payment');
  const width = latePayment.features.width;
  const times = { parse: 0, validate: 0, features: 0, onnx: 0, format: 0 };
  const line = createLineWriter(latePayment.keyFields ?? [latePayment.entityIdField], 'jsonl', model.version);
  let rows = 0;
  let formattedBytes = 0;
  let rawOnnx = 0;
  let t = performance.now();
  for await (const batch of batches(path)) {
    times.parse += performance.now() - t;
    t = performance.now();
    const { valid } = validateRecords(
      latePayment,
      batch.flatMap((i) => ('row' in i ? [i.row] : [])),
    );
    times.validate += performance.now() - t;
    t = performance.now();
    const matrix = new Float32Array(valid.length * width);
    valid.forEach((v, i) => {
      latePayment.features.encode(v.record as never, model.manifest.features.state, matrix, i * width);
    });
    times.features += performance.now() - t;
    t = performance.now();
    const input = new Tensor('float32', matrix, [valid.length, width]);
    const out = await model.session.run({ [model.manifest.onnx.input]: input }, [model.manifest.onnx.output]);
    const elapsed = performance.now() - t;
    times.onnx += elapsed;
    rawOnnx += elapsed;
    t = performance.now();
    const data = out[model.manifest.onnx.output]?.data as Float32Array;
    const probabilities = new Float32Array(valid.length);
    for (let i = 0; i < valid.length; i++) probabilities[i] = data[i * 2 + 1] as number;
    const records = valid.map((v) => v.record);
    const scores = toScores(latePayment, records, probabilities);
    let text = '';
    for (let i = 0; i < scores.length; i++)
      text += line(records[i] as Record<string, unknown>, scores[i] as never);
    formattedBytes += text.length;
    times.format += performance.now() - t;
    rows += batch.length;
    t = performance.now();
  }
  const total = Object.values(times).reduce((a, b) => a + b, 0);
  // The full row scorer (the code path events use) on the same file, in-process, no storage, one thread.
  const score = createRowScorer({ useCase: latePayment, model, format: 'jsonl' });
  let started = performance.now();
  let scored = 0;
  for await (const batch of batches(path)) scored += (await score(batch, path)).counts.scored;
  const scorerSeconds = (performance.now() - started) / 1000;
  // The chunk pipeline (onnxruntime on a worker thread, one batch in flight, batches of the default size).
  const offload = createOnnxOffload();
  let piped = 0;
  started = performance.now();
  try {
    await scoreBatches({
      batches: batchesOf(
        readTabularFile(path, { kinds: columnKinds(latePayment) }),
        services.settings.RISKOPS_BATCH_SCORE_ROWS,
      ),
      scorer: createBatchScorer({ useCase: latePayment, model, format: 'jsonl' }),
      run: offload.runner(model),
      source: path,
      clock: createStageClock(),
      write: async (text) => {
        piped += text.counts.scored;
      },
    });
  } finally {
    await offload.close();
  }
  const pipelineSeconds = (performance.now() - started) / 1000;
  return {
    rawOnnx: {
      rows,
      runRows: SCORE_ROWS,
      seconds: round(rawOnnx / 1000),
      rowsPerSecond: rate(rows, rawOnnx / 1000),
    },
    formattedBytes,
    stageShare: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round(v / total)])),
    stageSeconds: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round(v / 1000)])),
    rowScorerInProcess: {
      rows: scored,
      runRows: SCORE_ROWS,
      seconds: round(scorerSeconds),
      rowsPerSecond: rate(scored, scorerSeconds),
    },
    pipelineInProcess: {
      rows: piped,
      runRows: services.settings.RISKOPS_BATCH_SCORE_ROWS,
      seconds: round(pipelineSeconds),
      rowsPerSecond: rate(piped, pipelineSeconds),
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux, 100 ticks/s). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Input blob → committed outputs with one in-process consumer: plan, then every chunk message in turn; where
 * the wall time went (the chunks' own stage split, plus planning and the queue) and the CPU the consumer
 * and the Azurite process (read by pid) used meanwhile.
 */
export async function endToEnd(
  services: Services & { batch: BatchService },
  date: string,
  azuritePid: number,
): Promise<Record<string, unknown>> {
  const azuriteCpu = await cpuSecondsOf(azuritePid);
  // How long the consumer's event loop went without a turn (queue lease renewals and storage I/O wait that long).
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const plan = await services.batch.plan('late_payment', date, { force: true });
  const planned = performance.now();
  const queue = services.storage.queue(services.settings.RISKOPS_BATCH_CHUNK_QUEUE);
  const stages = emptyStages();
  let queueMs = 0;
  for (;;) {
    let t = performance.now();
    const { receivedMessageItems: items } = await queue.receiveMessages({
      numberOfMessages: 1,
      visibilityTimeout: 600,
    });
    queueMs += performance.now() - t;
    const item = items[0];
    if (item === undefined) break;
    const outcome = await services.batch.scoreChunk(Buffer.from(item.messageText, 'base64').toString('utf8'));
    addStages(stages, outcome.stages);
    t = performance.now();
    await queue.deleteMessage(item.messageId, item.popReceipt);
    queueMs += performance.now() - t;
    if (outcome.completion !== undefined) break;
  }
  const seconds = (performance.now() - started) / 1000;
  loopDelay.disable();
  const consumerCpu = process.cpuUsage(cpu);
  const azuriteCpuSeconds = (await cpuSecondsOf(azuritePid)) - azuriteCpu;
  const summary = (await services.batch.store.run(plan.run.runId))?.summary;
  const cpuUsed = (consumerCpu.user + consumerCpu.system) / 1e6 + azuriteCpuSeconds;
  const split: Record<string, number> = {
    plan: (planned - started) / 1000,
    ...stages,
    queue: queueMs / 1000,
  };
  const measured = Object.values(split).reduce((a, b) => a + b, 0);
  split.unaccounted = seconds - measured;
  return {
    runId: plan.run.runId,
    chunks: plan.run.chunks,
    chunkRows: services.settings.RISKOPS_BATCH_CHUNK_ROWS,
    rows: summary?.rows,
    planSeconds: round((planned - started) / 1000),
    planStages: Object.fromEntries(Object.entries(plan.stages ?? {}).map(([k, v]) => [k, round(v)])),
    seconds: round(seconds),
    rowsPerSecond: rate(summary?.rows.input ?? 0, seconds),
    endToEndSplit: Object.fromEntries(Object.entries(split).map(([k, v]) => [k, round(v)])),
    eventLoopDelayMs: {
      p50: round(loopDelay.percentile(50) / 1e6),
      p99: round(loopDelay.percentile(99) / 1e6),
      max: round(loopDelay.max / 1e6),
    },
    cpuSeconds: {
      consumer: round((consumerCpu.user + consumerCpu.system) / 1e6),
      azurite: round(azuriteCpuSeconds),
      wall: round(seconds),
      cores: 2,
    },
    // The most this CPU per row allows: both cores fully busy with the consumer (all its threads) and Azurite.
    ceilingRowsPerSecond: { twoCores: rate(summary?.rows.input ?? 0, cpuUsed / 2) },
  };
}

/** The same run scored by N `riskops batch consume` processes. */
async function fanOut(
  env: Record<string, string>,
  services: Services & { batch: BatchService },
  date: string,
  consumers: number,
) {
  const children = Array.from({ length: consumers }, () =>
    spawn(process.execPath, ['dist/src/cli/main.js', 'batch', 'consume'], {
      env: { ...process.env, ...env, RISKOPS_SEED_ON_START: 'false', RISKOPS_LOG_LEVEL: 'error' },
      stdio: 'ignore',
    }),
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, 3000)); // consumers up before the clock starts
    const started = performance.now();
    const plan = await services.batch.plan('late_payment', date, { force: true });
    for (;;) {
      const run = await services.batch.store.run(plan.run.runId);
      if (run?.status === 'succeeded' || run?.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const summary = (await services.batch.store.run(plan.run.runId))?.summary;
    return {
      consumers,
      chunks: plan.run.chunks,
      rows: summary?.rows.input,
      seconds: round(seconds),
      rowsPerSecond: rate(summary?.rows.input ?? 0, seconds),
    };
  } finally {
    for (const child of children)
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  }
}

/**
 * Batch scoring with the shipped boosted late_payment model: end-to-end throughput (input blob → committed
 * outputs, one consumer) beside raw onnxruntime `run()` on the same model and rows in the same process, where
 * the time goes, rows/s with 1 and 2 consumer processes, and peak RSS while scoring one 5M-row CSV.
 */
export async function benchBatch(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'riskops-bench-batch-'));
  const azurite = await startAzurite({ location: join(dir, 'azurite') });
  const env = {
    AzureWebJobsStorage: azurite.connectionString,
    RISKOPS_EMBEDDED_AZURITE: 'false',
    RISKOPS_BATCH_CHUNK_ROWS: '100000',
  };
  const services = (await createAppServices(
    loadSettings({ env }),
    createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString }),
  )) as Services & { batch: BatchService };
  try {
    const csv = join(dir, 'day.csv');
    await writeInputCsv(csv, latePayment, ROWS);
    const inputs = services.storage.container(services.settings.RISKOPS_BATCH_INPUT_CONTAINER);
    await inputs.createIfNotExists();
    await inputs.getBlockBlobClient('late_payment/2026-12-01/day.csv').uploadFile(csv);
    const local = await rawAndBreakdown(services, csv);
    const e2e = await endToEnd(services, '2026-12-01', azurite.pid);
    // The same run with onnxruntime on the consumer's own thread, for comparison.
    const inThreadServices = (await createAppServices(
      loadSettings({ env: { ...env, RISKOPS_BATCH_ONNX_WORKER: 'false' } }),
      services.storage,
    )) as Services & { batch: BatchService };
    const e2eInThread = await endToEnd(inThreadServices, '2026-12-01', azurite.pid);
    await inThreadServices.close();
    const raw = local.rawOnnx as { rowsPerSecond: number };
    const fanCsv = join(dir, 'fan.csv');
    await writeInputCsv(fanCsv, latePayment, FANOUT_ROWS);
    await inputs.getBlockBlobClient('late_payment/2026-12-02/day.csv').uploadFile(fanCsv);
    const fanEnv = { ...env, RISKOPS_BATCH_CHUNK_ROWS: String(Math.ceil(FANOUT_ROWS / 8)) };
    const fanServices = (await createAppServices(
      loadSettings({ env: fanEnv }),
      services.storage,
    )) as Services & { batch: BatchService };
    const one = await fanOut(fanEnv, fanServices, '2026-12-02', 1);
    const two = await fanOut(fanEnv, fanServices, '2026-12-02', 2);
    // The same with onnxruntime on each consumer's own thread: two processes with a worker thread each are four
    // busy threads on these two cores.
    const inThreadEnv = { ...fanEnv, RISKOPS_BATCH_ONNX_WORKER: 'false' };
    const oneInThread = await fanOut(inThreadEnv, fanServices, '2026-12-02', 1);
    const twoInThread = await fanOut(inThreadEnv, fanServices, '2026-12-02', 2);
    await fanServices.close();
    await rm(fanCsv);
    const big = join(dir, 'big.csv');
    await writeInputCsv(big, latePayment, RSS_ROWS);
    const bigBytes = (await stat(big)).size;
    const child = await run(process.execPath, ['dist/bench/batch-rss.js', big, join(dir, 'big.out.jsonl')], {
      maxBuffer: 1 << 20,
    });
    const rss = JSON.parse(child.stdout.trim()) as Record<string, unknown>;
    return {
      model: 'shipped boosted late_payment',
      rows: ROWS,
      endToEndOneConsumer: e2e,
      endToEndOnnxInThread: {
        rowsPerSecond: e2eInThread.rowsPerSecond,
        seconds: e2eInThread.seconds,
        endToEndSplit: e2eInThread.endToEndSplit,
        eventLoopDelayMs: e2eInThread.eventLoopDelayMs,
        cpuSeconds: e2eInThread.cpuSeconds,
      },
      ...local,
      endToEndShareOfRaw: round((e2e.rowsPerSecond as number) / raw.rowsPerSecond),
      ceilingShareOfRaw: round(
        (e2e.ceilingRowsPerSecond as { twoCores: number }).twoCores / raw.rowsPerSecond,
      ),
      target: { endToEndShareOfRaw: 0.5, met: (e2e.rowsPerSecond as number) >= 0.5 * raw.rowsPerSecond },
      threads: {
        rawOnnx: 'one: onnxruntime run() on the calling thread (intraOp 1), features precomputed untimed',
        endToEnd:
          'one consumer: its JS thread reads, validates, encodes, formats and does storage I/O while a worker ' +
          'thread runs onnxruntime (intraOp 1) on the previous batch; Azurite is a separate process on the same 2 cores',
        endToEndOnnxInThread: 'the same, with onnxruntime on the JS thread (RISKOPS_BATCH_ONNX_WORKER=false)',
        stageSplit: 'one thread, stages one after another on the same rows (shares of the sequential time)',
      },
      consumers: {
        one,
        two,
        speedup: round((two.rowsPerSecond as number) / (one.rowsPerSecond as number)),
        onnxInThread: {
          one: oneInThread,
          two: twoInThread,
          speedup: round((twoInThread.rowsPerSecond as number) / (oneInThread.rowsPerSecond as number)),
        },
      },
      peakRss: { ...rss, fileMB: Math.round(bigBytes / 2 ** 20), limitMB: 512 },
    };
  } finally {
    await services.close();
    await azurite.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
