/** `riskops batch score` (offline, a model directory) and `riskops batch consume` (queue consumers only). */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAppServices } from '../../../functions/app.js';
import { FUNCTIONS } from '../../../functions/definitions.js';
import { scoreFile } from '../../platform/batch/index.js';
import { loadSettings, type Settings } from '../../platform/config/index.js';
import { RiskopsError } from '../../platform/errors/index.js';
import {
  createConsoleLogger,
  createLocalHost,
  exportLocalSettings,
  type HostLogger,
  loadHostConfig,
} from '../../platform/host/index.js';
import { ManifestSchema, sha256Hex } from '../../platform/model/index.js';
import { openSession } from '../../platform/registry/index.js';
import { createStorageClients, storageConnectionFrom } from '../../platform/storage/index.js';
import { getUseCase } from '../../use_cases/index.js';

/** Scores a local file with a model directory (default `models/<useCase>`): the chunk path, no storage. */
export async function scoreLocal(options: {
  file: string;
  useCase: string;
  out: string;
  model?: string;
}): Promise<number> {
  const useCase = getUseCase(options.useCase);
  if (useCase === undefined)
    throw new RiskopsError('unknown_use_case', `Unknown use case '${options.useCase}'`);
  const dir = options.model ?? join('models', useCase.name);
  const bytes = await readFile(join(dir, 'model.onnx'));
  const manifest = ManifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  // The session options serving uses, so offline scores equal the service's to the last bit.
  const session = await openSession(bytes, `The ${useCase.name} model in ${dir}`);
  const sha256 = sha256Hex(bytes);
  const started = performance.now();
  try {
    const counts = await scoreFile({
      useCase,
      model: { useCase: useCase.name, version: `local:${dir}`, sha256, manifest, session, bytes },
      input: options.file,
      output: options.out,
      onProgress: (c) => process.stderr.write(`\r${c.rows} rows`),
    });
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write('\r');
    console.log(
      `${counts.rows} rows: ${counts.scored} scored -> ${options.out}, ${counts.rejected} rejected -> ${options.out}.rejects.jsonl (${Math.round(counts.rows / seconds)} rows/s)`,
    );
    return 0;
  } finally {
    await session.release();
  }
}

/**
 * Runs only the queue-triggered functions (scoreChunk, scoreEvents) against the configured storage, like
 * one more Function instance: `riskops start` starts RISKOPS_QUEUE_CONSUMERS - 1 of these.
 */
export async function consume(leaseSeconds: number): Promise<number> {
  exportLocalSettings('local.settings.json');
  const settings = { ...loadSettings(), RISKOPS_SEED_ON_START: false };
  const storage = createStorageClients(storageConnectionFrom(settings));
  const services = await createAppServices(settings, storage);
  const logger = createConsoleLogger(settings.RISKOPS_LOG_LEVEL);
  const host = createLocalHost({
    definitions: FUNCTIONS.filter((d) => d.kind === 'storageQueue'),
    services,
    storage,
    hostConfig: loadHostConfig('host.json'),
    port: 0,
    logger,
    messageLeaseSeconds: leaseSeconds,
  });
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());
  await host.start();
  console.log(`Consumer ${process.pid} polling (${host.listing().join('; ')})`);
  await stopped;
  await host.stop();
  await services.close();
  return 0;
}

/**
 * Starts `count` extra `riskops batch consume` processes on the same storage (RISKOPS_QUEUE_CONSUMERS - 1),
 * so chunks fan out across processes as they do across Function instances. Stopped by process id.
 */
export function startConsumers(
  count: number,
  settings: Settings,
  logger: HostLogger,
): { stop(): Promise<void> } {
  const children: ChildProcess[] = [];
  const script = process.argv[1] ?? 'dist/src/cli/main.js';
  for (let i = 0; i < count; i++) {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      RISKOPS_SEED_ON_START: 'false',
      RISKOPS_QUEUE_CONSUMERS: '1',
    };
    if (settings.AzureWebJobsStorage !== undefined) env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    const child = spawn(process.execPath, [script, 'batch', 'consume'], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    logger.log('info', `Queue consumer ${i + 2} started (pid ${child.pid ?? '?'})`);
    children.push(child);
  }
  return {
    async stop() {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
          const exited = once(child, 'exit');
          try {
            process.kill(child.pid, 'SIGTERM');
          } catch {
            return; // it exited meanwhile
          }
          const timer = setTimeout(
            () => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'),
            35_000,
          );
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}
