import type { app as azureApp } from '@azure/functions';
import { describe, expect, inject, it } from 'vitest';
import { createAppServices } from '../../functions/app.js';
import { FUNCTIONS } from '../../functions/definitions.js';
import { loadSettings } from '../../src/platform/config/index.js';
import { registerFunctions } from '../../src/platform/functions/index.js';
import { createLocalHost, loadHostConfig, SILENT_LOGGER } from '../../src/platform/host/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

type Registration = { method: string; name: string; options: Record<string, unknown> };

/** An object with the registration methods of `app` that records what would be registered with Azure. */
function recordingApp(): { app: typeof azureApp; calls: Registration[] } {
  const calls: Registration[] = [];
  const record = (method: string) => (name: string, options: Record<string, unknown>) => {
    calls.push({ method, name, options });
  };
  const app = {
    http: record('http'),
    timer: record('timer'),
    storageQueue: record('storageQueue'),
    serviceBusQueue: record('serviceBusQueue'),
  };
  return { app: app as unknown as typeof azureApp, calls };
}

describe('function definitions', () => {
  it('register with the v4 programming model exactly as defined', () => {
    const { app, calls } = recordingApp();
    registerFunctions(app, FUNCTIONS, () => Promise.reject(new Error('not invoked here')));
    expect(calls.map((c) => c.name)).toEqual(FUNCTIONS.map((d) => d.name));
    for (const [i, definition] of FUNCTIONS.entries()) {
      const call = calls[i];
      expect(call?.method).toBe(definition.kind);
      expect(typeof call?.options.handler).toBe('function');
      if (definition.kind === 'http') {
        expect(call?.options).toMatchObject({
          route: definition.route,
          methods: [...definition.methods],
          authLevel: definition.authLevel,
        });
        // The Functions runtime reserves /admin for its own API.
        expect(definition.route.startsWith('admin')).toBe(false);
      }
      if (definition.kind === 'timer') expect(call?.options.schedule).toBe(definition.schedule);
      if (definition.kind === 'storageQueue' || definition.kind === 'serviceBusQueue') {
        expect(call?.options).toMatchObject({
          queueName: definition.queueName,
          connection: definition.connection,
        });
      }
    }
  });

  it('have unique names', () => {
    const names = FUNCTIONS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('can all be run by the local host, from the same objects', async () => {
    const settings = loadSettings({
      env: {
        AzureWebJobsStorage: inject('azuriteConnectionString'),
        RISKOPS_SEED_ON_START: 'false',
        RISKOPS_MODELS_CONTAINER: uniqueName('models'),
        RISKOPS_LEDGER_TABLE: uniqueName('ledger'),
      },
    });
    const storage = testStorage();
    const services = await createAppServices(settings, storage);
    const host = createLocalHost({
      definitions: FUNCTIONS,
      services,
      storage,
      hostConfig: loadHostConfig('host.json'),
      port: 0,
      logger: SILENT_LOGGER,
    });
    await host.start();
    try {
      const listed = (await (await fetch(`${host.url}/admin/functions`)).json()) as { name: string }[];
      expect(listed.map((f) => f.name).sort()).toEqual(FUNCTIONS.map((d) => d.name).sort());
      const health = await fetch(`${host.url}/api/health`);
      expect(health.status).toBe(200);
    } finally {
      await host.stop();
      await services.close();
    }
  });
});
