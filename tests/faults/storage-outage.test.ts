import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { app as azureApp } from '@azure/functions';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { health } from '../../functions/health.js';
import { score } from '../../functions/score.js';
import { loadSettings, type Settings } from '../../src/platform/config/index.js';
import { type HttpHandler, registerFunctions } from '../../src/platform/functions/index.js';
import { createRegistryFromSettings } from '../../src/platform/registry/index.js';
import { createServices } from '../../src/platform/runtime/create.js';
import { createRetrying } from '../../src/platform/runtime/retrying.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { createStorageClients } from '../../src/platform/storage/index.js';
import { alice, testModel, testUseCase } from '../registry/support/fixtures.js';
import { uniqueName } from '../support/storage.js';
import { type FaultyAzurite, quantile, startFaultyAzurite } from './support.js';

const UC = testUseCase.name;
const HEALTH_TIMEOUT_MS = 1500;
const RECORD = JSON.stringify({ id: 'r1', amount: 120, days: 12, channel: 'web', repeat: true });

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { modelVersion?: string; status?: string };
}

async function call(handler: HttpHandler, route: string, body?: string, query = ''): Promise<Answer> {
  const request = new HttpRequest({
    method: body === undefined ? 'GET' : 'POST',
    url: `http://localhost/api/${route}${query}`,
    params: { useCase: UC },
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: { string: body } }),
  });
  const context = new InvocationContext({ functionName: route, logHandler: () => undefined });
  const response = await handler(request, context);
  return {
    status: response.status ?? 200,
    headers: new Headers(response.headers as Record<string, string>),
    body: response.jsonBody as Answer['body'],
  };
}

/** Scores `n` records one after another; returns each latency and the versions that answered. */
async function scoreMany(
  handler: HttpHandler,
  n: number,
): Promise<{ latencies: number[]; versions: Set<string> }> {
  const latencies: number[] = [];
  const versions = new Set<string>();
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const answer = await call(handler, `score/${UC}`, RECORD);
    latencies.push(performance.now() - started);
    expect(answer.status).toBe(200);
    versions.add(String(answer.body.modelVersion));
  }
  return { latencies, versions };
}

let azurite: FaultyAzurite;
let settings: Settings;
let services: Services;
let scoreHandler: HttpHandler;
let healthHandler: HttpHandler;
let seedDir: string;
let dataDir: string;
let v1: string;
let healthyP99: number;

beforeAll(async () => {
  azurite = await startFaultyAzurite();
  // The shipped-models folder of this test: one model for the test use case, pushed and crowned on start.
  seedDir = mkdtempSync(join(tmpdir(), 'riskops-seed-'));
  const { bytes, manifest } = testModel(1);
  mkdirSync(join(seedDir, UC));
  writeFileSync(join(seedDir, UC, 'model.onnx'), bytes);
  writeFileSync(join(seedDir, UC, 'manifest.json'), JSON.stringify(manifest));
  // The decision log's spool journal (and the local HMAC key) live in the data dir: a fresh one per run.
  dataDir = mkdtempSync(join(tmpdir(), 'riskops-data-'));
  settings = loadSettings({
    env: {
      AzureWebJobsStorage: azurite.connectionString,
      RISKOPS_DATA_DIR: dataDir,
      RISKOPS_MODELS_CONTAINER: uniqueName('models'),
      RISKOPS_LEDGER_TABLE: uniqueName('ledger'),
      RISKOPS_SEED_MODELS_DIR: seedDir,
      RISKOPS_ALIAS_REFRESH_MS: '200',
      RISKOPS_STORAGE_FAST_TIMEOUT_MS: '1000',
      RISKOPS_HEALTH_TIMEOUT_MS: String(HEALTH_TIMEOUT_MS),
      RISKOPS_RETRY_MAX_MS: '1000',
    },
  });
  const storage = createStorageClients(
    { kind: 'connectionString', connectionString: azurite.connectionString },
    { fastTimeoutMs: settings.RISKOPS_STORAGE_FAST_TIMEOUT_MS },
  );
  services = await createServices(settings, storage, [testUseCase]);
  if (score.kind !== 'http' || health.kind !== 'http') throw new Error('HTTP functions expected');
  scoreHandler = score.create(services);
  healthHandler = health.create(services);
  const warm = await scoreMany(scoreHandler, 20);
  v1 = [...warm.versions][0] ?? '';
  expect(warm.versions.size).toBe(1);
  healthyP99 = quantile((await scoreMany(scoreHandler, 200)).latencies, 0.99);
});

/**
 * The bound the issue sets (p99 under 50 ms while storage is down), widened only when this machine is so
 * loaded that healthy scoring is slow too: three times the healthy p99 of the same run. Waiting on storage
 * (seconds) fails either way.
 */
function outageBound(): number {
  return Math.max(50, 3 * healthyP99);
}

