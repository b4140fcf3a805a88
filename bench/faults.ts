import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobServiceClient } from '@azure/storage-blob';
import { loadSettings } from '../src/platform/config/index.js';
import { createStorageClients, startAzurite } from '../src/platform/storage/index.js';
import { latePayment } from '../src/use_cases/late_payment/index.js';
import { startAppHost } from './app-host.js';

const REQUESTS = 400;
const REFRESH_MS = 500;

function percentiles(latencies: number[]): { p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(sorted.at(-1) ?? Number.NaN) };
}

/**
 * Scoring and health while storage fails, on an Azurite of its own (data on disk): healthy, then paused
 * (SIGSTOP: connections accepted, never answered), then killed (connections refused), then restarted on the
 * same ports and data. Single-record HTTP requests through the local host, one at a time.
 */
export async function benchFaults(): Promise<Record<string, unknown>> {
  const location = mkdtempSync(join(tmpdir(), 'riskops-bench-faults-'));
  let azurite = await startAzurite({ location });
  const ports = azurite.ports;
  const connectionString = azurite.connectionString;
  const settings = loadSettings({
    env: {
      AzureWebJobsStorage: connectionString,
      RISKOPS_EMBEDDED_AZURITE: 'false',
      RISKOPS_ALIAS_REFRESH_MS: String(REFRESH_MS),
    },
  });
  const storage = createStorageClients(
    { kind: 'connectionString', connectionString },
    { fastTimeoutMs: settings.RISKOPS_STORAGE_FAST_TIMEOUT_MS },
  );
  const { services, host } = await startAppHost(settings, storage);
  const [row] = latePayment.generate({ rows: 1, seed: 7 });
  const { [latePayment.label.field]: _label, ...record } = row ?? {};
  const body = JSON.stringify(record);

  const scoreMany = async (n: number) => {
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const response = await fetch(`${host.url}/api/score/late_payment`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      await response.arrayBuffer();
      latencies.push(performance.now() - t0);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
    return { requests: n, ...percentiles(latencies), statuses: Object.fromEntries(statuses) };
  };
  const healthOnce = async () => {
    const t0 = performance.now();
    const response = await fetch(`${host.url}/api/health`);
    const json = (await response.json()) as { status: string; degraded?: { reasons: string[] } };
    return {
      ms: Math.round(performance.now() - t0),
      httpStatus: response.status,
      status: json.status,
      ...(json.degraded === undefined ? {} : { reasons: json.degraded.reasons }),
    };
  };

  /** One blob HEAD through a client, capped at `capMs`: the SDK's defaults against the serving lane. */
  const sdkDefaults = BlobServiceClient.fromConnectionString(connectionString);
  const head = async (client: 'sdkDefaults' | 'servingLane', capMs = 20_000) => {
    const blob =
      client === 'sdkDefaults'
        ? sdkDefaults.getContainerClient('models').getBlobClient('late_payment/aliases/champion.json')
        : storage.fast().container('models').getBlobClient('late_payment/aliases/champion.json');
    const t0 = performance.now();
    try {
      await blob.getProperties({ abortSignal: AbortSignal.timeout(capMs) });
      return { ms: Math.round(performance.now() - t0), outcome: 'answered' };
    } catch (error) {
      const ms = Math.round(performance.now() - t0);
      return { ms, outcome: ms >= capMs - 50 ? `no answer within ${capMs} ms` : (error as Error).name };
    }
  };
  const oneHead = async () => ({
    sdkDefaults: await head('sdkDefaults'),
    servingLane: await head('servingLane'),
  });

  const results: Record<string, unknown> = {
    settings: {
      aliasRefreshMs: REFRESH_MS,
      storageFastTimeoutMs: settings.RISKOPS_STORAGE_FAST_TIMEOUT_MS,
      healthTimeoutMs: settings.RISKOPS_HEALTH_TIMEOUT_MS,
      retryMaxMs: settings.RISKOPS_RETRY_MAX_MS,
    },
  };
  try {
    await scoreMany(50); // warm up
    results.healthy = { scoring: await scoreMany(REQUESTS), health: await healthOnce() };

    process.kill(azurite.pid, 'SIGSTOP');
    await sleep(REFRESH_MS + 100);
    results.paused = {
      scoring: await scoreMany(REQUESTS),
      health: await healthOnce(),
      aliasHead: await oneHead(),
    };

    process.kill(azurite.pid, 'SIGKILL');
    await azurite.stop();
    await sleep(REFRESH_MS + 100);
    results.killed = {
      scoring: await scoreMany(REQUESTS),
      health: await healthOnce(),
      aliasHead: await oneHead(),
    };

    const restarted = performance.now();
    azurite = await startAzurite({ location, ports });
    let health = await healthOnce();
    while (health.status !== 'healthy' && performance.now() - restarted < 30_000) {
      await sleep(100);
      health = await healthOnce();
    }
    results.recovered = {
      healthyAfterRestartMs: Math.round(performance.now() - restarted),
      scoring: await scoreMany(REQUESTS),
      health,
    };
  } finally {
    await host.stop();
    await services.close();
    await azurite.stop();
    rmSync(location, { recursive: true, force: true });
  }
  return results;
}
