import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAppServices } from '../../functions/app.js';
import { retrain } from '../../functions/retrain.js';
import { loadSettings } from '../../src/platform/config/index.js';
import { createLocalHost, type LocalHost } from '../../src/platform/host/index.js';
import { createStorageQueueMessaging } from '../../src/platform/messaging/index.js';
import {
  createRetrainConsumer,
  createRetrainState,
  createRetrainTrigger,
} from '../../src/platform/retrain/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { captureLogger, TEST_HOST_CONFIG, waitFor } from '../host/support.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { SMALL, uploadData, variant } from './support.js';

let dir = '';
let services: Services;
let host: LocalHost | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'riskops-retrain-fn-'));
  const settings = loadSettings({
    env: {
      AzureWebJobsStorage: inject('azuriteConnectionString'),
      RISKOPS_MODELS_CONTAINER: uniqueName('models'),
      RISKOPS_LEDGER_TABLE: uniqueName('ledger'),
      RISKOPS_RETRAIN_TABLE: uniqueName('retrain'),
      RISKOPS_TRAINING_DATA_CONTAINER: uniqueName('training'),
      RISKOPS_DATA_DIR: dir,
    },
  });
  services = await createAppServices(settings, testStorage());
});

afterAll(async () => {
  await host?.stop();
  await services?.close();
  await rm(dir, { recursive: true, force: true });
});

const window = (date: string, psi: number) => ({
  useCase: 'late_payment',
  windowDate: date,
  modelVersion: 'v-champion',
  referenceProfileHash: 'ef'.repeat(32),
  rows: 2000,
  referenceRows: 28_000,
  features: { prior_late_rate: { psi } },
  score: { psi: psi / 3 },
});

describe('the retrain function on the local host', () => {
  it('drift windows → retrain request on the queue → the retrain function registers a challenger with the receipt', async () => {
    const storage = testStorage();
    const queueName = uniqueName('retrain-requests');
    const trainingData = storage.container(services.settings.RISKOPS_TRAINING_DATA_CONTAINER);
    await uploadData(trainingData);
    const state = createRetrainState(storage.table(services.settings.RISKOPS_RETRAIN_TABLE));
    const queue = createStorageQueueMessaging({
      queue: storage.queue(queueName),
      dedupeTable: storage.table(uniqueName('dedupe')),
    });
    const trigger = createRetrainTrigger({ useCases: services.useCases, queue, state });
    // The app's consumer, with training sized for a test.
    const retrainConsumer = createRetrainConsumer({
      registry: services.registry,
      useCases: [variant()],
      trainingData,
      state,
      training: SMALL,
    });
    if (retrain.kind !== 'serviceBusQueue') throw new Error('retrain is a Service Bus function');
    const logger = captureLogger();
    host = createLocalHost<Services>({
      definitions: [{ ...retrain, queueName }],
      services: { ...services, retrainConsumer },
      storage,
      hostConfig: TEST_HOST_CONFIG,
      port: 0,
      logger,
      minPollingIntervalMs: 50,
    });
    await host.start();

    expect((await trigger.consider(window('2026-11-29', 0.27))).decision).toBe('not_persistent');
    expect((await trigger.consider(window('2026-11-30', 0.33))).decision).toBe('sent');
    await waitFor(async () => (await services.registry.alias('late_payment', 'challenger')) !== null, 30_000);
    const { manifest } = await services.registry.show('late_payment', 'challenger');
    expect(manifest.lineage?.requestId).toBe('retrain:late_payment:2026-11-30');
    expect(manifest.lineage?.receipt).toMatchObject({
      windowDate: '2026-11-30',
      referenceProfileHash: 'ef'.repeat(32),
      persistence: { k: 2, n: 3, breachedWindows: 2 },
    });
    await waitFor(() => logger.text().includes('registered'), 5000);
    expect(await state.processed('retrain:late_payment:2026-11-30')).toMatchObject({ status: 'done' });
  });
});