afterAll(async () => {
  await services?.close();
  await azurite?.stop();
  rmSync(seedDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('storage outage with a loaded model', () => {
  it('keeps scoring at normal latency while Azurite is paused (SIGSTOP)', async () => {
    azurite.pause();
    await sleep(250); // past RISKOPS_ALIAS_REFRESH_MS: alias checks are due and will hang on the paused server
    const { latencies, versions } = await scoreMany(scoreHandler, 200);
    expect([...versions]).toEqual([v1]);
    expect(quantile(latencies, 0.99)).toBeLessThan(outageBound());
  });

  it('answers health within its timeout, degraded, saying how stale the alias check is', async () => {
    const started = performance.now();
    const answer = await call(healthHandler, 'health');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(HEALTH_TIMEOUT_MS + 500);
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('degraded');
    const body = answer.body as unknown as {
      storage: Record<string, { ok: boolean }>;
      degraded: { since: string; seconds: number; reasons: string[] };
      models: Record<
        string,
        { version: string; status: string; stalenessSeconds: number; lastError: unknown }
      >;
    };
    expect(body.storage.blob?.ok).toBe(false);
    expect(body.storage.table?.ok).toBe(false);
    expect(body.models[UC]).toMatchObject({ version: v1, status: 'stale', lastError: expect.any(Object) });
    expect(body.models[UC]?.stalenessSeconds).toBeGreaterThan(0.2);
    expect(body.degraded.seconds).toBeGreaterThan(0);
    expect(body.degraded.reasons.join(' ')).toContain('blob storage unreachable');
    // Decisions made during the outage wait in the local spool, and health says so.
    const spool = (answer.body as unknown as { decisionLog: { mode: string; pendingRecords: number } })
      .decisionLog;
    expect(spool.mode).toBe('spooling');
    expect(spool.pendingRecords).toBeGreaterThanOrEqual(200);
    expect(body.degraded.reasons.join(' ')).toContain('decision log spooling');
  });

  it('keeps scoring at normal latency after Azurite is killed (connections refused)', async () => {
    // Azurite writes its metadata to disk every 5 s and a SIGKILL loses younger writes (real storage does
    // not): let it flush, so the registry survives the kill as it would in Azure.
    azurite.resume();
    await sleep(5500);
    await azurite.kill();
    await sleep(250);
    const { latencies, versions } = await scoreMany(scoreHandler, 100);
    expect([...versions]).toEqual([v1]);
    expect(quantile(latencies, 0.99)).toBeLessThan(outageBound());

    // A pinned version already loaded serves from memory; one that is not answers 503, quickly.
    const pinned = await call(scoreHandler, `score/${UC}`, RECORD, `?version=${v1}`);
    expect(pinned.status).toBe(200);
    const started = performance.now();
    const unknown = await call(scoreHandler, `score/${UC}`, RECORD, '?version=20200101T000000Z-000000000000');
    expect(unknown.status).toBe(503);
    expect(unknown.body).toMatchObject({ error: { code: 'storage_unavailable' } });
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('cold start while storage is down, then recovery without a restart', () => {
  let coldScore: () => Promise<HttpHandler>;

  it('fails the first call with 503 and does not poison the worker (the getter functions/index.ts uses)', async () => {
    // What functions/index.ts does: register every function over a retrying services getter.
    const handlers = new Map<string, HttpHandler>();
    const app = {
      http: (name: string, options: { handler: HttpHandler }) => handlers.set(name, options.handler),
      timer: () => undefined,
      storageQueue: () => undefined,
      serviceBusQueue: () => undefined,
    } as unknown as typeof azureApp;
    const storage = createStorageClients(
      { kind: 'connectionString', connectionString: azurite.connectionString },
      { fastTimeoutMs: settings.RISKOPS_STORAGE_FAST_TIMEOUT_MS },
    );
    const getServices = createRetrying(() => createServices(settings, storage, [testUseCase]), {
      baseMs: 100,
      maxMs: settings.RISKOPS_RETRY_MAX_MS,
    });
    registerFunctions(app, [score], getServices);
    const handler = handlers.get('score');
    if (handler === undefined) throw new Error('score was not registered');
    coldScore = async () => handler;

    const started = performance.now();
    const first = await call(handler, `score/${UC}`, RECORD);
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ error: { code: 'storage_unavailable' } });
    expect(performance.now() - started).toBeLessThan(10_000);

    await azurite.restart();
    let answer = first;
    const deadline = performance.now() + 10_000;
    while (answer.status !== 200 && performance.now() < deadline) {
      await sleep(200);
      answer = await call(handler, `score/${UC}`, RECORD);
    }
    expect(answer.status).toBe(200);
    expect(answer.body.modelVersion).toBe(v1);
  });

  it('the long-running instance recovers: healthy again, and a promotion made after recovery is served', async () => {
    expect(coldScore).toBeDefined();
    let status = '';
    const deadline = performance.now() + 10_000;
    while (status !== 'healthy' && performance.now() < deadline) {
      status = String((await call(healthHandler, 'health')).body.status);
      if (status !== 'healthy') await sleep(200);
    }
    expect(status).toBe('healthy');

    // Another process (the CLI) pushes and promotes a new version.
    const cli = createRegistryFromSettings(
      settings,
      createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString }),
      [testUseCase],
    );
    const { bytes, manifest } = testModel(2);
    const { version: v2 } = await cli.push(UC, bytes, manifest, alice);
    await cli.promote(UC, v2, { ...alice, reason: 'after the outage' });

    let served = v1;
    const until = performance.now() + 5_000;
    while (served !== v2 && performance.now() < until) {
      await sleep(50);
      served = String((await call(scoreHandler, `score/${UC}`, RECORD)).body.modelVersion);
    }
    expect(served).toBe(v2);
  });
});
