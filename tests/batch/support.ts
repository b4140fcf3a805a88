import { inject } from 'vitest';
import { createAppServices } from '../../functions/app.js';
import { scoreChunk } from '../../functions/batch.js';
import type { BatchService } from '../../src/platform/batch/index.js';
import { loadSettings } from '../../src/platform/config/index.js';
import {
  createLocalHost,
  type LocalHost,
  parseHostConfig,
  SILENT_LOGGER,
} from '../../src/platform/host/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { csvCell, csvLine, schemaFields } from '../../src/platform/tabular/index.js';
import { type AnyUseCase, requireGenerator } from '../../src/platform/use-case/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

/** Settings for one test's own containers, table and queues on the suite's Azurite. */
export function batchEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AzureWebJobsStorage: inject('azuriteConnectionString'),
    RISKOPS_MODELS_CONTAINER: uniqueName('models'),
    RISKOPS_LEDGER_TABLE: uniqueName('ledger'),
    RISKOPS_BATCH_INPUT_CONTAINER: uniqueName('in'),
    RISKOPS_BATCH_OUTPUT_CONTAINER: uniqueName('out'),
    RISKOPS_BATCH_RUNS_TABLE: uniqueName('runs'),
    RISKOPS_BATCH_CHUNK_QUEUE: uniqueName('chunks'),
    RISKOPS_EVENTS_QUEUE: uniqueName('events'),
    RISKOPS_EVENTS_RESULTS_QUEUE: uniqueName('results'),
    ...extra,
  };
}

export async function batchServices(
  env: Record<string, string>,
): Promise<Services & { batch: BatchService }> {
  const services = await createAppServices(loadSettings({ env }), testStorage());
  if (services.batch === undefined) throw new Error('no batch service');
  return services as Services & { batch: BatchService };
}

/** The local host running only `scoreChunk`, polling fast, with a test host.json. */
export function chunkConsumer(
  services: Services,
  env: Record<string, string>,
  maxDequeueCount = 5,
): LocalHost {
  return createLocalHost({
    definitions: [scoreChunk],
    services,
    storage: services.storage,
    hostConfig: parseHostConfig({
      version: '2.0',
      extensions: {
        queues: {
          maxPollingInterval: '00:00:00.200',
          visibilityTimeout: '00:00:00',
          batchSize: 4,
          maxDequeueCount,
        },
      },
    }),
    port: 0,
    logger: SILENT_LOGGER,
    minPollingIntervalMs: 20,
    setting: (name) => env[name],
  });
}

/** Input records of a use case (no label), deterministic. */
export function recordsOf(useCase: AnyUseCase, rows: number, seed: number): Record<string, unknown>[] {
  return requireGenerator(useCase)({ rows, seed }).map(
    ({ [useCase.label.field]: _label, ...record }) => record,
  );
}

export function csvText(useCase: AnyUseCase, rows: readonly Record<string, unknown>[]): string {
  const columns = schemaFields(useCase).map((f) => f.name);
  return `${columns.map(csvCell).join(',')}\n${rows.map((r) => csvLine(r, columns)).join('')}`;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every line of every blob under `prefix` whose name matches, parsed as JSON. */
export async function readLines(
  services: Services,
  container: string,
  prefix: string,
  match: RegExp,
): Promise<Record<string, unknown>[]> {
  const client = services.storage.container(container);
  const out: Record<string, unknown>[] = [];
  for await (const blob of client.listBlobsFlat({ prefix })) {
    if (!match.test(blob.name)) continue;
    const text = (await client.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
    for (const line of text.split('\n'))
      if (line !== '') out.push(JSON.parse(line) as Record<string, unknown>);
  }
  return out;
}
